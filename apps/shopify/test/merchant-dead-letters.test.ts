/**
 * "Reintentar envío" on the dashboard, through the real app on both databases: Shopify (msw)
 * refuses a shop's callbacks so the real dispatcher parks them as dead letters with their
 * alerts; the merchant's retry puts them back (with the order's earlier dead letters, in order),
 * the next dispatcher run delivers them, and no shop can touch another shop's messages.
 */
import { http, HttpResponse } from "msw";
import { listOpenAlerts, listOutbox, type OutboxMessage } from "@pe-pay/engine";
import { forEachDatabase } from "../../../packages/engine/test/support/databases";
import { API_VERSION, fakeShopify, startAppHarness, type AppHarness } from "./app-harness";
import { merchantSession } from "./helpers";

const shopify = fakeShopify();
beforeAll(() => shopify.server.listen({ onUnhandledRequest: "bypass" }));
afterAll(() => shopify.server.close());

/** Until the handlers are reset, every GraphQL call for `shop` is refused for good (HTTP 403). */
function refuseCallsOf(shop: string) {
  shopify.server.use(
    http.post(`https://${shop}/payments_apps/api/${API_VERSION}/graphql.json`, () =>
      HttpResponse.json({ errors: [{ message: "forbidden" }] }, { status: 403 }),
    ),
  );
}

