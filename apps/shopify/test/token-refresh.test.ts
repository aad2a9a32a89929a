/**
 * Expiring offline tokens (contract §6): refreshed before their stored expiry and once after a
 * 401, one refresh per shop at a time, stored sealed, never logged; a refresh token Shopify
 * refuses flags the shop for re-authorisation instead of being tried again and again.
 * msw plays Shopify's token endpoint (rotating refresh tokens) and the Payments Apps API.
 */
import { randomBytes } from "node:crypto";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { listOpenAlerts, type Database } from "@pe-pay/engine";
import { forEachDatabase, testKeyring } from "../../../packages/engine/test/support/databases";
import { SHOPIFY_API_VERSION } from "../src/config/api-version";
import { createPaymentsAppsClient, type PaymentsAppsClient } from "../src/graphql/client";
import { createAccessTokenRefresher } from "../src/oauth/token-refresh";
import type { Logger } from "../src/ports";
import { DbShopStore, REAUTHORIZATION_ALERT } from "../src/storage/shop-store";
import { startShopifyServer } from "../src/wiring/server";
import { silentLogger as quietEngineLogger } from "./app-harness";
import { SECRET, testRuntimeConfig } from "./helpers";

const SCOPE = "write_payment_gateways,write_payment_sessions";
const HOUR_S = 3600;

/** Shopify's side: rotating refresh tokens, and the tokens the API accepts. */
const fake = {
  refreshCalls: [] as Array<Record<string, string>>,
  graphqlTokens: [] as string[],
  /** Refresh tokens Shopify accepts; a used one stays valid until its replacement is used. */
  refreshable: new Set<string>(),
  previous: new Map<string, string>(),
  accepted: new Set<string>(),
  refuseEveryToken: false,
  tokenEndpoint: "up" as "up" | "down",
  issued: [] as string[],
  /** Released by a test to let refreshes answer (keeps concurrent callers in flight). */
  hold: null as Promise<void> | null,
};

function resetFake() {
  fake.refreshCalls = [];
  fake.graphqlTokens = [];
  fake.refreshable.clear();
  fake.previous.clear();
  fake.accepted.clear();
  fake.refuseEveryToken = false;
  fake.tokenEndpoint = "up";
  fake.hold = null;
}

