import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import { createShopifyApp } from "../src/app";
import { createMtlsServer, trustedProxyGuard } from "../src/mtls";
import {
  FakeCompliance,
  FakeEngine,
  FakeTenants,
  close,
  fixture,
  listen,
  testConfig,
} from "./helpers";
import { makeCa, type Pem } from "./tls-certs";

const headers = fixture<Record<string, string>>("session-request.headers.json");
const body = JSON.stringify(fixture("payment-session.request.json"));

// Shopify's (stand-in) Payments Platform CA, a stranger CA, and a server CA for our own cert.
const shopifyCa = makeCa("Test Shopify Payments Platform CA");
const otherCa = makeCa("Some Other CA");
const serverCa = makeCa("Test Server CA");
const serverPem = serverCa.issue("127.0.0.1", "127.0.0.1");
const goodClient = shopifyCa.issue("payments.shopify.test");
const strangerClient = otherCa.issue("payments.shopify.test");

let dir: string;
let engine: FakeEngine;
let mtls: ReturnType<typeof createMtlsServer>;
let port: number;

function request(client?: Pem): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/shopify/payment-session",
        headers,
        ca: serverCa.pem.cert,
        agent: false, // no pooled connection or TLS session reuse across CA rotations
        ...(client ? { cert: client.cert, key: client.key } : {}),
      },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pe-mtls-"));
  writeFileSync(join(dir, "ca.pem"), shopifyCa.pem.cert);
  writeFileSync(join(dir, "server.pem"), serverPem.cert);
  writeFileSync(join(dir, "server.key"), serverPem.key);
  engine = new FakeEngine();
  const config = testConfig({
    MTLS_MODE: "direct",
    MTLS_CA_FILE: join(dir, "ca.pem"),
    MTLS_SERVER_CERT_FILE: join(dir, "server.pem"),
    MTLS_SERVER_KEY_FILE: join(dir, "server.key"),
  });
  const { sessionApp } = createShopifyApp({
    config,
    engine: engine.useCases,
    tenants: new FakeTenants(),
    compliance: new FakeCompliance(),
  });
  if (config.mtls.mode !== "direct") throw new Error("expected direct mode");
  mtls = createMtlsServer(sessionApp, config.mtls);
  await new Promise<void>((r) => mtls.server.listen(0, "127.0.0.1", () => r()));
  port = (mtls.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => mtls.server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  engine.calls = [];
  engine.vouchers.clear();
});

describe("direct mTLS", () => {
  test("a client certificate from the configured CA is accepted", async () => {
    const res = await request(goodClient);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).redirect_url).toMatch(/\/voucher\//);
    expect(engine.calls).toHaveLength(1);
  });

  test("no client certificate: refused in the handshake, the engine never sees it", async () => {
    await expect(request()).rejects.toThrow();
    expect(engine.calls).toEqual([]);
  });

  test("a certificate from another CA: refused in the handshake", async () => {
    await expect(request(strangerClient)).rejects.toThrow();
    expect(engine.calls).toEqual([]);
  });

  test("CA rotation: reload() trusts the new bundle without a restart", async () => {
    writeFileSync(join(dir, "ca.pem"), otherCa.pem.cert);
    mtls.reload();
    await expect(request(goodClient)).rejects.toThrow();
    expect((await request(strangerClient)).status).toBe(200);
    // Rotations overlap: a bundle with both chains accepts both.
    writeFileSync(join(dir, "ca.pem"), shopifyCa.pem.cert + otherCa.pem.cert);
    mtls.reload();
    expect((await request(goodClient)).status).toBe(200);
    expect((await request(strangerClient)).status).toBe(200);
  });
});

describe("trusted proxy mode", () => {
  test("only the proxy's address with its verification header gets through, before body parsing", async () => {
    let bodyParsed = 0;
    const make = (addresses: string[]) => {
      const app = express();
      app.post(
        "/s",
        trustedProxyGuard({
          proxyAddresses: addresses,
          header: "X-Client-Cert-Verified",
          headerValue: "SUCCESS",
        }),
        express.json(),
        (_req, res) => {
          bodyParsed++;
          res.json({ ok: true });
        },
      );
      return app;
    };
    const trusted = await listen(make(["127.0.0.1"]));
    const untrusted = await listen(make(["10.0.0.7"]));
    const post = (url: string, h: Record<string, string>) =>
      fetch(`${url}/s`, {
        method: "POST",
        headers: { "content-type": "application/json", ...h },
        body: "{}",
      });
    try {
      expect((await post(trusted.url, { "x-client-cert-verified": "SUCCESS" })).status).toBe(200);
      expect((await post(trusted.url, {})).status).toBe(403);
      expect(
        (await post(trusted.url, { "x-client-cert-verified": "FAILED:unknown CA" })).status,
      ).toBe(403);
      // The header alone is not enough from an address that is not the proxy.
      expect((await post(untrusted.url, { "x-client-cert-verified": "SUCCESS" })).status).toBe(403);
      expect(bodyParsed).toBe(1);
    } finally {
      await close(trusted.server);
      await close(untrusted.server);
    }
  });

  test("createShopifyApp in proxy mode guards the session routes but not OAuth/webhooks", async () => {
    const engine2 = new FakeEngine();
    const { app } = createShopifyApp({
      config: testConfig({ MTLS_MODE: "proxy", TRUSTED_PROXY_ADDRESSES: "10.1.2.3" }),
      engine: engine2.useCases,
      tenants: new FakeTenants(),
      compliance: new FakeCompliance(),
    });
    const { server, url } = await listen(app);
    try {
      const res = await fetch(`${url}/shopify/payment-session`, {
        method: "POST",
        headers: { ...headers, "x-client-cert-verified": "SUCCESS" },
        body,
      });
      expect(res.status).toBe(403);
      expect(engine2.calls).toEqual([]);
      // Public routes still answer (here: 400 for an unsigned install link, not 403).
      expect((await fetch(`${url}/auth?shop=x`)).status).toBe(400);
    } finally {
      await close(server);
    }
  });
});
