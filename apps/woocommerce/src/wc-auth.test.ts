import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fixedClock, isAppError, ValidationError } from "@pe-pay/core";
import { loadConfig } from "./config";
import { createWooBridgeApp } from "./http/app";
import { InMemoryPendingAuthorizations, InMemoryReplayGuard, InMemoryTenantStore } from "./memory";
import { buildAuthorizeUrl, createWcAuthFlow, isAcceptableCallbackUrl } from "./wc-auth";
import type { BridgeEngine, OrderVoucherLookup } from "./ports";

const base = {
  storeUrl: "http://127.0.0.1:4020/woo",
  appName: "PagoEfectivo",
  state: "s1",
  returnUrl: "http://127.0.0.1:4040/wc-auth/v1/return",
};

describe("callback URL rule", () => {
  test("https is always accepted; http only on loopback and only when allowed", () => {
    expect(isAcceptableCallbackUrl("https://bridge.example.pe/cb")).toBe(true);
    expect(isAcceptableCallbackUrl("http://127.0.0.1:4040/cb")).toBe(false);
    expect(isAcceptableCallbackUrl("http://127.0.0.1:4040/cb", true)).toBe(true);
    expect(isAcceptableCallbackUrl("http://localhost:4040/cb", true)).toBe(true);
    expect(isAcceptableCallbackUrl("http://[::1]:4040/cb", true)).toBe(true);
    expect(isAcceptableCallbackUrl("http://bridge.example.pe/cb", true)).toBe(false);
    expect(isAcceptableCallbackUrl("http://127.0.0.1.example.pe/cb", true)).toBe(false);
    expect(isAcceptableCallbackUrl("ftp://127.0.0.1/cb", true)).toBe(false);
    expect(isAcceptableCallbackUrl("not a url", true)).toBe(false);
  });

  test("buildAuthorizeUrl refuses an http callback with a 4xx ValidationError naming the fix", () => {
    let error: unknown;
    try {
      buildAuthorizeUrl({ ...base, callbackUrl: "http://127.0.0.1:4040/wc-auth/v1/callback" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(isAppError(error) && error.httpStatus).toBe(400);
    expect((error as ValidationError).issues[0]).toMatchObject({
      field: "callback_url",
      code: "insecure_callback",
    });
    expect((error as Error).message).toContain("WC_AUTH_ALLOW_HTTP_LOOPBACK");
  });

  test("with the local flag, the loopback http callback goes through unchanged", () => {
    const url = new URL(
      buildAuthorizeUrl({
        ...base,
        callbackUrl: "http://127.0.0.1:4040/wc-auth/v1/callback",
        allowHttpLoopback: true,
      }),
    );
    expect(url.searchParams.get("callback_url")).toBe("http://127.0.0.1:4040/wc-auth/v1/callback");
  });
});

describe("GET /wc-auth/v1/start on an http bridge", () => {
  let server: Server;
  let url: string;
  const pending = new InMemoryPendingAuthorizations();
  const flows = {
    strict: createWcAuthFlow({
      publicUrl: "http://127.0.0.1:4040",
      appName: "PagoEfectivo",
      stateTtlSeconds: 600,
      pending,
      tenants: new InMemoryTenantStore(Buffer.alloc(32, 1)),
      wooClientFor: () => {
        throw new Error("not reached");
      },
      clock: fixedClock(new Date("2026-01-10T15:00:00Z")),
    }),
  };
  let current = flows.strict;

  beforeAll(async () => {
    const clock = fixedClock(new Date("2026-01-10T15:00:00Z"));
    const app = createWooBridgeApp({
      engine: {} as BridgeEngine,
      vouchers: {} as OrderVoucherLookup,
      tenants: new InMemoryTenantStore(Buffer.alloc(32, 1)),
      replayGuard: new InMemoryReplayGuard(clock),
      // The route reads the flow at request time, so one server serves both variants.
      wcAuth: {
        start: (input) => current.start(input),
        callback: (b) => current.callback(b),
        returnRedirect: (q) => current.returnRedirect(q),
        claim: (c) => current.claim(c),
      },
      clock,
      voucherPageUrl: (t) => `http://127.0.0.1:4040/voucher/${t}`,
    });
    server = createServer(app);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const start = () =>
    fetch(
      `${url}/wc-auth/v1/start?store_url=${encodeURIComponent("http://127.0.0.1:4020/woo")}&return_url=${encodeURIComponent("http://127.0.0.1:4020/woo/wp-admin/admin-post.php?action=pagoefectivo_connected")}`,
      { redirect: "manual" },
    );

  test("without the flag: 400 with a readable reason, no pending authorization left", async () => {
    current = flows.strict;
    const create = jest.spyOn(pending, "create");
    const res = await start();
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; issues: Array<{ code: string }> };
    expect(body.code).toBe("validation_error");
    expect(body.issues[0]!.code).toBe("insecure_callback");
    expect(JSON.stringify(body)).toContain("https");
    expect(create).not.toHaveBeenCalled();
    create.mockRestore();
  });

  test("with the flag: 302 to the store's authorize screen", async () => {
    current = createWcAuthFlow({
      publicUrl: "http://127.0.0.1:4040",
      appName: "PagoEfectivo",
      stateTtlSeconds: 600,
      allowHttpLoopback: true,
      pending,
      tenants: new InMemoryTenantStore(Buffer.alloc(32, 1)),
      wooClientFor: () => {
        throw new Error("not reached");
      },
      clock: fixedClock(new Date("2026-01-10T15:00:00Z")),
    });
    const res = await start();
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(
      /^http:\/\/127\.0\.0\.1:4020\/woo\/wc-auth\/v1\/authorize\?/,
    );
  });
});

test("WC_AUTH_ALLOW_HTTP_LOOPBACK: off by default, on with 1, refused in production", () => {
  expect(loadConfig({}).allowHttpLoopbackCallback).toBe(false);
  expect(loadConfig({ WC_AUTH_ALLOW_HTTP_LOOPBACK: "1" }).allowHttpLoopbackCallback).toBe(true);
  expect(() =>
    loadConfig({
      NODE_ENV: "production",
      PUBLIC_URL: "https://bridge.example.pe",
      WC_AUTH_ALLOW_HTTP_LOOPBACK: "1",
    }),
  ).toThrow(ValidationError);
});
