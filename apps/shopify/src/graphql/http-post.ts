import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { decodedBody, keepAliveAgent } from "@pe-pay/core";

/** What the Payments Apps client needs of one HTTP answer. */
export interface PostAnswer {
  status: number;
  /** The `Retry-After` header, as sent. */
  retryAfter: string | null;
  text: string;
}

/**
 * One POST attempt. Rejects when no complete answer arrived (network error, timeout); the caller
 * retries those.
 */
export type Post = (
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
) => Promise<PostAnswer>;

/** An injected fetch (tests, custom dispatchers). */
export function fetchPost(doFetch: typeof fetch): Post {
  return async (url, headers, body, timeoutMs) => {
    const signal = AbortSignal.timeout(timeoutMs);
    const response = await doFetch(url, { method: "POST", headers, body, signal });
    const text = await response.text().catch(() => "");
    return { status: response.status, retryAfter: response.headers.get("retry-after"), text };
  };
}

/**
 * node:http(s) with shared keep-alive agents: on this kind of host every system call and
 * wake-up is costly, and global fetch spends about three times the CPU per call (WHATWG streams,
 * Request/Response objects, an abort signal per call); the request and its body go out in one
 * write.
 */
export function nodeHttpPost(): Post {
  return (url, headers, body, timeoutMs) =>
    new Promise<PostAnswer>((resolve, reject) => {
      const u = new URL(url);
      const secure = u.protocol === "https:";
      let settled = false;
      const done = (error: Error | null, answer?: PostAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(answer!);
      };
      const req = (secure ? httpsRequest : httpRequest)({
        hostname: u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname,
        port: u.port === "" ? (secure ? 443 : 80) : Number(u.port),
        path: `${u.pathname}${u.search}`,
        method: "POST",
        headers: { ...headers, "Content-Length": Buffer.byteLength(body) },
        agent: keepAliveAgent(secure),
      });
      const timer = setTimeout(() => {
        const e = new Error(`no answer within ${timeoutMs} ms`);
        e.name = "TimeoutError";
        done(e);
        req.destroy();
      }, timeoutMs);
      req.on("error", (e) => done(e));
      req.on("response", (res) => readAnswer(res, done));
      req.end(body);
    });
}

function readAnswer(
  res: IncomingMessage,
  done: (error: Error | null, answer?: PostAnswer) => void,
): void {
  const retryAfter = res.headers["retry-after"];
  const stream = decodedBody(res);
  let text = "";
  stream.on("data", (chunk: string) => {
    text += chunk;
  });
  stream.on("end", () =>
    done(null, {
      status: res.statusCode ?? 0,
      retryAfter: typeof retryAfter === "string" ? retryAfter : null,
      text,
    }),
  );
  stream.on("error", (e: Error) => done(e));
  res.on("error", (e) => done(e));
  res.on("close", () => {
    if (!res.complete) done(new Error("connection closed before the answer was complete"));
  });
}