forEachDatabase("shopify merchant dashboard: retrying dead letters", (t) => {
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
  afterEach(() => shopify.server.resetHandlers());
  afterAll(async () => {
    await h?.close();
  });

  const url = (p: string) => `${h.app.url}${p}`;
  const get = (p: string) => fetch(url(p), { redirect: "manual", headers: { cookie } });
  const post = (p: string, fields: Record<string, string>) =>
    fetch(url(p), {
      method: "POST",
      redirect: "manual",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    });

  async function pendingVoucher(forShop: string, forTenant: string) {
    const { body, voucher: v } = await h.startPayment(forShop, forTenant);
    return { v, gid: body.gid, sessionId: body.id };
  }

  const messagesOf = async (forTenant: string, voucherId: string): Promise<OutboxMessage[]> =>
    listOutbox(t().db, { tenantId: forTenant, aggregateId: voucherId });
  const openDeadLetterAlerts = async (forTenant: string) =>
    (await listOpenAlerts(t().db, forTenant)).filter((a) => a.kind === "dead_letter");
  const callsFor = (gid: string) =>
    shopify.mutations.filter((m) => m.shop === shop && m.variables.id === gid).map((m) => m.name);

  it("a dead letter is retried: requeued, its alert resolved, said so, delivered by the next run", async () => {
    const { v, gid, sessionId } = await pendingVoucher(shop, tenantId);
    refuseCallsOf(shop);
    await h.app.dispatcher.runOnce();
    shopify.server.resetHandlers();
    const [dead] = await messagesOf(tenantId, v.id);
    expect(dead).toMatchObject({ kind: "voucher.pending", status: "dead" });
    expect((await openDeadLetterAlerts(tenantId)).map((a) => a.key)).toEqual([String(dead!.id)]);

    const page = await (await get("/dashboard?lang=es")).text();
    expect(page).toContain("No pudimos actualizar un pedido en su tienda");
    expect(page).toContain(`action="/dashboard/dead-letters/${dead!.id}/retry"`);
    expect(page).toContain("Reintentar envío");
    // The merchant can tell which order it is about.
    expect(page).toContain(`Pedido: CIP ${v.cip} · ${sessionId}`);

    const forged = await post(`/dashboard/dead-letters/${dead!.id}/retry`, { _csrf: "nope" });
    expect(forged.status).toBe(403);
    expect((await messagesOf(tenantId, v.id))[0]!.status).toBe("dead");

    const done = await post(`/dashboard/dead-letters/${dead!.id}/retry`, {
      _csrf: csrf,
      lang: "es",
    });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/dashboard?lang=es&notice=retried&n=1");
    const [requeued] = await messagesOf(tenantId, v.id);
    expect(requeued).toMatchObject({ status: "pending", attempts: 0, deadAt: null });
    expect(await openDeadLetterAlerts(tenantId)).toEqual([]);
    const after = await (await get(done.headers.get("location")!)).text();
    expect(after).toContain("La actualización se volverá a enviar a su tienda en unos segundos.");
    expect(after).not.toContain("No pudimos actualizar un pedido en su tienda");

    expect(callsFor(gid)).toEqual([]);
    await h.app.dispatcher.runOnce();
    expect(callsFor(gid)).toEqual(["paymentSessionPending"]);
    expect((await messagesOf(tenantId, v.id))[0]!.status).toBe("delivered");

    // Nothing left to retry: said so, nothing changes.
    const again = await post(`/dashboard/dead-letters/${dead!.id}/retry`, {
      _csrf: csrf,
      lang: "en",
    });
    expect(again.headers.get("location")).toBe("/dashboard?lang=en&notice=retry_not_dead");
    expect(await (await get(again.headers.get("location")!)).text()).toContain(
      "That update is no longer on hold",
    );
    expect((await messagesOf(tenantId, v.id))[0]!.status).toBe("delivered");
  });

  it("retrying an order's later dead letter replays its earlier one first, in order", async () => {
    const { v, gid } = await pendingVoucher(shop, tenantId);
    refuseCallsOf(shop);
    await h.app.dispatcher.runOnce();
    // The admin cancels the order while the shop is still refusing: a second dead letter.
    const cancel = await post(`/dashboard/vouchers/${v.id}/cancel`, { _csrf: csrf, lang: "es" });
    expect(cancel.status).toBe(303);
    await h.app.dispatcher.runOnce();
    shopify.server.resetHandlers();
    const dead = await messagesOf(tenantId, v.id);
    expect(dead.map((m) => [m.kind, m.status])).toEqual([
      ["voucher.pending", "dead"],
      ["voucher.cancelled", "dead"],
    ]);
    const page = await (await get("/dashboard?lang=en")).text();
    for (const m of dead) expect(page).toContain(`action="/dashboard/dead-letters/${m.id}/retry"`);

    const done = await post(`/dashboard/dead-letters/${dead[1]!.id}/retry`, {
      _csrf: csrf,
      lang: "en",
    });
    expect(done.headers.get("location")).toBe("/dashboard?lang=en&notice=retried&n=2");
    expect(await (await get(done.headers.get("location")!)).text()).toContain(
      "2 updates for this order will be sent to your store again, in order, within a few seconds.",
    );
    expect((await messagesOf(tenantId, v.id)).map((m) => m.status)).toEqual(["pending", "pending"]);
    expect(await openDeadLetterAlerts(tenantId)).toEqual([]);

    // One message per order per run: the earlier one first.
    await h.app.dispatcher.runOnce();
    expect(callsFor(gid)).toEqual(["paymentSessionPending"]);
    await h.app.dispatcher.runOnce();
    expect(callsFor(gid)).toEqual(["paymentSessionPending", "paymentSessionReject"]);
    expect((await messagesOf(tenantId, v.id)).map((m) => m.status)).toEqual([
      "delivered",
      "delivered",
    ]);
  });

  it("another shop's dead letter cannot be retried (404), nor a malformed id", async () => {
    const { v } = await pendingVoucher(other.shop, other.tenantId);
    refuseCallsOf(other.shop);
    await h.app.dispatcher.runOnce();
    shopify.server.resetHandlers();
    const [theirs] = await messagesOf(other.tenantId, v.id);
    expect(theirs!.status).toBe("dead");

    // Their message is not on this shop's dashboard, and posting its id is refused.
    expect(await (await get("/dashboard")).text()).not.toContain(
      `/dashboard/dead-letters/${theirs!.id}/retry`,
    );
    const res = await post(`/dashboard/dead-letters/${theirs!.id}/retry`, { _csrf: csrf });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("No encontramos ese elemento.");
    for (const bad of ["abc", "1e3", "0", "-1", "99999999999999999999"]) {
      expect((await post(`/dashboard/dead-letters/${bad}/retry`, { _csrf: csrf })).status).toBe(
        404,
      );
    }
    expect((await messagesOf(other.tenantId, v.id))[0]!.status).toBe("dead");
    expect((await openDeadLetterAlerts(other.tenantId)).map((a) => a.key)).toEqual([
      String(theirs!.id),
    ]);
  });
});
