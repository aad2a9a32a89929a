/**
 * Refund rejection reasons as data, worded per locale: Spanish for es shops, English otherwise,
 * with the exact reason and its figures ("S/ 93.30"), never the engine's Spanish text.
 */
import { RefundRefusedError } from "@pe-pay/core";
import { RefundRequestConflictError } from "@pe-pay/engine";
import {
  merchantLocale,
  refundRejectedMessage,
  refundRejectionFromError,
  refundRejectionFromFailure,
  refundRejectionOf,
  type RefundRejection,
} from "../src/merchant-messages";

const ES = "PagoEfectivo no pudo completar la devolución: ";
const EN = "PagoEfectivo could not complete the refund: ";

describe("merchant locale", () => {
  test.each([
    ["es", "es"],
    ["es-PE", "es"],
    ["ES-419", "es"],
    ["en", "en"],
    ["en-US", "en"],
    ["fr-CA", "en"],
    ["pt-BR", "en"],
    ["et", "en"],
    [undefined, "es"],
  ])("%s → %s", (tag, locale) => expect(merchantLocale(tag)).toBe(locale));
});

describe("refund rejection texts", () => {
  const cases: Array<[RefundRejection, string, string]> = [
    [
      { code: "not_paid" },
      "el pedido no tiene un pago confirmado por PagoEfectivo; no hay nada que reembolsar.",
      "the order has no payment confirmed by PagoEfectivo; there is nothing to refund.",
    ],
    [
      { code: "above_balance", refundable: { minor: 9330, currency: "PEN" } },
      "el monto supera el saldo reembolsable (S/ 93.30), contando los reembolsos ya hechos o en curso.",
      "the amount exceeds the refundable balance (S/ 93.30), counting refunds already made or in progress.",
    ],
    [
      { code: "above_balance", refundable: { minor: 123450, currency: "USD" } },
      "el monto supera el saldo reembolsable (US$ 1,234.50), contando los reembolsos ya hechos o en curso.",
      "the amount exceeds the refundable balance (US$ 1,234.50), counting refunds already made or in progress.",
    ],
    [
      { code: "window_elapsed" },
      "pasaron más de 90 días desde el pago y PagoEfectivo ya no permite reembolsarlo. Acuerde la devolución con el cliente por otro medio.",
      "more than 90 days have passed since the payment and PagoEfectivo no longer allows refunding it. Arrange the return with the customer another way.",
    ],
    [
      { code: "credit_note_missing" },
      "falta el número de la nota de crédito SUNAT. Ingréselo en el panel de la app y vuelva a pedir el reembolso.",
      "the SUNAT credit note number is missing. Enter it in the app dashboard and request the refund again.",
    ],
    [
      { code: "currency_mismatch", paymentCurrency: "PEN" },
      "el reembolso debe hacerse en la moneda del pago (PEN).",
      "the refund must be in the payment's currency (PEN).",
    ],
    [
      { code: "invalid_amount" },
      "el monto debe ser mayor que cero, con a lo sumo dos decimales.",
      "the amount must be greater than zero, with at most two decimals.",
    ],
    [
      { code: "request_conflict" },
      "este reembolso ya se pidió con otros datos (pedido, monto o motivo). Cree un reembolso nuevo.",
      "this refund was already requested with different details (order, amount or reason). Create a new refund.",
    ],
    [
      { code: "pagoefectivo_refused", detail: "Cuenta bancaria no registrada" },
      "PagoEfectivo lo rechazó: «Cuenta bancaria no registrada»",
      'PagoEfectivo refused it: "Cuenta bancaria no registrada"',
    ],
    [
      { code: "pagoefectivo_rejected", detail: "R07" },
      "PagoEfectivo lo rechazó (código R07).",
      "PagoEfectivo rejected it (code R07).",
    ],
    [{ code: "pagoefectivo_rejected" }, "PagoEfectivo lo rechazó.", "PagoEfectivo rejected it."],
    [{ code: "other", detail: "algo raro" }, "algo raro", "algo raro"],
  ];
  test.each(cases)("%j", (rejection, es, en) => {
    expect(refundRejectedMessage("es", rejection)).toBe(ES + es);
    expect(refundRejectedMessage("en", rejection)).toBe(EN + en);
  });

  test("no reason at all: the merchant is sent to the app", () => {
    expect(refundRejectedMessage("es", null)).toBe(
      "PagoEfectivo no pudo completar la devolución. Revise el panel de la app.",
    );
    expect(refundRejectedMessage("en", { code: "other" })).toBe(
      "PagoEfectivo could not complete the refund. Check the app dashboard.",
    );
  });

  test("never longer than Shopify shows", () => {
    const long = refundRejectedMessage("en", { code: "other", detail: "x".repeat(400) });
    expect(long).toHaveLength(255);
  });
});

