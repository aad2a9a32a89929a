/**
 * Direct mTLS through the real process wiring (startShopifyServer): the session endpoints listen
 * on their own TLS port and only a client certificate from the configured CA gets a payment
 * session stored; the CA bundle is swapped without a restart (SIGHUP or reloadTls). Throwaway
 * PKI made here; the engine talks to the PagoEfectivo sandbox; both databases.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { forEachDatabase } from "../../../packages/engine/test/support/databases";
import {
  eventually,
  paymentSessionBody,
  postJson,
  sessionHeaders,
  startAppHarness,
  type AppHarness,
} from "./app-harness";
import { makeCa, type Pem } from "./tls-certs";

const shopifyCa = makeCa("Test Shopify Payments Platform CA");
const rotatedCa = makeCa("Test Shopify Payments Platform CA 2026");
const strangerCa = makeCa("Some Other CA");
const serverCa = makeCa("Test Server CA");
const serverPem = serverCa.issue("127.0.0.1", "127.0.0.1");
const shopifyClient = shopifyCa.issue("payments.shopify.test");
const rotatedClient = rotatedCa.issue("payments.shopify.test");
const strangerClient = strangerCa.issue("payments.shopify.test");

type Outcome = { status: number; json: { redirect_url?: string } | null } | { refused: string };

forEachDatabase("direct mTLS on the real server", (t) => {
  let dir: string;
  let h: AppHarness;
  let shop: string;
  let tenantId: string;
  const caFile = () => join(dir, "shopify-ca.pem");

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pe-mtls-server-"));
    writeFileSync(caFile(), shopifyCa.pem.cert);
    writeFileSync(join(dir, "server.pem"), serverPem.cert);
    writeFileSync(join(dir, "server.key"), serverPem.key);
    h = await startAppHarness(t().db, {
      MTLS_MODE: "direct",
      MTLS_CA_FILE: caFile(),
      MTLS_SERVER_CERT_FILE: join(dir, "server.pem"),
      MTLS_SERVER_KEY_FILE: join(dir, "server.key"),
      MTLS_PORT: "0",
    });
    ({ shop, tenantId } = await h.install());
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** POSTs a payment session over TLS; a refused handshake is an outcome, not a throw. */
  function post(body: object, client?: Pem): Promise<Outcome> {
    const url = new URL(`${h.app.mtlsUrl!}/shopify/payment-session`);
    return new Promise((resolve) => {
      const req = https.request(
        {
          host: url.hostname,
          port: url.port,
          method: "POST",
          path: url.pathname,
          headers: sessionHeaders(shop),
          ca: serverCa.pem.cert,
          agent: false, // a new handshake every time: no session reuse across CA swaps
          ...(client ? { cert: client.cert, key: client.key } : {}),
        },
        (res) => {
          let text = "";
          res.on("data", (c) => (text += c));
          res.on("end", () => {
            let json = null;
            try {
              json = JSON.parse(text);
            } catch {
              json = null;
            }
            resolve({ status: res.statusCode ?? 0, json });
          });
        },
      );
      req.on("error", (err) => resolve({ refused: err.message }));
      req.end(JSON.stringify(body));
    });
  }

  const stored = async (sessionId: string) =>
    h.app.engine.getVoucherByIdempotencyKey(tenantId, sessionId);
  const voucherCount = async () =>
    Number((await t().db.query("SELECT count(*) AS n FROM vouchers")).rows[0]!.n);

  function accepted(o: Outcome) {
    return "status" in o && o.status === 200 && typeof o.json?.redirect_url === "string";
  }
  /** Refused in the handshake, or answered 4xx: either way, never served. */
  function refused(o: Outcome) {
    return "refused" in o || (o.status >= 400 && o.status < 500);
  }

  it("a client certificate from the configured CA: the session is accepted and stored", async () => {
    expect(h.app.mtlsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const body = paymentSessionBody();
    const outcome = await post(body, shopifyClient);
    expect(accepted(outcome)).toBe(true);
    const voucher = await stored(body.id);
    expect(voucher?.cip).toMatch(/^\d+$/);
    expect((outcome as { json: { redirect_url: string } }).json.redirect_url).toBe(
      `https://pay.pe-pay.test/voucher/${voucher!.publicToken}`,
    );
  });

  it("no certificate, or one from another CA: refused, nothing stored", async () => {
    const before = await voucherCount();
    for (const client of [undefined, strangerClient]) {
      const body = paymentSessionBody();
      expect(refused(await post(body, client))).toBe(true);
      expect(await stored(body.id)).toBeNull();
    }
    // The plain-HTTP listener does not serve the session endpoints at all in direct mode.
    const body = paymentSessionBody();
    const plain = await postJson(
      `${h.app.url}/shopify/payment-session`,
      body,
      sessionHeaders(shop),
    );
    expect(plain.status).toBe(404);
    expect(await voucherCount()).toBe(before);
  });

  it("CA rotation without a restart: SIGHUP trusts the new bundle and drops the old", async () => {
    writeFileSync(caFile(), rotatedCa.pem.cert);
    // Nothing changes until the reload is asked for.
    expect(refused(await post(paymentSessionBody(), rotatedClient))).toBe(true);

    // Jest gives each test file a copy of `process` that installs no OS signal handlers, so the
    // signal is emitted on it here; the real signal is sent to a real process further down.
    process.emit("SIGHUP", "SIGHUP");
    const body = paymentSessionBody();
    await eventually(async () => accepted(await post(body, rotatedClient)));
    expect(await stored(body.id)).not.toBeNull();

    const old = paymentSessionBody();
    expect(refused(await post(old, shopifyClient))).toBe(true);
    expect(await stored(old.id)).toBeNull();
  });

  it("reloadTls: an overlapping bundle trusts both chains; a broken file keeps the last good one", async () => {
    writeFileSync(caFile(), shopifyCa.pem.cert + rotatedCa.pem.cert);
    h.app.reloadTls();
    expect(accepted(await post(paymentSessionBody(), shopifyClient))).toBe(true);
    expect(accepted(await post(paymentSessionBody(), rotatedClient))).toBe(true);

    // A half-written or garbled bundle would otherwise make Node trust nothing at all.
    for (const broken of ["", "not a certificate", shopifyCa.pem.cert.slice(0, 200)]) {
      writeFileSync(caFile(), broken);
      expect(() => h.app.reloadTls()).toThrow(/MTLS_CA_FILE/);
      process.emit("SIGHUP", "SIGHUP"); // logged, and the process carries on
      expect(accepted(await post(paymentSessionBody(), shopifyClient))).toBe(true);
      expect(accepted(await post(paymentSessionBody(), rotatedClient))).toBe(true);
    }
    expect(refused(await post(paymentSessionBody(), strangerClient))).toBe(true);
  });
});

