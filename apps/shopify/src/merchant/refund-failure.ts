import { DEFAULT_REFUND_WINDOW_DAYS } from "@pe-pay/core";
import { refundRejectionFromFailure } from "../merchant-messages";
import type { Copy } from "./copy";

/** A failed refund as the dashboard reads it from the refunds table. */
export interface FailedRefund {
  failureCode: string | null;
  /** The engine's text: Spanish, and only quoted when it is PagoEfectivo's own words. */
  failureReason: string | null;
  /** The payment's (voucher's) currency. */
  paymentCurrency: string;
  /** What the engine's guard stored with a refusal (`platform_data.engineRefusal`). */
  refusal: unknown;
}

/**
 * Why a refund failed, in the merchant's language: the reason is read as data from the row (its
 * code and figures) and worded from the copy; only PagoEfectivo's own words are quoted as is.
 */
export function refundFailureText(
  t: Copy,
  refund: FailedRefund,
  money: (minor: number, currency: string) => string,
): string {
  const refusal =
    refund.refusal && typeof refund.refusal === "object"
      ? (refund.refusal as { reason?: unknown; refundableMinor?: unknown })
      : null;
  const rejection = refundRejectionFromFailure({
    failureCode: refund.failureCode,
    failureReason: refund.failureReason,
    currency: refund.paymentCurrency,
    refusal,
  });
  if (!rejection) return t.refundFailure.generic;
  const detail = rejection.detail?.trim() ?? "";
  const words = t.refundFailure.reasons[rejection.code];
  if (words) {
    return words({
      refundable: rejection.refundable
        ? money(rejection.refundable.minor, rejection.refundable.currency)
        : "—",
      paymentCurrency: rejection.paymentCurrency ?? refund.paymentCurrency,
      windowDays: rejection.windowDays ?? DEFAULT_REFUND_WINDOW_DAYS,
      detail,
    });
  }
  return detail ? t.refundFailure.detail(detail) : t.refundFailure.generic;
}
