import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { nodeHttpExchange, type ExchangeRequest } from "./http-exchange";

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

let server: Server;
let base: string;
let handler: Handler;
let connections = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => handler(req, body, res));
  });
  server.on("connection", () => connections++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const get = (path: string, over: Partial<ExchangeRequest> = {}): ExchangeRequest => ({
  method: "GET",
  path,
  headers: { Accept: "application/json" },
  body: undefined,
  timeoutMs: 5_000,
  ...over,
});

describe("nodeHttpExchange", () => {
  it("sends method, path, headers and a sized body; reads the answer as text", async () => {
    let seen: {
      method?: string;
      url?: string;
      headers?: IncomingMessage["headers"];
      body?: string;
    } = {};
    handler = (req, body, res) => {
      seen = { method: req.method, url: req.url, headers: req.headers, body };
      res.writeHead(201, { "Content-Type": "application/json" }).end('{"ok":"sí"}');
    };
    const exchange = nodeHttpExchange(`${base}/api/`);
    const outcome = await exchange({
      method: "POST",
      path: "/v1/cips?x=1",
      headers: { "Content-Type": "application/json", Authorization: "Bearer t" },
      body: '{"a":"ñ"}',
      timeoutMs: 5_000,
    });
    expect(outcome).toEqual({ kind: "response", status: 201, text: '{"ok":"sí"}' });
    expect(seen.method).toBe("POST");
    expect(seen.url).toBe("/api/v1/cips?x=1");
    expect(seen.body).toBe('{"a":"ñ"}');
    expect(seen.headers?.authorization).toBe("Bearer t");
    expect(seen.headers?.["user-agent"]).toBe("pe-pay");
    expect(seen.headers?.["content-length"]).toBe(String(Buffer.byteLength('{"a":"ñ"}')));
    expect(seen.headers?.["transfer-encoding"]).toBeUndefined();
  });

  it("reuses a kept-alive connection for calls one after another", async () => {
    handler = (_req, _body, res) => res.end("{}");
    const exchange = nodeHttpExchange(base);
    await exchange(get("/warm"));
    const before = connections;
    for (let i = 0; i < 5; i++) await exchange(get(`/n${i}`));
    expect(connections).toBe(before);
  });

  it("a bodyless call sends no body framing", async () => {
    let headers: IncomingMessage["headers"] = {};
    handler = (req, _body, res) => {
      headers = req.headers;
      res.end("{}");
    };
    await nodeHttpExchange(base)(get("/v1/cips/1", { method: "DELETE" }));
    expect(headers["transfer-encoding"]).toBeUndefined();
  });

  it("reports a redirect as the answer it is, without following it", async () => {
    handler = (_req, _body, res) => res.writeHead(302, { Location: "/elsewhere" }).end();
    await expect(nodeHttpExchange(base)(get("/moved"))).resolves.toEqual({
      kind: "response",
      status: 302,
      text: "",
    });
  });

  it("decodes a compressed answer", async () => {
    handler = (_req, _body, res) =>
      res.writeHead(200, { "Content-Encoding": "gzip" }).end(gzipSync('{"code":100}'));
    await expect(nodeHttpExchange(base)(get("/gz"))).resolves.toEqual({
      kind: "response",
      status: 200,
      text: '{"code":100}',
    });
  });

  it("an answer that never comes is a timeout", async () => {
    handler = () => undefined; // never answers
    await expect(nodeHttpExchange(base)(get("/slow", { timeoutMs: 50 }))).resolves.toEqual({
      kind: "timeout",
    });
  });

  it("a body that stops halfway is a network failure that may have been applied", async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { "Content-Length": "100" });
      res.write('{"code":');
      setImmediate(() => res.socket?.destroy());
    };
    const outcome = await nodeHttpExchange(base)(get("/cut"));
    expect(outcome).toMatchObject({ kind: "network", notSent: false });
  });

  it("a refused connection never reached the server", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const outcome = await nodeHttpExchange(`http://127.0.0.1:${port}`)(get("/"));
    expect(outcome).toMatchObject({ kind: "network", notSent: true });
  });

  it("a header that cannot be sent is a failure that never left", async () => {
    const outcome = await nodeHttpExchange(base)(
      get("/", { headers: { Authorization: "Bearer a\r\nX-Injected: 1" } }),
    );
    expect(outcome).toMatchObject({ kind: "network", notSent: true });
  });

  it("refuses a base URL that is not http(s)", () => {
    expect(() => nodeHttpExchange("ftp://example.pe")).toThrow(RangeError);
  });
});
