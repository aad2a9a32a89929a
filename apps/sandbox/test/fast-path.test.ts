import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { toLimaIso } from "@pe-pay/core";
import { createSandbox } from "../src/index";
import { apiFastPath } from "../src/api-fast-path";
import { silentLogger } from "../src/notifier";
import { apiRoutes } from "../src/routes/api";
import { harness, type Harness } from "./helpers";

interface Raw {
  status: number;
  headers: Record<string, unknown>;
  text: string;
}

/**
 * One request through node:http, so the test chooses the framing: `chunked` sends the body
 * without Content-Length, which the fast path leaves to express.
 */
function send(
  url: string,
  method: string,
  path: string,
  opts: { token?: string; body?: string; chunked?: boolean; headers?: Record<string, string> } = {},
): Promise<Raw> {
  const u = new URL(url);
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  if (opts.chunked) headers["Transfer-Encoding"] = "chunked";
  else if (opts.body !== undefined)
    headers["Content-Length"] = String(Buffer.byteLength(opts.body));
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname: u.hostname, port: u.port, path, method, headers, agent: false },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, text }));
      },
    );
    req.on("error", reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** What must not depend on the server path: status, content headers and the body. */
const answerOf = (r: Raw) => ({
  status: r.status,
  type: r.headers["content-type"],
  auth: r.headers["www-authenticate"],
  etag: r.headers.etag,
  body: r.text,
});

describe("plain API requests skip express with the same answers", () => {
  let h: Harness;
  let token: string;
  const cipBody = (code: string) =>
    JSON.stringify({
      currency: "PEN",
      amount: "__A__",
      transactionCode: code,
      userEmail: "rosa.quispe@example.pe",
      dateExpiry: toLimaIso(new Date(h.clock.now().getTime() + 48 * 3600_000)),
    }).replace('"__A__"', "150.50");

  beforeAll(async () => {
    h = await harness();
    token = await h.token();
  });
  afterAll(() => h.close());

  /** Runs `make` twice, plain and chunked, on twin CIPs, and compares after `normalize`. */
  async function both(
    make: (chunked: boolean) => Promise<Raw>,
    normalize: (text: string) => string = (t) => t,
  ): Promise<ReturnType<typeof answerOf>> {
    const plain = answerOf(await make(false));
    const viaExpress = answerOf(await make(true));
    plain.body = normalize(plain.body);
    viaExpress.body = normalize(viaExpress.body);
    expect(plain).toEqual(viaExpress);
    return plain;
  }

  it("creates, searches, extends, deletes and refuses alike", async () => {
    const created: string[] = [];
    const sameCip = (t: string) =>
      t.replace(/"cip":\d+/g, '"cip":0').replace(/[0-9a-f-]{36}\.html/g, "GUID.html");
    const c = await both(
      async (chunked) => {
        const r = await send(h.url, "POST", "/v1/cips", {
          token,
          body: cipBody(`fp-${created.length}`),
          chunked,
        });
        created.push(String(JSON.parse(r.text).data.cip));
        return r;
      },
      (t) => sameCip(t).replace(/fp-\d/, "fp-n"),
    );
    expect(c.status).toBe(201);
    expect(c.etag).toBeUndefined();

    const search = await both((chunked) =>
      send(h.url, "POST", "/v1/cips/search", {
        token,
        body: JSON.stringify({ data: created.map((cip) => ({ cip: Number(cip) })) }),
        chunked,
      }),
    );
    expect(JSON.parse(search.body).data).toHaveLength(2);

    let i = 0;
    const extended = await both(
      (chunked) =>
        send(h.url, "PATCH", `/v1/cips/${created[i++]}`, {
          token,
          body: JSON.stringify({ dateExpiry: "2026-11-30T10:00:00-05:00" }),
          chunked,
        }),
      (t) => sameCip(t).replace(/fp-\d/, "fp-n"),
    );
    expect(extended.status).toBe(200);

    i = 0;
    const deleted = await both(
      (chunked) =>
        send(h.url, "DELETE", `/v1/cips/${created[i++]}`, {
          token,
          chunked,
          body: chunked ? "" : undefined,
        }),
      (t) => sameCip(t).replace(/fp-\d/, "fp-n"),
    );
    expect(JSON.parse(deleted.body)).toMatchObject({ code: 100, data: { status: 25 } });

    i = 0;
    const again = await both((chunked) =>
      send(h.url, "DELETE", `/v1/cips/${created[i++]}`, {
        token,
        chunked,
        body: chunked ? "" : undefined,
      }),
    );
    expect(again.status).toBe(409);
  });

  it.each([
    ["no token", "POST", "/v1/cips/search", undefined, '{"data":[{"cip":1}]}'],
    ["bad JSON", "POST", "/v1/cips", "token", "{"],
    ["empty body", "POST", "/v1/authorizations", undefined, ""],
    ["unknown CIP", "PATCH", "/v1/cips/999", "token", '{"dateExpiry":"2030-01-01T00:00:00-05:00"}'],
    ["bad refund", "POST", "/v2/refunds", "token", "{}"],
    ["settlement query", "GET", "/v1/settlements?date=2026-11-22&currency=USD", "token", ""],
    ["bad settlement query", "GET", "/v1/settlements?date=22-11-2026", "token", ""],
    ["settlement CSV", "GET", "/v1/settlements/STL-1234-20261122-PEN.csv", "token", ""],
    ["unknown refund", "GET", "/v2/refunds/rf_nope", "token", ""],
  ] as const)("%s", async (_name, method, path, auth, body) => {
    await both((chunked) =>
      send(h.url, method, path, { token: auth ? token : undefined, body, chunked }),
    );
  });

  it("applies API faults on both paths", async () => {
    await h.call("PUT", "/_sandbox/faults", { body: { api: { failNext: 2, errorStatus: 502 } } });
    const r = await both((chunked) =>
      send(h.url, "POST", "/v1/cips/search", { token, body: '{"data":[{"cip":1}]}', chunked }),
    );
    expect(r.status).toBe(502);
    await h.call("PUT", "/_sandbox/faults", { body: {} });
  });
});

describe("which requests the fast path takes", () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const sandbox = createSandbox({ expirySweepMs: 0 });
    const fast = apiFastPath({
      routes: apiRoutes(sandbox.emulator, () => "http://x"),
      state: sandbox.state,
      random: () => 1,
      logger: silentLogger,
      bodyLimitBytes: 100,
    });
    // 599 marks "left to express". Each case: taken by the fast path or not.
    server = createServer((req, res) => {
      if (!fast(req, res)) {
        req.resume();
        res.statusCode = 599;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it.each([
    ["plain DELETE", "DELETE", "/v1/cips/1", {}, true],
    ["plain POST with a body", "POST", "/v1/cips/search", { body: "{}" }, true],
    ["GET with a query", "GET", "/v1/settlements?date=2026-11-22", {}, true],
    ["upper-case path", "DELETE", "/V1/CIPS/1", {}, false],
    ["trailing slash", "DELETE", "/v1/cips/1/", {}, false],
    ["percent-encoded path", "DELETE", "/v1/cips/%31", {}, false],
    ["HEAD", "HEAD", "/v2/refunds/rf_1", {}, false],
    ["a method no route has", "PUT", "/v1/cips/1", {}, false],
    ["an unknown API path", "GET", "/v1/nothing", {}, false],
    ["a control", "GET", "/_sandbox/cips", {}, false],
    ["a chunked body", "POST", "/v1/cips/search", { body: "{}", chunked: true }, false],
    ["a body over the limit", "POST", "/v1/cips", { body: "x".repeat(101) }, false],
    [
      "a compressed body",
      "POST",
      "/v1/cips",
      { body: "{}", headers: { "Content-Encoding": "gzip" } },
      false,
    ],
  ] as const)("%s", async (_case, method, path, opts, taken) => {
    const r = await send(url, method, path, opts);
    expect(r.status !== 599).toBe(taken);
  });
});
