/**
 * The dashboard's refunds table says why a refund failed in the merchant's language (the page's
 * locale), like the rest of the page: refusals by the engine's guards with their figures, and a
 * rejection by PagoEfectivo with its reason code — never the engine's Spanish text on an English
 * page. Through the real app, the PagoEfectivo sandbox and both databases.
 */
import { findRefundByPlatformId } from "@pe-pay/engine";
import { forEachDatabase } from "../../../packages/engine/test/support/databases";
import {
  eventually,
  fakeShopify,
  postJson,
  refundSessionBody,
  sessionHeaders,
  startAppHarness,
  type AppHarness,
} from "./app-harness";
import { merchantSession } from "./helpers";

const shopify = fakeShopify();
beforeAll(() => shopify.server.listen({ onUnhandledRequest: "bypass" }));
afterAll(() => shopify.server.close());

forEachDatabase("refund failures on the dashboard, per locale", (t) => {
  let h: AppHarness;
  let shop: string;
  let tenantId: string;
  let cookie: string;
  const url = (path: string) => `${h.app.url}${path}`;

  beforeAll(async () => {
    h = await startAppHarness(t().db);
    ({ shop, tenantId } = await h.install());
    ({ cookie } = merchantSession(shop));

    // Paid S/ 149.90: one refund above it (refused by the engine), one PagoEfectivo rejects.
    const paid = await payment(true);
    await failedRefund(paid, "200.00");
    const rejected = refundSessionBody(paid, "10.00");
    expect(
      (await postJson(url("/shopify/refund-session"), rejected, sessionHeaders(shop))).status,
    ).toBe(201);
    const submitted = (await eventually(async () => {
      const r = await findRefundByPlatformId(t().db, tenantId, rejected.id);
      return r?.status === "submitted" ? r : null;
    }))!;
    const atPe = (await h.control("GET", "/_sandbox/refunds")).json.data as Array<{
      refundId: string;
      reference: string;
    }>;
    const peRefund = atPe.find((x) => x.reference === submitted.id)!;
    const reject = await h.control("POST", `/_sandbox/refunds/${peRefund.refundId}/reject`, {
      reasonCode: "R07",
    });
    expect(reject.status).toBe(200);
    await eventually(
      async () =>
        (await findRefundByPlatformId(t().db, tenantId, rejected.id))?.status === "failed",
    );
    // Unpaid: nothing to refund.
    await failedRefund(await payment(false), "10.00");
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  const payment = (paid: boolean) => h.payment(shop, tenantId, paid);

  async function failedRefund(paymentId: string, amount: string): Promise<void> {
    const refund = refundSessionBody(paymentId, amount);
    const res = await postJson(url("/shopify/refund-session"), refund, sessionHeaders(shop));
    expect(res.status).toBe(201);
    await eventually(
      async () => (await findRefundByPlatformId(t().db, tenantId, refund.id))?.status === "failed",
    );
  }

  async function refundsTable(query: string, headers: Record<string, string> = {}) {
    const res = await fetch(url(`/dashboard${query}`), { headers: { cookie, ...headers } });
    expect(res.status).toBe(200);
    return res.text();
  }

  it("in Spanish, addressing the merchant as usted", async () => {
    const html = await refundsTable("?lang=es");
    expect(html).toContain(
      "El monto supera el saldo reembolsable (S/ 149.90), contando los reembolsos ya hechos o en curso.",
    );
    expect(html).toContain("PagoEfectivo lo rechazó (código R07).");
    expect(html).toContain(
      "El pedido no tiene un pago confirmado por PagoEfectivo: no hay nada que reembolsar.",
    );
  });

  it("in English, with none of the engine's Spanish text", async () => {
    const html = await refundsTable("?lang=en");
    expect(html).toContain(
      "The amount exceeds the refundable balance (S/ 149.90), counting refunds already made or in progress.",
    );
    expect(html).toContain("PagoEfectivo rejected it (code R07).");
    expect(html).toContain(
      "The order has no payment confirmed by PagoEfectivo: there is nothing to refund.",
    );
    expect(html).not.toMatch(/rechaz|supera|reembolsable/i);
  });

  it("follows the browser's language when the page names none", async () => {
    const html = await refundsTable("", { "accept-language": "en-US,en;q=0.9" });
    expect(html).toContain("PagoEfectivo rejected it (code R07).");
    const es = await refundsTable("", { "accept-language": "es-PE" });
    expect(es).toContain("PagoEfectivo lo rechazó (código R07).");
  });
});
