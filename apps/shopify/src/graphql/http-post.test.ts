import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gzipSync } from "node:zlib";
import { fetchPost, nodeHttpPost, type Post } from "./http-post";

describe("Payments Apps HTTP posts", () => {
  let server: Server;
  let base: string;
  const sockets = new Set<Socket>();
  let connections = 0;
  const seen: Array<{ headers: Record<string, unknown>; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (body += c));
      req.on("end", () => {
        seen.push({ headers: req.headers, body });
        if (req.url === "/slow") return; // never answers
        if (req.url === "/busy") {
          res.writeHead(429, { "retry-after": "2", "content-type": "application/json" });
          res.end('{"errors":"throttled"}');
          return;
        }
        if (req.url === "/gzip") {
          res.writeHead(200, { "content-encoding": "gzip" });
          res.end(gzipSync('{"data":{"ok":true}}'));
          return;
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(`{"echo":${JSON.stringify(body)}}`);
      });
    });
    server.on("connection", (s: Socket) => {
      connections += 1;
      sockets.add(s);
      s.once("close", () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const headers = { "Content-Type": "application/json", "X-Shopify-Access-Token": "shpat_t" };

  it.each([
    ["node:http", nodeHttpPost()],
    ["fetch", fetchPost((...a) => fetch(...a))],
  ] as Array<[string, Post]>)(
    "%s: status, body, Retry-After and decoded bodies",
    async (_n, post) => {
      const ok = await post(`${base}/graphql.json`, headers, '{"q":"é"}', 5_000);
      expect(ok).toEqual({ status: 200, retryAfter: null, text: '{"echo":"{\\"q\\":\\"é\\"}"}' });
      expect(seen.at(-1)!.headers["x-shopify-access-token"]).toBe("shpat_t");
      expect(await post(`${base}/busy`, headers, "{}", 5_000)).toEqual({
        status: 429,
        retryAfter: "2",
        text: '{"errors":"throttled"}',
      });
      expect((await post(`${base}/gzip`, headers, "{}", 5_000)).text).toBe('{"data":{"ok":true}}');
    },
  );

  it("node:http keeps the connection for the next calls", async () => {
    const post = nodeHttpPost();
    await post(`${base}/a`, headers, "{}", 5_000);
    const before = connections;
    for (let i = 0; i < 3; i++) await post(`${base}/a`, headers, "{}", 5_000);
    expect(connections).toBe(before);
  });

  it("rejects when no answer comes in time, or nobody listens", async () => {
    await expect(nodeHttpPost()(`${base}/slow`, headers, "{}", 50)).rejects.toMatchObject({
      name: "TimeoutError",
    });
    await expect(nodeHttpPost()("http://127.0.0.1:9/x", headers, "{}", 5_000)).rejects.toThrow();
  });
});