describe("refund rejections from the engine's data", () => {
  test("a failed row: the guard's reason and figures, not its Spanish text", () => {
    const spanish = "El monto supera el saldo reembolsable (PEN 93.30)…";
    expect(
      refundRejectionFromFailure({
        failureCode: "above_balance",
        failureReason: spanish,
        currency: "PEN",
        refusal: { reason: "above_balance", refundableMinor: 9330 },
      }),
    ).toEqual({ code: "above_balance", refundable: { minor: 9330, currency: "PEN" } });
    expect(
      refundRejectionFromFailure({
        failureCode: "currency_mismatch",
        failureReason: "…",
        currency: "PEN",
      }),
    ).toEqual({ code: "currency_mismatch", paymentCurrency: "PEN" });
    for (const code of ["not_paid", "window_elapsed", "credit_note_missing"]) {
      expect(
        refundRejectionFromFailure({ failureCode: code, failureReason: "…", currency: "PEN" }),
      ).toEqual({ code });
    }
  });

  test("PagoEfectivo's refusals keep its own words; its rejections their code", () => {
    expect(
      refundRejectionFromFailure({
        failureCode: "pagoefectivo_400",
        failureReason: "Cuenta bancaria no registrada",
        currency: "PEN",
      }),
    ).toEqual({ code: "pagoefectivo_refused", detail: "Cuenta bancaria no registrada" });
    expect(
      refundRejectionFromFailure({
        failureCode: "R07",
        failureReason: "PagoEfectivo rechazó el reembolso (código R07)",
        currency: "PEN",
      }),
    ).toEqual({ code: "pagoefectivo_rejected", detail: "R07" });
    expect(
      refundRejectionFromFailure({
        failureCode: "rejected",
        failureReason: "PagoEfectivo rechazó el reembolso",
        currency: "PEN",
      }),
    ).toEqual({ code: "pagoefectivo_rejected" });
  });

  test("errors thrown before anything was stored", () => {
    const refused = new RefundRefusedError("invalid_amount", { es: "x", en: "y" }, 0);
    expect(refundRejectionFromError(refused, "PEN")).toEqual({ code: "invalid_amount" });
    const above = new RefundRefusedError("above_balance", { es: "x", en: "y" }, 500);
    expect(refundRejectionFromError(above, "USD")).toEqual({
      code: "above_balance",
      refundable: { minor: 500, currency: "USD" },
    });
    expect(refundRejectionFromError(new RefundRequestConflictError("r1"), "PEN")).toEqual({
      code: "request_conflict",
    });
    // Internal failures are not quoted to Shopify admin.
    expect(refundRejectionFromError(new Error("ECONNRESET 10.0.0.3"), "PEN")).toEqual({
      code: "other",
    });
  });

  test("a refund view: the attached rejection, else its failure text as is", () => {
    const rejection: RefundRejection = { code: "not_paid" };
    expect(refundRejectionOf({ failureReason: "x", platformData: { rejection } })).toBe(rejection);
    expect(
      refundRejectionOf({ failureReason: "x", platformData: { rejection: { code: "bogus" } } }),
    ).toEqual({ code: "other", detail: "x" });
    expect(refundRejectionOf({ failureReason: null })).toBeNull();
  });
});
