import { fixedClock } from "@pe-pay/core";
import type { Server } from "node:http";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { createShopifyApp } from "../src/app";
import { computeQueryHmac } from "../src/oauth/query-hmac";
import {
  FakeCompliance,
  FakeEngine,
  FakeTenants,
  SECRET,
  SHOP,
  close,
  listen,
  testConfig,
} from "./helpers";

const NOW = new Date("2026-03-14T15:00:00Z");
const TS = String(Math.floor(NOW.getTime() / 1000));

let tokenRequests: Array<Record<string, string>> = [];
let tokenReply: () => Response = () =>
  HttpResponse.json({
    access_token: "shpat_new_token",
    scope: "write_payment_gateways,write_payment_sessions",
  });

// Shopify's OAuth endpoint, reached through the configurable origin; local servers pass through.
const shopify = setupServer(
  http.post(`https://${SHOP}/admin/oauth/access_token`, async ({ request }) => {
    tokenRequests.push((await request.json()) as Record<string, string>);
    return tokenReply();
  }),
);

let server: Server;
let base: string;
let tenants: FakeTenants;

beforeAll(async () => {
  shopify.listen({ onUnhandledRequest: "bypass" });
  tenants = new FakeTenants();
  tenants.active.clear();
  const { publicApp } = createShopifyApp({
    config: testConfig(),
    engine: new FakeEngine().useCases,
    tenants,
    compliance: new FakeCompliance(),
    clock: fixedClock(NOW),
  });
  ({ server, url: base } = await listen(publicApp));
});
afterAll(async () => {
  shopify.close();
  await close(server);
});
beforeEach(() => {
  tokenRequests = [];
  tenants.upserts = [];
});

function signed(params: Record<string, string>): string {
  const hmac = computeQueryHmac(params, SECRET);
  return new URLSearchParams({ ...params, hmac }).toString();
}

async function startInstall(shop = SHOP) {
  const res = await fetch(`${base}/auth?${signed({ shop, timestamp: TS, host: "aG9zdA" })}`, {
    redirect: "manual",
  });
  return res;
}

