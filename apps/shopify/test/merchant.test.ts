/**
 * Install → merchant UI session → settings (live credential check, paymentsAppConfigure,
 * redirect to Shopify's gateway settings) → dashboard; storage details (sealed tokens, refresh
 * tokens, durable webhook dedupe). Both databases.
 */
import { randomBytes } from "node:crypto";
import { DEMO_MERCHANT } from "../../sandbox/src/index";
import { forEachDatabase } from "../../../packages/engine/test/support/databases";
import { computeQueryHmac } from "../src/oauth/query-hmac";
import { WEBHOOK_PATHS } from "../src/webhooks/routes";
import {
  fakeShopify,
  paymentSessionBody,
  postJson,
  postWebhook,
  sessionHeaders,
  startAppHarness,
  type AppHarness,
} from "./app-harness";
import { SECRET } from "./helpers";

const shopify = fakeShopify();
beforeAll(() => shopify.server.listen({ onUnhandledRequest: "bypass" }));
afterAll(() => shopify.server.close());

function signed(params: Record<string, string>): string {
  return new URLSearchParams({ ...params, hmac: computeQueryHmac(params, SECRET) }).toString();
}

function cookiesOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

forEachDatabase("shopify merchant UI and storage", (t) => {
  let h: AppHarness;
  const shop = `ui-${randomBytes(4).toString("hex")}.myshopify.com`;
  let session = "";

  beforeAll(async () => {
    h = await startAppHarness(t().db);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });
  const url = (p: string) => `${h.app.url}${p}`;

  async function csrfFrom(path: string): Promise<string> {
    const html = await (await fetch(url(path), { headers: { cookie: session } })).text();
    return /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
  }

  async function postForm(path: string, fields: Record<string, string | string[]>) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) {
      for (const one of ([] as string[]).concat(v)) body.append(k, one);
    }
    return fetch(url(path), {
      method: "POST",
      redirect: "manual",
      headers: { cookie: session, "content-type": "application/x-www-form-urlencoded" },
      body,
    });
  }

  it("OAuth install stores the token sealed and opens a merchant session", async () => {
    const ts = String(Math.floor(Date.now() / 1000));
    const start = await fetch(url(`/auth?${signed({ shop, timestamp: ts })}`), {
      redirect: "manual",
    });
    expect(start.status).toBe(302);
    const state = new URL(start.headers.get("location")!).searchParams.get("state")!;
    const back = await fetch(
      url(`/auth/callback?${signed({ shop, timestamp: ts, code: "good-code", state })}`),
      { redirect: "manual", headers: { cookie: cookiesOf(start) } },
    );
    expect(back.status).toBe(302);
    expect(back.headers.get("location")).toContain("/settings");
    session = cookiesOf(back);
    expect(session).toMatch(/pe_shopify_merchant=/);

    const found = (await h.app.shops.getShop(shop))!;
    const token = (await h.app.shops.accessToken(found.tenant.id))!;
    expect(token).toMatch(/^shpat_/);
    const { rows } = await t().db.query("SELECT platform_credentials FROM tenants WHERE id = $1", [
      found.tenant.id,
    ]);
    expect(Buffer.from(rows[0]!.platform_credentials as Buffer).includes(token)).toBe(false);
  });

  it("expiring offline tokens: refresh token sealed, expiry stored", async () => {
    const other = `exp-${randomBytes(3).toString("hex")}.myshopify.com`;
    const t1 = await h.app.shops.upsertShopifyTenant({
      shopDomain: other,
      accessToken: "shpat_x",
      scope: "write_payment_sessions",
      refreshToken: "shprt_secret_refresh",
      expiresInSeconds: 3600,
    });
    expect(await h.app.shops.refreshToken(t1.tenantId)).toBe("shprt_secret_refresh");
    const s = await h.app.shops.getShop(other);
    expect(s!.accessTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now());
    const { rows } = await t().db.query("SELECT secrets FROM shopify_shops WHERE tenant_id = $1", [
      t1.tenantId,
    ]);
    expect(Buffer.from(rows[0]!.secrets as Buffer).includes("shprt_secret_refresh")).toBe(false);
  });

  it("settings need the session cookie and a CSRF token", async () => {
    expect((await fetch(url("/settings"))).status).toBe(401);
    const forged = await fetch(url("/settings"), {
      headers: { cookie: "pe_shopify_merchant=eyJzaG9wIjoiYSJ9.bad" },
    });
    expect(forged.status).toBe(401);
    const page = await fetch(url("/settings"), { headers: { cookie: session } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain("Credenciales de PagoEfectivo");
    // The merchant pastes this URL in PagoEfectivo's portal: the app URL and this shop's token.
    const { notificationToken } = (await h.app.shops.getShop(shop))!.tenant;
    // Read as the local seed and the e2e test read it: the text of the element with that id.
    expect(/<code[^>]*id="notification_url"[^>]*>([^<]+)<\/code>/.exec(html)?.[1]).toBe(
      `https://pay.pe-pay.test/notifications/pagoefectivo/${notificationToken}`,
    );
    const noCsrf = await postForm("/settings", { action: "save" });
    expect(noCsrf.status).toBe(403);
  });

  it("wrong credentials show PagoEfectivo's exact error and save nothing", async () => {
    const csrf = await csrfFrom("/settings");
    const res = await postForm("/settings", {
      _csrf: csrf,
      action: "save",
      environment: "sandbox",
      sandbox_id_service: String(DEMO_MERCHANT.idService),
      sandbox_access_key: DEMO_MERCHANT.accessKey,
      sandbox_secret_key: "sk_wrong",
      validity_hours: "48",
      channels: ["online_banking", "agents"],
      credit_note_policy: "manual",
    });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/PagoEfectivo rechazó las credenciales \(HTTP 401/);
    const found = (await h.app.shops.getShop(shop))!;
    expect(found.tenant.hasPeCredentials).toBe(false);
    expect(shopify.of("paymentsAppConfigure").some((m) => m.shop === shop)).toBe(false);
  });

  it("validity above Shopify's pending limit is refused", async () => {
    const csrf = await csrfFrom("/settings");
    const res = await postForm("/settings", {
      _csrf: csrf,
      action: "save",
      environment: "sandbox",
      sandbox_id_service: String(DEMO_MERCHANT.idService),
      sandbox_access_key: DEMO_MERCHANT.accessKey,
      sandbox_secret_key: DEMO_MERCHANT.secretKey,
      validity_hours: "96",
      channels: ["agents"],
      credit_note_policy: "manual",
    });
    expect(res.status).toBe(422);
  });

  it("test connection says Conexión exitosa; saving configures Shopify and redirects", async () => {
    const csrf = await csrfFrom("/settings");
    const fields = {
      _csrf: csrf,
      environment: "sandbox",
      sandbox_id_service: String(DEMO_MERCHANT.idService),
      sandbox_access_key: DEMO_MERCHANT.accessKey,
      sandbox_secret_key: DEMO_MERCHANT.secretKey,
      validity_hours: "24",
      channels: ["agents"],
      credit_note_policy: "series",
      credit_note_series: "F002",
    };
    const check = await postForm("/settings", { ...fields, action: "check" });
    expect(check.status).toBe(200);
    expect(await check.text()).toContain("Conexión exitosa");

    const save = await postForm("/settings", { ...fields, action: "save" });
    expect(save.status).toBe(303);
    expect(save.headers.get("location")).toBe(
      `https://${shop}/services/payments_partners/gateways/test-client-id/settings`,
    );
    const configure = shopify.of("paymentsAppConfigure").filter((m) => m.shop === shop);
    expect(configure).toHaveLength(1);
    expect(configure[0]!.variables).toEqual({ externalHandle: "pe-1234", ready: true });
    const found = (await h.app.shops.getShop(shop))!;
    expect(found.tenant.hasPeCredentials).toBe(true);
    expect(found.configuredAt).not.toBeNull();
  });

  it("dashboard lists vouchers, searchable by CIP", async () => {
    const { rows } = await t().db.query<{ notification_token: string }>(
      "SELECT notification_token FROM tenants WHERE shop_domain = $1",
      [shop],
    );
    await h.control("PUT", `/_sandbox/merchants/${DEMO_MERCHANT.idService}`, {
      notificationUrl: `${h.app.url}/notifications/pagoefectivo/${rows[0]!.notification_token}`,
    });
    const body = paymentSessionBody();
    const created = await postJson(url("/shopify/payment-session"), body, sessionHeaders(shop));
    expect(created.status).toBe(200);
    const tenant = (await h.app.shops.getShop(shop))!.tenant;
    const v = (await h.app.engine.getVoucherByIdempotencyKey(tenant.id, body.id))!;
    // Validity from the saved settings (24 h), not the default 48 h.
    expect(v.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3_600_000 + 5_000);
    const page = await fetch(url(`/dashboard?q=${v.cip}&lang=en`), {
      headers: { cookie: session },
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(v.cip!);
    expect(html).toContain("Needs your attention");
  });

  it("a redelivered webhook (same X-Shopify-Webhook-Id) is processed once", async () => {
    const payload = {
      shop_id: 1,
      shop_domain: shop,
      orders_requested: [],
      customer: { id: 1, email: "nadie@example.pe", phone: null },
      data_request: { id: 5 },
    };
    const id = `wh-${randomBytes(4).toString("hex")}`;
    for (let i = 0; i < 2; i++) {
      const res = await postWebhook(
        h.app.url,
        WEBHOOK_PATHS.compliance,
        "customers/data_request",
        shop,
        payload,
        id,
      );
      expect(res.status).toBe(200);
    }
    const { rows } = await t().db.query(
      "SELECT count(*) AS n FROM shopify_data_requests WHERE data_request_id = '5'",
    );
    expect(Number(rows[0]!.n)).toBe(1);
  });
});
