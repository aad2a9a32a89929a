/**
 * "Marcar como resuelto" on attention items, through the real app on both databases: the item
 * is resolved with what the merchant did (and a note), leaves the "needs attention" list, and
 * the alert the payment path raised for its kind resolves once no item of that kind is open.
 * Bad input is a 4xx page that changes nothing; another shop's item is a 404.
 */
import { randomBytes } from "node:crypto";
import {
  createAttentionItem,
  listOpenAlerts,
  listOpenAttentionItems,
  raiseAlert,
} from "@pe-pay/engine";
import { forEachDatabase } from "../../../packages/engine/test/support/databases";
import { fakeShopify, startAppHarness, type AppHarness } from "./app-harness";
import { merchantSession } from "./helpers";

const shopify = fakeShopify();
beforeAll(() => shopify.server.listen({ onUnhandledRequest: "bypass" }));
afterAll(() => shopify.server.close());

forEachDatabase("shopify merchant dashboard: resolving attention items", (t) => {
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
  const get = (p: string) => fetch(url(p), { redirect: "manual", headers: { cookie } });
  const post = (p: string, fields: Record<string, string>) =>
    fetch(url(p), {
      method: "POST",
      redirect: "manual",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    });

  /** An item and its alert, as the payment path records them (alert key = the item's kind). */
  async function raiseItem(kind: string, forTenant = tenantId) {
    const cip = String(2_000_000 + Math.floor(Math.random() * 999_999));
    const { item } = await createAttentionItem(t().db, {
      tenantId: forTenant,
      kind,
      dedupeKey: `payment:${cip}:${randomBytes(3).toString("hex")}`,
      detail: { cip, operationNumber: "OP-1", amount: { minor: 14_990, currency: "PEN" } },
    });
    await raiseAlert(t().db, { tenantId: forTenant, kind: "attention_item", key: kind });
    return { ...item, cip };
  }

  const openItemIds = async (forTenant = tenantId) =>
    (await listOpenAttentionItems(t().db, forTenant)).map((i) => i.id);
  const openAlertKeys = async (forTenant = tenantId) =>
    (await listOpenAlerts(t().db, forTenant))
      .filter((a) => a.kind === "attention_item")
      .map((a) => a.key);
  const resolutionOf = async (id: number) => {
    const { rows } = await t().db.query<{ resolution: string | null; resolved_at: Date | null }>(
      "SELECT resolution, resolved_at FROM attention_items WHERE id = $1",
      [id],
    );
    return rows[0]!;
  };
  const resolvePath = (id: number) => `/dashboard/attention/${id}/resolve`;

  it("an item is resolved with what the merchant did; its kind's alert goes with the last one", async () => {
    const a = await raiseItem("paid_twice");
    const b = await raiseItem("paid_twice");
    expect(await openAlertKeys()).toEqual(["paid_twice"]);

    const dashboard = await (await get("/dashboard?lang=es")).text();
    expect(dashboard).toContain(`href="${resolvePath(a.id)}?lang=es"`);
    expect(dashboard).toContain(`href="${resolvePath(b.id)}?lang=es"`);
    expect(dashboard).toContain(`CIP ${a.cip} · S/ 149.90`);

    const form = await get(`${resolvePath(a.id)}?lang=es`);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain("Resolver: Pago doble");
    expect(html).toContain("¿Qué hizo?");
    for (const v of ["refunded", "fulfilled", "other"]) {
      expect(html).toMatch(new RegExp(`<input[^>]*name="resolution"[^>]*value="${v}"`));
    }
    expect(html).toContain(`action="${resolvePath(a.id)}"`);

    const done = await post(resolvePath(a.id), {
      _csrf: csrf,
      lang: "es",
      resolution: "refunded",
      note: "  Transferencia BCP\r\nop. 778899 ",
    });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/dashboard?lang=es&notice=resolved");
    const stored = await resolutionOf(a.id);
    expect(stored.resolved_at).toBeInstanceOf(Date);
    expect(JSON.parse(stored.resolution!)).toEqual({
      by: "merchant",
      action: "refunded",
      note: "Transferencia BCP op. 778899",
    });
    const after = await (await get(done.headers.get("location")!)).text();
    expect(after).toContain("Marcado como resuelto: ya no está en la lista.");
    expect(after).not.toContain(resolvePath(a.id));
    expect(after).toContain(resolvePath(b.id));
    // Another paid-twice item is still open: the alert for the kind stays.
    expect(await openAlertKeys()).toEqual(["paid_twice"]);

    const last = await post(resolvePath(b.id), {
      _csrf: csrf,
      lang: "en",
      resolution: "fulfilled",
    });
    expect(last.headers.get("location")).toBe("/dashboard?lang=en&notice=resolved");
    expect(JSON.parse((await resolutionOf(b.id)).resolution!)).toEqual({
      by: "merchant",
      action: "fulfilled",
    });
    expect(await openItemIds()).toEqual([]);
    expect(await openAlertKeys()).toEqual([]);
    expect(await (await get("/dashboard?lang=en")).text()).toContain(
      "Nothing pending: every payment is in order.",
    );

    // Already resolved: said so, and the first resolution stands.
    const again = await post(resolvePath(a.id), { _csrf: csrf, lang: "es", resolution: "other" });
    expect(again.headers.get("location")).toBe("/dashboard?lang=es&notice=already_resolved");
    expect(JSON.parse((await resolutionOf(a.id)).resolution!).action).toBe("refunded");
    expect((await get(resolvePath(a.id))).status).toBe(409);
  });

  it("bad input is refused on the page (4xx) and changes nothing", async () => {
    const c = await raiseItem("amount_mismatch");
    const unchanged = async () => {
      expect(await openItemIds()).toContain(c.id);
      expect(await openAlertKeys()).toContain("amount_mismatch");
      expect((await resolutionOf(c.id)).resolution).toBeNull();
    };

    expect((await post(resolvePath(c.id), { resolution: "refunded" })).status).toBe(403);
    expect((await post(resolvePath(c.id), { _csrf: "nope", resolution: "refunded" })).status).toBe(
      403,
    );

    const none = await post(resolvePath(c.id), { _csrf: csrf, lang: "es" });
    expect(none.status).toBe(422);
    const noneHtml = await none.text();
    expect(noneHtml).toContain("Revise los campos marcados:");
    expect(noneHtml).toContain("Elija qué hizo.");

    const made = await post(resolvePath(c.id), {
      _csrf: csrf,
      lang: "en",
      resolution: "deleted_it",
    });
    expect(made.status).toBe(422);
    expect(await made.text()).toContain("Choose what you did.");

    const other = await post(resolvePath(c.id), {
      _csrf: csrf,
      lang: "es",
      resolution: "other",
      note: "   ",
    });
    expect(other.status).toBe(422);
    const otherHtml = await other.text();
    expect(otherHtml).toContain("Para «Otra cosa», describa brevemente qué hizo.");
    // The choice comes back as it was sent.
    expect(otherHtml).toMatch(/<input[^>]*id="resolution_other"[^>]*checked/);

    const long = "x".repeat(201);
    const tooLong = await post(resolvePath(c.id), {
      _csrf: csrf,
      lang: "es",
      resolution: "refunded",
      note: long,
    });
    expect(tooLong.status).toBe(422);
    const longHtml = await tooLong.text();
    expect(longHtml).toContain("La nota admite hasta 200 caracteres.");
    expect(longHtml).toContain(long);

    await unchanged();
  });

  it("another shop's item cannot be opened or resolved (404), nor a malformed id", async () => {
    const theirs = await raiseItem("paid_after_expiry", other.tenantId);
    expect(await (await get("/dashboard")).text()).not.toContain(resolvePath(theirs.id));
    expect((await get(resolvePath(theirs.id))).status).toBe(404);
    const res = await post(resolvePath(theirs.id), {
      _csrf: csrf,
      lang: "es",
      resolution: "refunded",
    });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("No encontramos ese elemento.");
    for (const bad of ["abc", "1e3", "0", "99999999999999999999"]) {
      const r = await post(`/dashboard/attention/${bad}/resolve`, {
        _csrf: csrf,
        resolution: "refunded",
      });
      expect(r.status).toBe(404);
    }
    expect(await openItemIds(other.tenantId)).toEqual([theirs.id]);
    expect(await openAlertKeys(other.tenantId)).toEqual(["paid_after_expiry"]);
    expect((await resolutionOf(theirs.id)).resolution).toBeNull();
  });
});
