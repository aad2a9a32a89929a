import { COPY, type UiLocale } from "./copy";
import { refundFailureText, type FailedRefund } from "./refund-failure";

const money = (minor: number, currency: string) =>
  `${currency === "USD" ? "US$" : "S/"} ${(minor / 100).toFixed(2)}`;
const text = (locale: UiLocale, refund: Partial<FailedRefund>) =>
  refundFailureText(
    COPY[locale],
    { failureCode: null, failureReason: null, paymentCurrency: "PEN", refusal: null, ...refund },
    money,
  );

/** A refusal as the engine stores it: its code, its Spanish and English text, the figures. */
const refusal = (reason: string, refundableMinor = 0) => ({
  failureCode: reason,
  failureReason: "texto del motor",
  refusal: { reason, es: "texto del motor", en: "engine text", refundableMinor },
});

describe("refund failure text in the merchant's locale", () => {
  it("words the engine's refusals from the copy, with their figures", () => {
    expect(text("es", refusal("above_balance", 9330))).toBe(
      "El monto supera el saldo reembolsable (S/ 93.30), contando los reembolsos ya hechos o en curso.",
    );
    expect(text("en", refusal("above_balance", 9330))).toBe(
      "The amount exceeds the refundable balance (S/ 93.30), counting refunds already made or in progress.",
    );
    expect(text("es", refusal("not_paid"))).toBe(
      "El pedido no tiene un pago confirmado por PagoEfectivo: no hay nada que reembolsar.",
    );
    expect(text("en", refusal("not_paid"))).toBe(
      "The order has no payment confirmed by PagoEfectivo: there is nothing to refund.",
    );
    expect(text("es", refusal("window_elapsed"))).toBe(
      "Pasaron más de 90 días desde el pago y PagoEfectivo ya no permite reembolsarlo. Acuerde la devolución con el comprador por otro medio.",
    );
    expect(text("en", { ...refusal("currency_mismatch"), paymentCurrency: "USD" })).toBe(
      "The refund must be in the currency of the payment (USD).",
    );
    expect(text("es", refusal("invalid_amount"))).toBe(
      "El monto debe ser mayor que cero, con dos decimales como máximo.",
    );
  });

  it("a PagoEfectivo rejection names its reason code in either language", () => {
    const row = {
      failureCode: "R07",
      failureReason: "PagoEfectivo rechazó el reembolso (código R07)",
    };
    expect(text("es", row)).toBe("PagoEfectivo lo rechazó (código R07).");
    expect(text("en", row)).toBe("PagoEfectivo rejected it (code R07).");
    const bare = { failureCode: "rejected", failureReason: "PagoEfectivo rechazó el reembolso" };
    expect(text("en", bare)).toBe("PagoEfectivo rejected it.");
  });

  it("PagoEfectivo's own words at submission are quoted as received", () => {
    const row = { failureCode: "pagoefectivo_4001", failureReason: "Operación no permitida" };
    expect(text("es", row)).toBe("PagoEfectivo lo rechazó: «Operación no permitida».");
    expect(text("en", row)).toBe("PagoEfectivo refused it: “Operación no permitida”.");
  });

  it("a reason without words of ours: its detail quoted, else a generic text", () => {
    const row = { failureCode: "invalid_request", failureReason: "Invalid input: cip (missing)" };
    expect(text("en", row)).toBe(
      "The refund could not be completed: “Invalid input: cip (missing)”.",
    );
    expect(text("es", row)).toBe(
      "No se pudo completar el reembolso: «Invalid input: cip (missing)».",
    );
    expect(text("es", {})).toBe(COPY.es.refundFailure.generic);
    expect(text("en", {})).toBe(COPY.en.refundFailure.generic);
  });

  it("the English text never carries the engine's Spanish", () => {
    for (const reason of ["above_balance", "not_paid", "window_elapsed", "invalid_amount"]) {
      expect(text("en", refusal(reason))).not.toContain("texto del motor");
    }
    expect(text("en", { failureCode: "R07", failureReason: "PagoEfectivo rechazó" })).not.toMatch(
      /rechaz/,
    );
  });
});