describe("the app process (src/main.ts) in direct mTLS mode", () => {
  it("reloads the CA bundle on a real SIGHUP, without a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pe-mtls-process-"));
    const ca = join(dir, "ca.pem");
    writeFileSync(ca, shopifyCa.pem.cert);
    writeFileSync(join(dir, "server.pem"), serverPem.cert);
    writeFileSync(join(dir, "server.key"), serverPem.key);
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(__dirname, "..", "src", "main.ts")],
      {
        cwd: join(__dirname, ".."),
        env: {
          PATH: process.env.PATH,
          SHOPIFY_API_KEY: "test-client-id",
          SHOPIFY_API_SECRET: "test-app-secret-do-not-use",
          APP_URL: "https://pay.pe-pay.test",
          MTLS_MODE: "direct",
          MTLS_CA_FILE: ca,
          MTLS_SERVER_CERT_FILE: join(dir, "server.pem"),
          MTLS_SERVER_KEY_FILE: join(dir, "server.key"),
          HOST: "127.0.0.1",
          PORT: "0",
          MTLS_PORT: "0",
          DATA_DIR: dir,
          LOG_LEVEL: "info",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    try {
      const mtlsUrl = await eventually(async () => {
        if (child.exitCode !== null) throw new Error(`app exited: ${out}`);
        return /"mtlsUrl":"(https:[^"]+)"/.exec(out)?.[1];
      }, 60_000);
      const url = new URL(`${mtlsUrl}/shopify/payment-session`);
      // Any HTTP answer means the handshake passed (the shop is not installed there: 404).
      const handshake = (client: Pem) =>
        new Promise<"served" | "refused">((resolve) => {
          const req = https.request(
            {
              host: url.hostname,
              port: url.port,
              method: "POST",
              path: url.pathname,
              ca: serverCa.pem.cert,
              agent: false,
              cert: client.cert,
              key: client.key,
              headers: sessionHeaders("not-installed.myshopify.com"),
            },
            (res) => {
              res.resume();
              res.on("end", () => resolve("served"));
            },
          );
          req.on("error", () => resolve("refused"));
          req.end(JSON.stringify(paymentSessionBody()));
        });

      expect(await handshake(shopifyClient)).toBe("served");
      expect(await handshake(rotatedClient)).toBe("refused");
      writeFileSync(ca, rotatedCa.pem.cert);
      child.kill("SIGHUP");
      await eventually(async () => (await handshake(rotatedClient)) === "served", 20_000);
      expect(await handshake(shopifyClient)).toBe("refused");
      expect(out).toContain("mTLS CA bundle and server certificate reloaded");
      expect(child.exitCode).toBeNull(); // still the same process
    } finally {
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
