/**
 * The merchant message of refundSessionReject follows the shop's locale (Spanish for es shops,
 * English otherwise) and names the exact reason with its figures, through the real wiring:
 * session endpoints → engine → PagoEfectivo sandbox → outbox → msw Shopify, on both databases.
 * The wording itself is covered case by case in refund-locale-messages.test.ts.
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

const ES = "PagoEfectivo no pudo completar la devolución: ";
const EN = "PagoEfectivo could not complete the refund: ";

const shopify = fakeShopify();
beforeAll(() => shopify.server.listen({ onUnhandledRequest: "bypass" }));
afterAll(() => shopify.server.close());

forEachDatabase("refund rejections in the shop's locale", (t) => {
  let h: AppHarness;
  let shop: string;
  let tenantId: string;
  const url = (path: string) => `${h.app.url}${path}`;

  beforeAll(async () => {
    h = await startAppHarness(t().db);
    ({ shop, tenantId } = await h.install());
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  const payment = (paid: boolean) => h.payment(shop, tenantId, paid);

  /** Posts a refund session and returns the merchantMessage of its refundSessionReject. */
  async function refusedRefund(
    paymentId: string,
    amount: string,
    locale: string,
    over: Record<string, unknown> = {},
  ): Promise<string> {
    const refund = { ...refundSessionBody(paymentId, amount), merchant_locale: locale, ...over };
    const res = await postJson(url("/shopify/refund-session"), refund, sessionHeaders(shop));
    expect(res.status).toBe(201);
    const reject = await eventually(async () => {
      await h.app.dispatcher.runOnce();
      return shopify.of("refundSessionReject").find((m) => m.variables.id === refund.gid);
    });
    const reason = reject!.variables.reason as { code: string; merchantMessage: string };
    expect(reason.code).toBe("PROCESSING_ERROR");
    return reason.merchantMessage;
  }

  it("above the balance: the exact refundable amount, in Spanish or English", async () => {
    const paymentId = await payment(true);
    // 149.90 − 56.60 in flight = 93.30 left.
    const first = refundSessionBody(paymentId, "56.60");
    expect(
      (await postJson(url("/shopify/refund-session"), first, sessionHeaders(shop))).status,
    ).toBe(201);
    await eventually(async () => {
      const r = await findRefundByPlatformId(t().db, tenantId, first.id);
      return r !== null && r.status !== "requested";
    });

    expect(await refusedRefund(paymentId, "100.00", "es")).toBe(
      `${ES}el monto supera el saldo reembolsable (S/ 93.30), contando los reembolsos ya hechos o en curso.`,
    );
    expect(await refusedRefund(paymentId, "100.00", "en-US")).toBe(
      `${EN}the amount exceeds the refundable balance (S/ 93.30), counting refunds already made or in progress.`,
    );
  });

  it("not paid, currency mismatch and an unknown payment, in both languages", async () => {
    const unpaid = await payment(false);
    expect(await refusedRefund(unpaid, "10.00", "es-PE")).toBe(
      `${ES}el pedido no tiene un pago confirmado por PagoEfectivo; no hay nada que reembolsar.`,
    );
    expect(await refusedRefund(unpaid, "10.00", "en")).toBe(
      `${EN}the order has no payment confirmed by PagoEfectivo; there is nothing to refund.`,
    );

    const paid = await payment(true);
    expect(await refusedRefund(paid, "10.00", "es", { currency: "USD" })).toBe(
      `${ES}el reembolso debe hacerse en la moneda del pago (PEN).`,
    );
    expect(await refusedRefund(paid, "10.00", "fr-FR", { currency: "USD" })).toBe(
      `${EN}the refund must be in the payment's currency (PEN).`,
    );

    // No voucher: the engine stores nothing and the wiring rejects the session itself.
    expect(await refusedRefund("no-such-payment", "10.00", "es")).toBe(
      `${ES}el pedido no tiene un pago confirmado por PagoEfectivo; no hay nada que reembolsar.`,
    );
    expect(await refusedRefund("no-such-payment", "10.00", "en")).toBe(
      `${EN}the order has no payment confirmed by PagoEfectivo; there is nothing to refund.`,
    );
  });

  it("after the refund window, in both languages", async () => {
    const paymentId = await payment(true);
    await h.advance(91 * 24 * 3600_000);
    expect(await refusedRefund(paymentId, "10.00", "es")).toBe(
      `${ES}pasaron más de 90 días desde el pago y PagoEfectivo ya no permite reembolsarlo. Acuerde la devolución con el cliente por otro medio.`,
    );
    expect(await refusedRefund(paymentId, "10.00", "en")).toBe(
      `${EN}more than 90 days have passed since the payment and PagoEfectivo no longer allows refunding it. Arrange the return with the customer another way.`,
    );
  });
});
