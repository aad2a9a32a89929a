import { request, type Agent } from "node:http";

export interface PostAnswer {
  status: number;
  text: string;
}

/**
 * POSTs over a keep-alive agent. A server closes an idle keep-alive connection after its
 * keepAliveTimeout; a request written on that socket at the same moment dies with ECONNRESET
 * before the server saw it. Node flags such requests (`reusedSocket`), and the documented answer
 * is to send them again on a fresh socket — safe here because every endpoint the benches call is
 * idempotent by design (notifications are deduplicated, payment sessions keyed by id). Any other
 * failure is the caller's to count.
 */
export async function keepAlivePost(
  agent: Agent,
  target: URL,
  headers: Record<string, string | number>,
  body: string,
): Promise<PostAnswer> {
  try {
    return await postOnce(agent, target, headers, body);
  } catch (e) {
    if (!(e instanceof StaleSocketError)) throw e;
    return postOnce(agent, target, headers, body);
  }
}

class StaleSocketError extends Error {}

function postOnce(
  agent: Agent,
  target: URL,
  headers: Record<string, string | number>,
  body: string,
): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: { ...headers, "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        res.on("error", reject);
      },
    );
    req.on("error", (e: NodeJS.ErrnoException) =>
      reject(req.reusedSocket && e.code === "ECONNRESET" ? new StaleSocketError(e.message) : e),
    );
    req.end(body);
  });
}