const shopify = setupServer(
  http.post("https://:shop/admin/oauth/access_token", async ({ request }) => {
    const body = (await request.json()) as Record<string, string>;
    fake.refreshCalls.push(body);
    if (fake.hold) await fake.hold;
    if (fake.tokenEndpoint === "down") return new HttpResponse(null, { status: 503 });
    const presented = body.refresh_token ?? "";
    if (
      body.grant_type !== "refresh_token" ||
      body.client_secret !== SECRET ||
      !fake.refreshable.has(presented)
    ) {
      return HttpResponse.json(
        { error: "invalid_grant", error_description: "refresh token is invalid" },
        { status: 400 },
      );
    }
    // Shopify keeps the refresh token just used valid until its replacement is used.
    const older = fake.previous.get(presented);
    if (older) fake.refreshable.delete(older);
    const accessToken = `shpat_refreshed_${randomBytes(6).toString("hex")}`;
    const refreshToken = `shprt_${randomBytes(6).toString("hex")}`;
    fake.refreshable.add(refreshToken);
    fake.previous.set(refreshToken, presented);
    fake.accepted.add(accessToken);
    fake.issued.push(accessToken, refreshToken);
    return HttpResponse.json({
      access_token: accessToken,
      scope: SCOPE,
      expires_in: HOUR_S,
      refresh_token: refreshToken,
      refresh_token_expires_in: 90 * 24 * HOUR_S,
    });
  }),
  http.post("https://:shop/payments_apps/api/:version/graphql.json", async ({ request }) => {
    const token = request.headers.get("x-shopify-access-token") ?? "";
    fake.graphqlTokens.push(token);
    if (fake.refuseEveryToken || !fake.accepted.has(token)) {
      return HttpResponse.json(
        { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" },
        { status: 401 },
      );
    }
    const body = (await request.json()) as { query: string; variables: Record<string, unknown> };
    if (body.query.includes("paymentsAppConfigure")) {
      return HttpResponse.json({
        data: {
          paymentsAppConfigure: {
            paymentsAppConfiguration: { externalHandle: "h", ready: true },
            userErrors: [],
          },
        },
      });
    }
    return HttpResponse.json({
      data: {
        paymentSessionResolve: {
          paymentSession: { id: body.variables.id, state: { code: "RESOLVED" } },
          userErrors: [],
        },
      },
    });
  }),
);

beforeAll(() => shopify.listen({ onUnhandledRequest: "bypass" }));
afterAll(() => shopify.close());
beforeEach(resetFake);

/** Every line the code under test logs, as text, to prove no token or secret is in it. */
function capturingLogger(): Logger & { text: () => string } {
  const lines: string[] = [];
  const put = (obj: object, msg?: string) => lines.push(JSON.stringify({ ...obj, msg }));
  return { info: put, warn: put, error: put, text: () => lines.join("\n") };
}

function expectNothingSecretIn(text: string) {
  for (const secret of [SECRET, ...fake.issued]) expect(text).not.toContain(secret);
}

const config = {
  apiOrigin: "https://{shop}",
  apiKey: "test-client-id",
  apiSecret: SECRET,
};

const GID = "gid://shopify/PaymentSession/tok-refresh-1";

forEachDatabase("expiring offline tokens", (t) => {
  let clock: { offsetMs: number; now: () => Date };
  let shops: DbShopStore;
  let logger: ReturnType<typeof capturingLogger>;

  function client(store: DbShopStore = shops): PaymentsAppsClient {
    const refresher = createAccessTokenRefresher({ store, config, clock, logger });
    return createPaymentsAppsClient({
      apiOrigin: config.apiOrigin,
      apiVersion: SHOPIFY_API_VERSION,
      accessTokenProvider: refresher.provider,
      sleep: async () => {},
      maxAttempts: 2,
      logger,
    });
  }

  /** An installed shop whose token has `expiresInSeconds` left; Shopify knows both tokens. */
  async function install(expiresInSeconds: number, db: Database = t().db) {
    const shopDomain = `refresh-${randomBytes(4).toString("hex")}.myshopify.com`;
    const accessToken = `shpat_install_${randomBytes(6).toString("hex")}`;
    const refreshToken = `shprt_install_${randomBytes(6).toString("hex")}`;
    fake.issued.push(accessToken, refreshToken);
    fake.accepted.add(accessToken);
    fake.refreshable.add(refreshToken);
    const store = new DbShopStore(db, testKeyring(), clock);
    const { tenantId } = await store.upsertShopifyTenant({
      shopDomain,
      accessToken,
      scope: SCOPE,
      refreshToken,
      expiresInSeconds,
    });
    return { shopDomain, accessToken, refreshToken, tenantId, creds: { shopDomain, accessToken } };
  }

  beforeEach(() => {
    const c = { offsetMs: 0, now: () => new Date(Date.UTC(2026, 2, 14, 15) + c.offsetMs) };
    clock = c;
    logger = capturingLogger();
    shops = new DbShopStore(t().db, testKeyring(), clock);
  });
  afterEach(() => expectNothingSecretIn(logger.text()));

  it("refreshes a token about to expire before the call, and stores the new pair sealed", async () => {
    const shop = await install(120); // inside the 5-minute margin
    const result = await client().paymentSessionResolve(shop.creds, { id: GID });

    expect(result.ok).toBe(true);
    expect(fake.refreshCalls).toEqual([
      {
        client_id: "test-client-id",
        client_secret: SECRET,
        grant_type: "refresh_token",
        refresh_token: shop.refreshToken,
      },
    ]);
    const newToken = fake.graphqlTokens[0]!;
    expect(fake.graphqlTokens).toEqual([newToken]);
    expect(newToken).toMatch(/^shpat_refreshed_/);
    expect(await shops.accessToken(shop.tenantId)).toBe(newToken);
    const newRefresh = await shops.refreshToken(shop.tenantId);
    expect(newRefresh).toMatch(/^shprt_/);
    expect(newRefresh).not.toBe(shop.refreshToken);
    expect((await shops.getShop(shop.shopDomain))!.accessTokenExpiresAt).toEqual(
      new Date(clock.now().getTime() + HOUR_S * 1000),
    );

    // Encrypted at rest: neither token appears in the stored rows.
    const rows = await t().db.query(
      `SELECT t.*, s.* FROM tenants t JOIN shopify_shops s ON s.tenant_id = t.id WHERE t.id = $1`,
      [shop.tenantId],
    );
    const stored = Object.values(rows.rows[0]!)
      .map((v) => (Buffer.isBuffer(v) ? v.toString("latin1") : JSON.stringify(v)))
      .join("|");
    expect(stored).not.toContain(newToken);
    expect(stored).not.toContain(newRefresh!);
  });

  it("a token with time left is sent as is, without a refresh", async () => {
    const shop = await install(HOUR_S);
    const c = client();
    expect((await c.paymentSessionResolve(shop.creds, { id: GID })).ok).toBe(true);
    clock.offsetMs = 50 * 60_000; // 10 minutes left
    expect((await c.paymentSessionResolve(shop.creds, { id: GID })).ok).toBe(true);
    expect(fake.refreshCalls).toEqual([]);
    expect(fake.graphqlTokens).toEqual([shop.accessToken, shop.accessToken]);

    clock.offsetMs = 56 * 60_000; // 4 minutes left: now it is due
    expect((await c.paymentSessionResolve(shop.creds, { id: GID })).ok).toBe(true);
    expect(fake.refreshCalls).toHaveLength(1);
  });

  it("concurrent calls for one shop share a single refresh", async () => {
    const shop = await install(30);
    let release = () => {};
    fake.hold = new Promise<void>((r) => (release = r));
    const c = client();
    const calls = Array.from({ length: 5 }, () => c.paymentSessionResolve(shop.creds, { id: GID }));
    // Let every caller reach the provider while the one refresh is held open.
    await new Promise((r) => setTimeout(r, 50));
    release();
    const results = await Promise.all(calls);

    expect(results.every((r) => r.ok)).toBe(true);
    expect(fake.refreshCalls).toHaveLength(1);
    const stored = await shops.accessToken(shop.tenantId);
    expect(fake.graphqlTokens).toEqual(Array(5).fill(stored));
  });

  it("a 401 before the recorded expiry: one refresh, one retry with the new token", async () => {
    const shop = await install(HOUR_S);
    fake.accepted.delete(shop.accessToken); // revoked early
    const result = await client().paymentSessionResolve(shop.creds, { id: GID });

    expect(result.ok).toBe(true);
    expect(fake.refreshCalls).toHaveLength(1);
    const stored = await shops.accessToken(shop.tenantId);
    expect(fake.graphqlTokens).toEqual([shop.accessToken, stored]);
  });

  it("a 401 on the refreshed token too: the call fails after one refresh, no loop", async () => {
    const shop = await install(HOUR_S);
    fake.refuseEveryToken = true;
    const result = await client().paymentSessionResolve(shop.creds, { id: GID });

    expect(result).toMatchObject({ ok: false, kind: "permanent", httpStatus: 401 });
    expect(fake.refreshCalls).toHaveLength(1);
    expect(fake.graphqlTokens).toHaveLength(2);
  });

  it("a refused refresh token flags the shop for re-authorisation; nothing is tried again until it reinstalls", async () => {
    const shop = await install(60);
    fake.refreshable.clear(); // revoked at Shopify
    const c = client();
    const first = await c.paymentSessionResolve(shop.creds, { id: GID });

    // Retryable, so the outbox keeps the callback for after the reinstall.
    expect(first).toMatchObject({ ok: false, kind: "transient" });
    expect((first as { message: string }).message).toMatch(/re-authorise/);
    expect(fake.refreshCalls).toHaveLength(1);
    expect(fake.graphqlTokens).toEqual([]); // an expired token is not sent
    const flagged = await shops.getShop(shop.shopDomain);
    expect(flagged!.reauthorizationRequiredAt).toEqual(clock.now());
    expect(await shops.refreshToken(shop.tenantId)).toBeNull();
    const alerts = await listOpenAlerts(t().db, shop.tenantId);
    expect(alerts.map((a) => a.kind)).toEqual([REAUTHORIZATION_ALERT]);

    // Neither this process nor a fresh one (restart, other instance) asks Shopify again.
    expect((await c.paymentSessionResolve(shop.creds, { id: GID })).ok).toBe(false);
    expect((await client().paymentSessionResolve(shop.creds, { id: GID })).ok).toBe(false);
    clock.offsetMs = 2 * HOUR_S * 1000;
    expect((await c.paymentSessionResolve(shop.creds, { id: GID })).ok).toBe(false);
    expect(fake.refreshCalls).toHaveLength(1);
    expect(fake.graphqlTokens).toEqual([]);

    // The merchant opens the app again: OAuth stores a new pair, the flag and alert go away.
    const again = {
      accessToken: `shpat_reinstall_${randomBytes(6).toString("hex")}`,
      refreshToken: `shprt_reinstall_${randomBytes(6).toString("hex")}`,
    };
    fake.issued.push(again.accessToken, again.refreshToken);
    fake.accepted.add(again.accessToken);
    await shops.upsertShopifyTenant({
      shopDomain: shop.shopDomain,
      scope: SCOPE,
      expiresInSeconds: HOUR_S,
      ...again,
    });
    expect((await shops.getShop(shop.shopDomain))!.reauthorizationRequiredAt).toBeNull();
    expect(await listOpenAlerts(t().db, shop.tenantId)).toEqual([]);
    const after = await c.paymentSessionResolve(
      { shopDomain: shop.shopDomain, accessToken: again.accessToken },
      { id: GID },
    );
    expect(after.ok).toBe(true);
    expect(fake.graphqlTokens).toEqual([again.accessToken]);
  });

  it("Shopify's token endpoint down: the call is retried later, the shop is not flagged", async () => {
    const shop = await install(60);
    fake.tokenEndpoint = "down";
    const c = client();
    expect(await c.paymentSessionResolve(shop.creds, { id: GID })).toMatchObject({
      ok: false,
      kind: "transient",
    });
    expect((await shops.getShop(shop.shopDomain))!.reauthorizationRequiredAt).toBeNull();
    expect(await shops.refreshToken(shop.tenantId)).toBe(shop.refreshToken);

    fake.tokenEndpoint = "up";
    expect((await c.paymentSessionResolve(shop.creds, { id: GID })).ok).toBe(true);
    expect(fake.refreshCalls).toHaveLength(2);
  });

  it("two processes refreshing at once keep one token pair, and both use it", async () => {
    const shop = await install(60);
    const other = new DbShopStore(await t().connect(), testKeyring(), clock);
    let release = () => {};
    fake.hold = new Promise<void>((r) => (release = r));
    const calls = [client(shops), client(other)].map((c) =>
      c.paymentSessionResolve(shop.creds, { id: GID }),
    );
    await new Promise((r) => setTimeout(r, 50));
    release();
    const results = await Promise.all(calls);

    expect(results.every((r) => r.ok)).toBe(true);
    expect(fake.refreshCalls).toHaveLength(2);
    const stored = await shops.accessToken(shop.tenantId);
    expect(fake.graphqlTokens).toEqual([stored, stored]);
    // The stored refresh token is the one issued with the stored access token: it still works.
    expect(fake.refreshable.has((await shops.refreshToken(shop.tenantId))!)).toBe(true);
  });

  it("the server wiring gives its GraphQL client the refresher", async () => {
    const app = await startShopifyServer({
      config: testRuntimeConfig(),
      db: t().db,
      keyring: testKeyring(),
      clock,
      logger: quietEngineLogger(),
      schedulers: false,
      graphql: { sleep: async () => {} },
    });
    try {
      const shop = await install(60);
      const result = await app.shopify.graphql.paymentsAppConfigure(shop.creds, {
        externalHandle: "h",
        ready: true,
      });
      expect(result.ok).toBe(true);
      expect(fake.refreshCalls).toHaveLength(1);
      expect(fake.graphqlTokens).toEqual([await app.shops.accessToken(shop.tenantId)]);
    } finally {
      await app.close();
    }
  });
});