describe("OAuth install", () => {
  test("install → authorize redirect with state cookie → callback exchanges the code and stores the token", async () => {
    const res = await startInstall();
    expect(res.status).toBe(302);
    const authorize = new URL(res.headers.get("location")!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(
      `https://${SHOP}/admin/oauth/authorize`,
    );
    expect(authorize.searchParams.get("client_id")).toBe("test-client-id");
    expect(authorize.searchParams.get("scope")).toBe(
      "write_payment_gateways,write_payment_sessions",
    );
    expect(authorize.searchParams.get("redirect_uri")).toBe(
      "https://pay.pe-pay.test/auth/callback",
    );
    expect(authorize.searchParams.has("grant_options[]")).toBe(false);
    const state = authorize.searchParams.get("state")!;
    const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
    expect(res.headers.get("set-cookie")).toMatch(/HttpOnly/i);

    const cb = await fetch(
      `${base}/auth/callback?${signed({ code: "auth-code-1", shop: SHOP, state, timestamp: TS, host: "aG9zdA" })}`,
      { redirect: "manual", headers: { cookie } },
    );
    expect(cb.status).toBe(302);
    expect(cb.headers.get("location")).toBe(`https://pay.pe-pay.test/settings?shop=${SHOP}`);
    expect(tokenRequests).toEqual([
      { client_id: "test-client-id", client_secret: SECRET, code: "auth-code-1" },
    ]);
    expect(tenants.upserts).toEqual([
      {
        shopDomain: SHOP,
        accessToken: "shpat_new_token",
        scope: "write_payment_gateways,write_payment_sessions",
      },
    ]);
  });

  test("an expiring offline token: its lifetime and refresh token are stored with it", async () => {
    const previous = tokenReply;
    tokenReply = () =>
      HttpResponse.json({
        access_token: "shpat_expiring",
        scope: "write_payment_gateways,write_payment_sessions",
        expires_in: 3600,
        refresh_token: "shprt_first",
        refresh_token_expires_in: 7776000,
      });
    try {
      const res = await startInstall();
      const state = new URL(res.headers.get("location")!).searchParams.get("state")!;
      const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
      const cb = await fetch(
        `${base}/auth/callback?${signed({ code: "c", shop: SHOP, state, timestamp: TS })}`,
        { redirect: "manual", headers: { cookie } },
      );
      expect(cb.status).toBe(302);
      expect(tenants.upserts).toEqual([
        {
          shopDomain: SHOP,
          accessToken: "shpat_expiring",
          scope: "write_payment_gateways,write_payment_sessions",
          refreshToken: "shprt_first",
          expiresInSeconds: 3600,
        },
      ]);
    } finally {
      tokenReply = previous;
    }
  });

  test.each([
    ["bad hmac", () => `shop=${SHOP}&timestamp=${TS}&hmac=${"0".repeat(64)}`],
    ["missing hmac", () => `shop=${SHOP}&timestamp=${TS}`],
    ["invalid shop", () => signed({ shop: "evil.example.com", timestamp: TS })],
    ["stale timestamp", () => signed({ shop: SHOP, timestamp: String(Number(TS) - 3600) })],
  ])("install with %s → 400", async (_n, query) => {
    const res = await fetch(`${base}/auth?${query()}`, { redirect: "manual" });
    expect(res.status).toBe(400);
  });

  test.each([
    ["no cookie", (_state: string, _cookie: string) => ({ state: "x", cookie: "" })],
    ["state differs from cookie", (_s: string, cookie: string) => ({ state: "forged", cookie })],
    [
      "cookie with forged signature",
      (state: string) => ({ state, cookie: `pe_shopify_oauth_state=${state}.AAAA` }),
    ],
  ])("callback with %s → 400, no token exchange, nothing stored", async (_n, tamper) => {
    const res = await startInstall();
    const state = new URL(res.headers.get("location")!).searchParams.get("state")!;
    const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
    const t = tamper(state, cookie);
    const cb = await fetch(
      `${base}/auth/callback?${signed({ code: "c", shop: SHOP, state: t.state, timestamp: TS })}`,
      { redirect: "manual", headers: t.cookie ? { cookie: t.cookie } : {} },
    );
    expect(cb.status).toBe(400);
    expect(tokenRequests).toEqual([]);
    expect(tenants.upserts).toEqual([]);
  });

  test("callback with a bad hmac → 400 even with a valid state", async () => {
    const res = await startInstall();
    const state = new URL(res.headers.get("location")!).searchParams.get("state")!;
    const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
    const q = new URLSearchParams(signed({ code: "c", shop: SHOP, state, timestamp: TS }));
    q.set("code", "swapped");
    const cb = await fetch(`${base}/auth/callback?${q}`, {
      redirect: "manual",
      headers: { cookie },
    });
    expect(cb.status).toBe(400);
    expect(tokenRequests).toEqual([]);
  });

  test("Shopify refusing the code → 4xx; Shopify down → 5xx; nothing stored", async () => {
    for (const [reply, status] of [
      [() => HttpResponse.json({ error: "invalid_request" }, { status: 400 }), 400],
      [() => new HttpResponse(null, { status: 502 }), 503],
    ] as const) {
      tokenReply = reply;
      const res = await startInstall();
      const state = new URL(res.headers.get("location")!).searchParams.get("state")!;
      const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
      const cb = await fetch(
        `${base}/auth/callback?${signed({ code: "c", shop: SHOP, state, timestamp: TS })}`,
        { redirect: "manual", headers: { cookie } },
      );
      expect(cb.status).toBe(status);
      expect(JSON.stringify(await cb.json())).not.toContain(SECRET);
    }
    expect(tenants.upserts).toEqual([]);
  });
});
