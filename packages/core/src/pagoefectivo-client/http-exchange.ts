import { request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { decodedBody, keepAliveAgent } from "../keep-alive-http";

/**
 * How one HTTP attempt reaches PagoEfectivo. The transport (transport.ts) decides what to send,
 * when to retry and what an answer means; an exchange only moves bytes and reports one of three
 * outcomes, never throwing.
 */

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface ExchangeRequest {
  method: HttpMethod;
  /** Path and query, appended to the base URL. */
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** Bound on the whole attempt: connection, headers and body. */
  timeoutMs: number;
}

export type ExchangeOutcome =
  | { kind: "response"; status: number; text: string }
  | { kind: "network"; error: unknown; notSent: boolean }
  | { kind: "timeout" };

export type Exchange = (request: ExchangeRequest) => Promise<ExchangeOutcome>;

// Failures where the request never left this machine, so even CIP creation may be resent.
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

export function isNotSent(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e !== null && typeof e === "object"; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NOT_SENT_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** An injected fetch (tests, custom dispatchers): raced against the timer as well as aborted. */
export function fetchExchange(baseUrl: string, fetchImpl: FetchLike): Exchange {
  const base = baseUrl.replace(/\/+$/, "");
  return async (r) => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve("timeout");
      }, r.timeoutMs);
    });
    try {
      // Racing against the timer (not only aborting) also bounds an injected fetch that
      // ignores its signal, and covers reading the body, not just the headers.
      const res = await Promise.race([
        fetchImpl(`${base}${r.path}`, {
          method: r.method,
          headers: r.headers,
          body: r.body,
          signal: controller.signal,
        }),
        timedOut,
      ]);
      if (res === "timeout") return { kind: "timeout" };
      const text = await Promise.race([res.text(), timedOut]);
      return text === "timeout"
        ? { kind: "timeout" }
        : { kind: "response", status: res.status, text: text as string };
    } catch (error) {
      return controller.signal.aborted
        ? { kind: "timeout" }
        : { kind: "network", error, notSent: isNotSent(error) };
    } finally {
      clearTimeout(timer);
    }
  };
}

// fetch sent "node"; some gateways refuse requests that name no client at all.
const USER_AGENT = "pe-pay";

/**
 * node:http(s) with shared keep-alive agents: a fraction of fetch's CPU per call (no WHATWG
 * streams or Request/Response objects), and a request with its body goes out in one write.
 * Unlike fetch it follows no redirects: a 3xx from the API is an answer like any other (a
 * redirected POST would have been resent as a GET anyway).
 */
export function nodeHttpExchange(baseUrl: string): Exchange {
  const url = new URL(baseUrl);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new RangeError("baseUrl must be an http(s) URL");
  }
  const secure = url.protocol === "https:";
  const send = secure ? httpsRequest : httpRequest;
  const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === "" ? (secure ? 443 : 80) : Number(url.port);
  const basePath = url.pathname.replace(/\/+$/, "");
  const agent = keepAliveAgent(secure);

  return (r) =>
    new Promise<ExchangeOutcome>((resolve) => {
      let settled = false;
      let req: ClientRequest | undefined;
      const finish = (outcome: ExchangeOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const timer = setTimeout(() => {
        finish({ kind: "timeout" });
        req?.destroy();
      }, r.timeoutMs);
      const headers: Record<string, string | number> = { "User-Agent": USER_AGENT, ...r.headers };
      if (r.body !== undefined) headers["Content-Length"] = Buffer.byteLength(r.body);
      try {
        req = send({
          hostname,
          port,
          path: `${basePath}${r.path}`,
          method: r.method,
          headers,
          agent,
        });
      } catch (error) {
        // Refused before sending, e.g. a header value with a line break.
        finish({ kind: "network", error, notSent: true });
        return;
      }
      req.on("error", (error) => finish({ kind: "network", error, notSent: isNotSent(error) }));
      req.on("response", (res) => readText(res, finish));
      req.end(r.body);
    });
}

function readText(res: IncomingMessage, finish: (outcome: ExchangeOutcome) => void): void {
  const status = res.statusCode ?? 0;
  const body = decodedBody(res);
  let text = "";
  body.on("data", (chunk: string) => {
    text += chunk;
  });
  body.on("end", () => finish({ kind: "response", status, text }));
  const broken = (error: unknown) => finish({ kind: "network", error, notSent: false });
  body.on("error", broken);
  res.on("error", broken);
  // A connection dropped mid-body: the answer is incomplete, so nothing can be read from it.
  res.on("close", () => {
    if (!res.complete) broken(new Error("connection closed before the answer was complete"));
  });
}
