import { Agent as HttpAgent, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";

/**
 * Idle connections are closed before servers usually drop them (the agent also honours a
 * server's `Keep-Alive: timeout=` hint, less a second), so a request rarely meets a connection
 * the server has just closed: for a CIP creation that would be an "outcome unknown".
 */
const IDLE_SOCKET_MS = 4_000;
let sharedAgents: { http: HttpAgent; https: HttpsAgent } | undefined;

/**
 * Keep-alive agents shared by every node:http client of the process (PagoEfectivo, Shopify): one
 * connection pool per origin, as global fetch has. Each HTTP exchange costs system calls and
 * wake-ups on both ends, so reusing connections is what keeps a call cheap.
 */
export function keepAliveAgent(secure: boolean): HttpAgent | HttpsAgent {
  sharedAgents ??= {
    http: new HttpAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: "lifo" }),
    https: new HttpsAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: "lifo" }),
  };
  return secure ? sharedAgents.https : sharedAgents.http;
}

const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: createGunzip,
  "x-gzip": createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * The answer's body as UTF-8 text chunks. None is asked for (no Accept-Encoding), but a server
 * may compress anyway; an encoding we cannot undo is read as it is (and fails to parse later).
 */
export function decodedBody(res: IncomingMessage): NodeJS.ReadableStream {
  const encoding = String(res.headers["content-encoding"] ?? "")
    .trim()
    .toLowerCase();
  const decoder = DECODERS[encoding];
  const body: NodeJS.ReadableStream = decoder ? res.pipe(decoder()) : res;
  body.setEncoding("utf8");
  return body;
}
