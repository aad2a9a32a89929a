/**
 * End to end on one process: Shopify (msw) → session endpoints → engine → PagoEfectivo sandbox
 * (real HTTP) → notifications → outbox → Payments Apps mutations. Both databases.
 */
import { findRefundByPlatformId, getVoucher, listRefunds } from "@pe-pay/engine";
import { forEachDatabase } from "../../../packages/engine/test/support/databases";
import { CIP_STATUS } from "../../sandbox/src/index";
import { WEBHOOK_PATHS } from "../src/webhooks/routes";
import {
  APP_URL,
  eventually,
  fakeShopify,
  paymentSessionBody,
  postJson,
  postWebhook,
  refundSessionBody,
  sessionHeaders,
  startAppHarness,
  type AppHarness,
} from "./app-harness";

const shopify = fakeShopify();
beforeAll(() => shopify.server.listen({ onUnhandledRequest: "bypass" }));
afterAll(() => shopify.server.close());

forEachDatabase("shopify app flow", (t) => {
  let h: AppHarness;
  let shop: string;
  let tenantId: string;

  beforeAll(async () => {
    h = await startAppHarness(t().db);
    ({ shop, tenantId } = await h.install());
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  const url = (path: string) => `${h.app.url}${path}`;
  const localPath = (redirectUrl: string) => redirectUrl.slice(APP_URL.length);

  const startPayment = (overrides: Record<string, unknown> = {}) =>
    h.startPayment(shop, tenantId, overrides);

  async function payCip(cip: string) {
    const paid = await h.control("POST", `/_sandbox/cips/${cip}/pay`, {});
    expect(paid.status).toBe(200);
  }

  async function startPaidPayment() {
    const p = await startPayment();
    await h.app.dispatcher.runOnce();
    await payCip(p.voucher.cip!);
    await eventually(async () => (await getVoucher(t().db, p.voucher.id))?.status === "paid");
    await h.app.dispatcher.runOnce();
    return p;
  }

  it("payment session → CIP in the sandbox → pending after the 2xx → paid → resolve", async () => {
    const before = shopify.mutations.length;
    const { body, res, voucher } = await startPayment();
    expect(res.json.redirect_url).toBe(`${APP_URL}/voucher/${voucher.publicToken}`);
    expect(voucher.status).toBe("pending");
    expect(voucher.cip).toMatch(/^\d+$/);
    // Nothing was sent to Shopify while the session request was open.
    expect(shopify.mutations.length).toBe(before);

    const cips = await h.control("GET", "/_sandbox/cips");
    expect(cips.json.data.some((c: { cip: number }) => String(c.cip) === voucher.cip)).toBe(true);

    await h.app.dispatcher.runOnce();
    const pending = shopify.of("paymentSessionPending").find((m) => m.variables.id === body.gid)!;
    expect(pending).toBeDefined();
    expect(pending.variables.reason).toBe("BUYER_ACTION_REQUIRED");
    expect(new Date(String(pending.variables.pendingExpiresAt)).getTime()).toBeGreaterThanOrEqual(
      voucher.expiresAt.getTime(),
    );
    expect(pending.token).toMatch(/^shpat_/);

    // The shopper got the voucher by e-mail, once.
    const mails = h.mail.messages.filter((m) => m.html.includes(voucher.cip!));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toBe("rosa.quispe@example.pe");

    // The voucher page: CIP, security headers, "back to the store" → Shopify's redirectUrl.
    const page = await fetch(url(localPath(res.json.redirect_url)));
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toMatch(/script-src 'nonce-/);
    const html = await page.text();
    expect(html).toContain(voucher.cip!);
    expect(html).toContain(shopify.thankYou(shop, body.gid as string).replace(/&/g, "&amp;"));
    expect(html).toContain(`/voucher/${voucher.publicToken}/switch`);

    // A repeat of the same id: same redirect_url, no second CIP.
    const again = await postJson(url("/shopify/payment-session"), body, sessionHeaders(shop));
    expect(again.json.redirect_url).toBe(res.json.redirect_url);

    await payCip(voucher.cip!);
    await eventually(async () => (await getVoucher(t().db, voucher.id))?.status === "paid");
    const status = await fetch(url(`/voucher/${voucher.publicToken}/status`));
    expect(((await status.json()) as { status: string }).status).toBe("paid");
    await h.app.dispatcher.runOnce();
    const resolves = shopify.of("paymentSessionResolve").filter((m) => m.variables.id === body.gid);
    expect(resolves).toHaveLength(1);
  });

  it("expiry: the CIP is deleted at PagoEfectivo, then the session is rejected", async () => {
    const { body, voucher } = await startPayment();
    await h.app.dispatcher.runOnce();
    await h.advance(voucher.expiresAt.getTime() - Date.now() + 10 * 60_000);
    await eventually(async () => {
      await h.app.engine.runExpiryOnce();
      return (await getVoucher(t().db, voucher.id))?.status === "expired";
    });
    const cips = await h.control("GET", "/_sandbox/cips");
    const remote = cips.json.data.find((c: { cip: number }) => String(c.cip) === voucher.cip);
    expect(remote.status).not.toBe(CIP_STATUS.paid);
    expect(remote.status).not.toBe(CIP_STATUS.generated);
    await h.app.dispatcher.runOnce();
    const rejects = shopify.of("paymentSessionReject").filter((m) => m.variables.id === body.gid);
    expect(rejects).toHaveLength(1);
    const reason = rejects[0]!.variables.reason as { code: string; merchantMessage: string };
    expect(["PROCESSING_ERROR", "CANCELLED_PAYMENT"]).toContain(reason.code);
    expect(reason.merchantMessage).toContain(voucher.cip!);
    await h.advance(-h.clock.offsetMs);
  });

  it("choose another method: CIP deleted, shopper sent to cancel_url, session not rejected", async () => {
    const { body, voucher } = await startPayment();
    await h.app.dispatcher.runOnce();
    const confirm = await fetch(url(`/voucher/${voucher.publicToken}/switch`));
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('method="post"');
    const res = await fetch(url(`/voucher/${voucher.publicToken}/switch`), {
      method: "POST",
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    const cancelUrl = (body.payment_method as { data: { cancel_url: string } }).data.cancel_url;
    expect(res.headers.get("location")).toBe(cancelUrl);
    expect((await getVoucher(t().db, voucher.id))?.status).toBe("cancelled");
    await h.app.dispatcher.runOnce();
    expect(shopify.of("paymentSessionReject").some((m) => m.variables.id === body.gid)).toBe(false);
  });

  it("refunds: 201, PagoEfectivo refund, completion → refundSessionResolve; partial + repeats; above balance → reject", async () => {
    const { body, voucher } = await startPaidPayment();
    const paymentId = body.id as string;

    const first = refundSessionBody(paymentId, "50.00");
    const r1 = await postJson(url("/shopify/refund-session"), first, sessionHeaders(shop));
    expect(r1.status).toBe(201);
    expect(r1.json).toEqual({});
    const refund = (await eventually(async () => {
      const r = await findRefundByPlatformId(t().db, tenantId, first.id);
      return r && r.status === "submitted" ? r : null;
    }))!;
    // A repeat of the same refund id: same answer, no second refund at PagoEfectivo.
    const r1again = await postJson(url("/shopify/refund-session"), first, sessionHeaders(shop));
    expect(r1again.status).toBe(201);
    await new Promise((r) => setTimeout(r, 100));
    const atPe = async () =>
      (await h.control("GET", "/_sandbox/refunds")).json.data as Array<{
        refundId: string;
        reference: string;
      }>;
    expect((await atPe()).filter((x) => x.reference === refund.id)).toHaveLength(1);

    const peRefund = (await atPe()).find((x) => x.reference === refund.id)!;
    const done = await h.control("POST", `/_sandbox/refunds/${peRefund.refundId}/complete`, {});
    expect(done.status).toBe(200);
    await eventually(
      async () =>
        (await findRefundByPlatformId(t().db, tenantId, first.id))?.status === "succeeded",
    );
    await h.app.dispatcher.runOnce();
    expect(shopify.of("refundSessionResolve").map((m) => m.variables.id)).toContain(first.gid);

    // A second partial refund, then one above what is left (149.90 − 50 − 90 = 9.90 left).
    const second = refundSessionBody(paymentId, "90.00");
    expect(
      (await postJson(url("/shopify/refund-session"), second, sessionHeaders(shop))).status,
    ).toBe(201);
    await eventually(
      async () => (await findRefundByPlatformId(t().db, tenantId, second.id)) !== null,
    );
    const third = refundSessionBody(paymentId, "20.00");
    expect(
      (await postJson(url("/shopify/refund-session"), third, sessionHeaders(shop))).status,
    ).toBe(201);
    await eventually(
      async () => (await findRefundByPlatformId(t().db, tenantId, third.id))?.status === "failed",
    );
    await h.app.dispatcher.runOnce();
    const rejects = shopify.of("refundSessionReject").filter((m) => m.variables.id === third.gid);
    expect(rejects.length).toBeGreaterThanOrEqual(1);
    const reason = rejects[0]!.variables.reason as { code: string; merchantMessage: string };
    expect(reason.code).toBe("PROCESSING_ERROR");
    // In the refund session's locale; the detail is the engine's (Spanish only today).
    expect(reason.merchantMessage).toMatch(/^PagoEfectivo could not complete the refund: .*9\.90/);
    expect(await listRefunds(t().db, { voucherId: voucher.id })).toHaveLength(3);
  });

  it("refund for an unknown payment: 201, then refundSessionReject (nothing reached the outbox)", async () => {
    const unknown = refundSessionBody("no-such-payment", "10.00");
    expect(
      (await postJson(url("/shopify/refund-session"), unknown, sessionHeaders(shop))).status,
    ).toBe(201);
    await eventually(async () =>
      shopify.of("refundSessionReject").some((m) => m.variables.id === unknown.gid),
    );
  });

  it("bad input is a 4xx and changes nothing", async () => {
    const count = async () =>
      Number((await t().db.query("SELECT count(*) AS n FROM vouchers")).rows[0]!.n);
    const before = await count();
    const good = paymentSessionBody();
    const cases: Array<[unknown, Record<string, string>]> = [
      ["{not json", sessionHeaders(shop)],
      [{ ...good, amount: "1,50" }, sessionHeaders(shop)],
      [{ ...good, kind: "authorization" }, sessionHeaders(shop)],
      [{ ...good, gid: "gid://shopify/Order/1" }, sessionHeaders(shop)],
      [good, sessionHeaders("not-installed.myshopify.com")],
      [good, { "Content-Type": "application/json" }],
    ];
    for (const [body, headers] of cases) {
      const res = await postJson(url("/shopify/payment-session"), body, headers);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.json?.error?.code).toEqual(expect.any(String));
    }
    const capture = await postJson(
      url("/shopify/capture-session"),
      {
        id: "c1",
        gid: "gid://shopify/CaptureSession/c1",
        payment_id: "x",
        amount: "1.00",
        currency: "PEN",
        proposed_at: "2026-03-14T15:04:05Z",
      },
      sessionHeaders(shop),
    );
    expect(capture.status).toBe(422);
    expect(await count()).toBe(before);
  });

  it("customers/redact erases the shopper's data; data_request stores an export; uninstall deactivates", async () => {
    const email = `erase.${Date.now()}@example.pe`;
    const { voucher } = await startPayment({
      customer: { email, billing_address: { given_name: "Lucía" } },
    });
    expect((await getVoucher(t().db, voucher.id))?.shopperEmail).toBe(email);

    const dataReq = await postWebhook(
      h.app.url,
      WEBHOOK_PATHS.compliance,
      "customers/data_request",
      shop,
      {
        shop_id: 9007199254740993n.toString(),
        shop_domain: shop,
        orders_requested: [],
        customer: { id: 7, email, phone: null },
        data_request: { id: 99 },
      },
    );
    expect(dataReq.status).toBe(200);
    const { rows: exports } = await t().db.query(
      "SELECT voucher_count FROM shopify_data_requests WHERE tenant_id = $1",
      [tenantId],
    );
    expect(exports.map((r) => Number(r.voucher_count))).toContain(1);

    const bad = await fetch(`${h.app.url}${WEBHOOK_PATHS.compliance}`, {
      method: "POST",
      headers: { "X-Shopify-Topic": "customers/redact", "X-Shopify-Hmac-Sha256": "AAAA" },
      body: "{}",
    });
    expect(bad.status).toBe(401);
    expect((await getVoucher(t().db, voucher.id))?.shopperEmail).toBe(email);

    const redact = await postWebhook(
      h.app.url,
      WEBHOOK_PATHS.compliance,
      "customers/redact",
      shop,
      {
        shop_id: 1,
        shop_domain: shop,
        customer: { id: 7, email, phone: null },
        orders_to_redact: [],
      },
    );
    expect(redact.status).toBe(200);
    const after = await getVoucher(t().db, voucher.id);
    expect(after?.shopperEmail).toBeNull();
    expect(after?.shopperFirstName).toBeNull();
    const leaks = await t().db.query(
      `SELECT count(*) AS n FROM audit_log WHERE tenant_id = $1
         AND (request::text ILIKE '%' || $2 || '%' OR response::text ILIKE '%' || $2 || '%')`,
      [tenantId, email],
    );
    expect(Number(leaks.rows[0]!.n)).toBe(0);
    const outboxLeaks = await t().db.query(
      "SELECT count(*) AS n FROM outbox WHERE tenant_id = $1 AND payload::text ILIKE '%' || $2 || '%'",
      [tenantId, email],
    );
    expect(Number(outboxLeaks.rows[0]!.n)).toBe(0);

    // A second shop uninstalls: inactive, its session requests are refused.
    const other = await h.install();
    const un = await postWebhook(
      h.app.url,
      WEBHOOK_PATHS.appUninstalled,
      "app/uninstalled",
      other.shop,
      {
        myshopify_domain: other.shop,
      },
    );
    expect(un.status).toBe(200);
    expect(await h.app.shops.findActiveShopifyTenant(other.shop)).toBeNull();
    const refused = await postJson(
      url("/shopify/payment-session"),
      paymentSessionBody(),
      sessionHeaders(other.shop),
    );
    expect(refused.status).toBe(404);

    // shop/redact removes its credentials.
    const sr = await postWebhook(h.app.url, WEBHOOK_PATHS.compliance, "shop/redact", other.shop, {
      shop_id: 2,
      shop_domain: other.shop,
    });
    expect(sr.status).toBe(200);
    const { rows } = await t().db.query(
      "SELECT platform_credentials, pe_credentials FROM tenants WHERE id = $1",
      [other.tenantId],
    );
    expect(rows[0]).toEqual({ platform_credentials: null, pe_credentials: null });
  });
});
