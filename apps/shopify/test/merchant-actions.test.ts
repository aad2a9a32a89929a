/**
 * The dashboard's actions, through the real app on both databases: cancel an unpaid voucher (the
 * engine's cancel use case: CIP deleted at the sandbox, Shopify's session rejected), dismiss an
 * alert, download a customer data-request export, log out (the shop's cookies stop working)
 * — each behind the session cookie and, for the POSTs, the CSRF token; never across shops.
 */
import { listOpenAlerts, raiseAlert } from "@pe-pay/engine";
import { forEachDatabase } from "../../../packages/engine/test/support/databases";
import { WEBHOOK_PATHS } from "../src/webhooks/routes";
import { POLARIS_CSS_PATH } from "../src/merchant/assets";
import { SESSION_COOKIE } from "../src/merchant/session";
import { fakeShopify, postWebhook, startAppHarness, type AppHarness } from "./app-harness";
import { merchantSession } from "./helpers";

const shopify = fakeShopify();
beforeAll(() => shopify.server.listen({ onUnhandledRequest: "bypass" }));
afterAll(() => shopify.server.close());

forEachDatabase("shopify merchant dashboard actions", (t) => {
  let h: AppHarness;
  let shop: string;
  let tenantId: string;
  let other: { shop: string; tenantId: string };
  let cookie = "";
  let csrf = "";

  beforeAll(async () => {
    h = await startAppHarness(t().db);
    ({ shop, tenantId } = await h.install());
    other = await h.install();
    ({ cookie, csrf } = merchantSession(shop));
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  const url = (p: string) => `${h.app.url}${p}`;
  const get = (p: string, c = cookie) =>
    fetch(url(p), { redirect: "manual", headers: c ? { cookie: c } : {} });
  const post = (p: string, fields: Record<string, string>, c = cookie) =>
    fetch(url(p), {
      method: "POST",
      redirect: "manual",
      headers: { ...(c ? { cookie: c } : {}), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    });

  async function pendingVoucher(forShop = shop, forTenant = tenantId) {
    const { body, voucher: v } = await h.startPayment(forShop, forTenant);
    expect(v.status).toBe("pending");
    return { v, gid: body.gid, key: body.id };
  }

  async function sandboxStatus(cip: string): Promise<string | undefined> {
    const list = (await h.control("GET", "/_sandbox/cips")).json.data as Array<{
      cip: string;
      statusName: string;
    }>;
    return list.find((c) => String(c.cip) === cip)?.statusName;
  }

  it("serves Polaris's own stylesheet, gzipped and cacheable", async () => {
    const res = await fetch(url(POLARIS_CSS_PATH), { headers: { "accept-encoding": "gzip" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/css");
    expect(res.headers.get("cache-control")).toContain("immutable");
    expect(await res.text()).toContain(".Polaris-Button");
    const again = await fetch(url(POLARIS_CSS_PATH), {
      headers: { "if-none-match": res.headers.get("etag")! },
    });
    expect(again.status).toBe(304);
  });

  it("an admin cancels an unpaid voucher: confirm page, CIP deleted, Shopify session rejected", async () => {
    const { v, gid, key } = await pendingVoucher();
    await h.app.dispatcher.runOnce();
    const dashboard = await (await get("/dashboard")).text();
    expect(dashboard).toContain(`href="/dashboard/vouchers/${v.id}/cancel?lang=es"`);

    const confirm = await get(`/dashboard/vouchers/${v.id}/cancel?lang=es`);
    expect(confirm.status).toBe(200);
    const page = await confirm.text();
    expect(page).toContain(`¿Anular el código CIP ${v.cip}?`);
    expect(page).toContain(`action="/dashboard/vouchers/${v.id}/cancel"`);

    const forged = await post(`/dashboard/vouchers/${v.id}/cancel`, { _csrf: "nope" });
    expect(forged.status).toBe(403);
    expect((await h.app.engine.getVoucherByIdempotencyKey(tenantId, key))!.status).toBe("pending");

    const done = await post(`/dashboard/vouchers/${v.id}/cancel`, { _csrf: csrf, lang: "es" });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe(`/dashboard?lang=es&notice=cancelled&cip=${v.cip}`);
    const after = (await h.app.engine.getVoucherByIdempotencyKey(tenantId, key))!;
    expect(after.status).toBe("cancelled");
    expect(after.platformData.cancelReason).toBe("admin_cancelled");
    expect(await sandboxStatus(v.cip!)).toBe("Eliminado");
    const notice = await (await get(done.headers.get("location")!)).text();
    expect(notice).toContain(`Código CIP ${v.cip} anulado.`);

    await h.app.dispatcher.runOnce();
    const rejects = shopify.of("paymentSessionReject").filter((m) => m.shop === shop);
    expect(rejects.map((m) => m.variables.id)).toContain(gid);

    // Already cancelled: nothing to do, said so.
    const repeat = await post(`/dashboard/vouchers/${v.id}/cancel`, { _csrf: csrf, lang: "en" });
    expect(repeat.headers.get("location")).toBe(
      `/dashboard?lang=en&notice=not_pending&cip=${v.cip}`,
    );
    expect((await get(`/dashboard/vouchers/${v.id}/cancel`)).status).toBe(409);
  });

  it("another shop's voucher cannot be cancelled (404), nor a malformed id", async () => {
    const { v, key } = await pendingVoucher(other.shop, other.tenantId);
    expect((await get(`/dashboard/vouchers/${v.id}/cancel`)).status).toBe(404);
    const res = await post(`/dashboard/vouchers/${v.id}/cancel`, { _csrf: csrf });
    expect(res.status).toBe(404);
    expect((await post("/dashboard/vouchers/not-a-uuid/cancel", { _csrf: csrf })).status).toBe(404);
    const still = (await h.app.engine.getVoucherByIdempotencyKey(other.tenantId, key))!;
    expect(still.status).toBe("pending");
  });

  it("an admin dismisses an alert; another shop's alert is not theirs to dismiss", async () => {
    const mine = await raiseAlert(t().db, {
      tenantId,
      kind: "dead_letter",
      key: "outbox-1",
      detail: { kind: "voucher.paid", error: "HTTP 503" },
    });
    const theirs = await raiseAlert(t().db, { tenantId: other.tenantId, kind: "refund_rate" });
    const en = await (await get("/dashboard?lang=en")).text();
    expect(en).toContain("We could not update an order in your store");
    expect(en).toContain(`action="/dashboard/alerts/${mine.id}/dismiss"`);

    expect((await post(`/dashboard/alerts/${mine.id}/dismiss`, {})).status).toBe(403);
    const done = await post(`/dashboard/alerts/${mine.id}/dismiss`, { _csrf: csrf, lang: "en" });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/dashboard?lang=en&notice=dismissed");
    expect((await listOpenAlerts(t().db, tenantId)).some((a) => a.id === mine.id)).toBe(false);
    expect(await (await get("/dashboard?lang=en")).text()).not.toContain(
      "We could not update an order in your store",
    );

    const foreign = await post(`/dashboard/alerts/${theirs.id}/dismiss`, { _csrf: csrf });
    expect(foreign.status).toBe(404);
    expect((await listOpenAlerts(t().db, other.tenantId)).some((a) => a.id === theirs.id)).toBe(
      true,
    );
  });

  it("an admin downloads a customer data-request export", async () => {
    const res = await postWebhook(
      h.app.url,
      WEBHOOK_PATHS.compliance,
      "customers/data_request",
      shop,
      {
        shop_id: 1,
        shop_domain: shop,
        orders_requested: [],
        customer: { id: 77, email: "rosa.quispe@example.pe", phone: null },
        data_request: { id: 9001 },
      },
    );
    expect(res.status).toBe(200);
    const dashboard = await (await get("/dashboard")).text();
    const href = /href="(\/dashboard\/data-requests\/[^"]+\/export)"/.exec(dashboard)?.[1];
    expect(href).toBeDefined();

    expect((await get(href!, "")).status).toBe(401);
    const file = await get(href!);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toContain("application/json");
    expect(file.headers.get("content-disposition")).toBe(
      'attachment; filename="pagoefectivo-data-request-9001.json"',
    );
    expect(file.headers.get("cache-control")).toBe("no-store");
    const json = (await file.json()) as {
      dataRequestId: string;
      customerId: string;
      data: { email: string; vouchers: unknown[] };
    };
    expect(json.dataRequestId).toBe("9001");
    expect(json.customerId).toBe("77");
    expect(json.data.email).toBe("rosa.quispe@example.pe");
    expect(json.data.vouchers.length).toBeGreaterThan(0);

    expect((await get("/dashboard/data-requests/999999/export")).status).toBe(404);
  });

  it("logging out needs the CSRF token, clears the cookie and says how to come back", async () => {
    // Another browser signed in to the same shop, and one signed in to another shop.
    const elsewhereCookie = merchantSession(shop).cookie;
    const otherShopCookie = merchantSession(other.shop).cookie;
    expect((await get("/dashboard", elsewhereCookie)).status).toBe(200);

    expect((await post("/logout", { _csrf: "nope" })).status).toBe(403);
    expect((await get("/dashboard")).status).toBe(200);
    const res = await post("/logout", { _csrf: csrf, lang: "es" });
    expect(res.status).toBe(200);
    const cleared = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=;`));
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect(cleared).toMatch(/Path=\//);
    const html = await res.text();
    expect(html).toContain("Sesión cerrada");
    expect(html).not.toContain('action="/logout"');
    // Without the cookie the browser is signed out.
    expect((await get("/dashboard", "")).status).toBe(401);

    // A copy of the logged-out cookie is refused too (it is still signed and unexpired), for
    // pages and for actions alike, with the CSRF token that went with it.
    const copied = await get("/dashboard");
    expect(copied.status).toBe(401);
    expect(await copied.text()).toContain("Sesión no válida");
    expect((await get("/settings")).status).toBe(401);
    const alert = await raiseAlert(t().db, { tenantId, kind: "refund_rate", key: "logout" });
    expect((await post(`/dashboard/alerts/${alert.id}/dismiss`, { _csrf: csrf })).status).toBe(401);
    expect((await listOpenAlerts(t().db, tenantId)).some((a) => a.id === alert.id)).toBe(true);
    // Logging out again with it changes nothing and is not refused.
    expect((await post("/logout", { _csrf: csrf })).status).toBe(200);

    // The logout is the shop's (so that it holds on every instance: see
    // merchant-logout-instances.test.ts): the other browser signed in before it is signed out
    // too; another shop's session is not.
    expect((await get("/dashboard", elsewhereCookie)).status).toBe(401);
    expect((await get("/dashboard", otherShopCookie)).status).toBe(200);
  });
});
