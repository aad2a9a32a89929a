import {
  DEFAULT_REFUND_WINDOW_DAYS,
  RefundRefusedError,
  formatMoneyForShopper,
  isAppError,
  isCurrency,
  type Money,
} from "@pe-pay/core";

/** Merchant-facing texts sent to Shopify admin, in the shop's locale. */
export type MerchantLocale = "es" | "en";

/**
 * Spanish for Spanish-speaking shops (`es`, `es-PE`…), English for any other language. A missing
 * tag (Shopify always sends one) falls back to Spanish, the language of the app's market.
 */
export function merchantLocale(tag: unknown): MerchantLocale {
  if (typeof tag !== "string" || tag.trim() === "") return "es";
  return /^es(?:[-_]|$)/i.test(tag.trim()) ? "es" : "en";
}

/** Shopify shows merchantMessage in admin; keep it short and free of personal data. */
const MAX_MESSAGE = 255;

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

/**
 * Why a refund was refused, as data: the words are chosen per locale only when the message is
 * built, so an English shop never reads the engine's Spanish text.
 */
export const REFUND_REJECTION_CODES = [
  "not_paid",
  "above_balance",
  "window_elapsed",
  "credit_note_missing",
  "currency_mismatch",
  "invalid_amount",
  "request_conflict",
  /** Paid in another PagoEfectivo environment (sandbox / production) than the store uses now. */
  "environment_changed",
  /** PagoEfectivo refused the submission; `detail` holds its own words (not translatable). */
  "pagoefectivo_refused",
  /** PagoEfectivo rejected a submitted refund; `detail` holds its reason code, if any. */
  "pagoefectivo_rejected",
  "other",
] as const;
export type RefundRejectionCode = (typeof REFUND_REJECTION_CODES)[number];

export interface RefundRejection {
  code: RefundRejectionCode;
  /** above_balance: what is left to refund. */
  refundable?: Money;
  /** currency_mismatch: the payment's currency (the refund asked for another). */
  paymentCurrency?: string;
  /** window_elapsed: the refund window in days. */
  windowDays?: number;
  /** PagoEfectivo's own words or code, quoted as received. */
  detail?: string;
}

type Text = (r: RefundRejection) => string;

const amount = (m: Money | undefined) => (m ? formatMoneyForShopper(m) : "—");
const days = (r: RefundRejection) => r.windowDays ?? DEFAULT_REFUND_WINDOW_DAYS;

const REFUND_REJECTION_TEXT: Record<RefundRejectionCode, Record<MerchantLocale, Text | null>> = {
  not_paid: {
    es: () => "el pedido no tiene un pago confirmado por PagoEfectivo; no hay nada que reembolsar.",
    en: () => "the order has no payment confirmed by PagoEfectivo; there is nothing to refund.",
  },
  above_balance: {
    es: (r) =>
      `el monto supera el saldo reembolsable (${amount(r.refundable)}), contando los reembolsos ya hechos o en curso.`,
    en: (r) =>
      `the amount exceeds the refundable balance (${amount(r.refundable)}), counting refunds already made or in progress.`,
  },
  window_elapsed: {
    es: (r) =>
      `pasaron más de ${days(r)} días desde el pago y PagoEfectivo ya no permite reembolsarlo. Acuerde la devolución con el cliente por otro medio.`,
    en: (r) =>
      `more than ${days(r)} days have passed since the payment and PagoEfectivo no longer allows refunding it. Arrange the return with the customer another way.`,
  },
  credit_note_missing: {
    es: () =>
      "falta el número de la nota de crédito SUNAT. Ingréselo en el panel de la app y vuelva a pedir el reembolso.",
    en: () =>
      "the SUNAT credit note number is missing. Enter it in the app dashboard and request the refund again.",
  },
  currency_mismatch: {
    es: (r) => `el reembolso debe hacerse en la moneda del pago (${r.paymentCurrency ?? "—"}).`,
    en: (r) => `the refund must be in the payment's currency (${r.paymentCurrency ?? "—"}).`,
  },
  invalid_amount: {
    es: () => "el monto debe ser mayor que cero, con a lo sumo dos decimales.",
    en: () => "the amount must be greater than zero, with at most two decimals.",
  },
  request_conflict: {
    es: () =>
      "este reembolso ya se pidió con otros datos (pedido, monto o motivo). Cree un reembolso nuevo.",
    en: () =>
      "this refund was already requested with different details (order, amount or reason). Create a new refund.",
  },
  environment_changed: {
    es: () =>
      "el pago se hizo en otro entorno de PagoEfectivo (pruebas o producción) que el que la tienda usa ahora; no se puede reembolsar por PagoEfectivo. Acuerde la devolución con el cliente por otro medio.",
    en: () =>
      "the payment was made in another PagoEfectivo environment (test or production) than the one the store uses now; it cannot be refunded through PagoEfectivo. Arrange the return with the customer another way.",
  },
  pagoefectivo_refused: {
    es: (r) => `PagoEfectivo lo rechazó${r.detail ? `: «${r.detail}»` : "."}`,
    en: (r) => `PagoEfectivo refused it${r.detail ? `: "${r.detail}"` : "."}`,
  },
  pagoefectivo_rejected: {
    es: (r) => `PagoEfectivo lo rechazó${r.detail ? ` (código ${r.detail})` : ""}.`,
    en: (r) => `PagoEfectivo rejected it${r.detail ? ` (code ${r.detail})` : ""}.`,
  },
  // A reason we cannot word: its detail is quoted as is, or the merchant is sent to the app.
  other: { es: null, en: null },
};

const REFUND_FAILED: Record<MerchantLocale, { lead: string; generic: string }> = {
  es: {
    lead: "PagoEfectivo no pudo completar la devolución: ",
    generic: "PagoEfectivo no pudo completar la devolución. Revise el panel de la app.",
  },
  en: {
    lead: "PagoEfectivo could not complete the refund: ",
    generic: "PagoEfectivo could not complete the refund. Check the app dashboard.",
  },
};

/** A bare string is a reason we cannot word (e.g. PagoEfectivo's text): quoted as is. */
export function refundRejectedMessage(
  locale: MerchantLocale,
  reason: RefundRejection | string | null,
): string {
  const words = REFUND_FAILED[locale];
  const rejection: RefundRejection | null =
    typeof reason === "string" ? { code: "other", detail: reason } : reason;
  if (!rejection) return words.generic;
  const text = REFUND_REJECTION_TEXT[rejection.code]?.[locale];
  if (text) return clip(words.lead + text(rejection));
  const detail = rejection.detail?.trim();
  return clip(detail ? words.lead + detail : words.generic);
}

function isRejectionCode(v: unknown): v is RefundRejectionCode {
  return typeof v === "string" && (REFUND_REJECTION_CODES as readonly string[]).includes(v);
}

/** Where the wiring leaves the rejection on a refund view (RefundView has no field for it). */
export const REFUND_REJECTION_KEY = "rejection";

/**
 * The rejection attached to a failed refund's view by the wiring, or its failure text as an
 * `other` reason (the engine's view carries no failure code today).
 */
export function refundRejectionOf(refund: {
  failureReason: string | null;
  platformData?: Record<string, unknown>;
}): RefundRejection | null {
  const attached = refund.platformData?.[REFUND_REJECTION_KEY] as RefundRejection | undefined;
  if (attached && isRejectionCode(attached.code)) return attached;
  const detail = refund.failureReason?.trim();
  return detail ? { code: "other", detail } : null;
}

/**
 * A failed refund row as the engine stores it → the reason as data. `failureCode` is the
 * engine's: a guard refusal (with its stored figures), `credit_note_missing`, a PagoEfectivo
 * refusal (`pagoefectivo_*`, words in `failureReason`) or PagoEfectivo's rejection reason code.
 */
export function refundRejectionFromFailure(failure: {
  failureCode: string | null;
  failureReason: string | null;
  /** The payment's currency. */
  currency: string;
  /** What the engine's guard stored with a refusal (`platformData.engineRefusal`). */
  refusal?: { reason?: unknown; refundableMinor?: unknown } | null;
}): RefundRejection | null {
  const code = failure.failureCode ?? "";
  const reason = typeof failure.refusal?.reason === "string" ? failure.refusal.reason : code;
  switch (reason) {
    case "not_paid":
    case "window_elapsed":
    case "invalid_amount":
    case "credit_note_missing":
    case "environment_changed":
      return { code: reason };
    case "currency_mismatch":
      return { code: reason, paymentCurrency: failure.currency };
    case "above_balance": {
      const minor = failure.refusal?.refundableMinor;
      return {
        code: reason,
        ...(typeof minor === "number" && isCurrency(failure.currency)
          ? { refundable: { minor, currency: failure.currency } }
          : {}),
      };
    }
  }
  if (code.startsWith("pagoefectivo_")) {
    return { code: "pagoefectivo_refused", ...detailOf(failure.failureReason) };
  }
  if (code === "invalid_request" || code === "") {
    return failure.failureReason ? { code: "other", detail: failure.failureReason } : null;
  }
  return { code: "pagoefectivo_rejected", ...(code === "rejected" ? {} : { detail: code }) };
}

function detailOf(text: string | null): { detail?: string } {
  const t = text?.trim();
  return t ? { detail: t } : {};
}

/**
 * An error the engine threw at a refund request (nothing was stored, so no refund.failed will
 * follow) → the reason as data. Unknown errors give no detail: their text is not for Shopify admin.
 */
export function refundRejectionFromError(error: unknown, currency: string): RefundRejection {
  if (error instanceof RefundRefusedError) {
    return (
      refundRejectionFromFailure({
        failureCode: error.reason,
        failureReason: null,
        currency,
        refusal: { reason: error.reason, refundableMinor: error.refundableMinor },
      }) ?? { code: "other" }
    );
  }
  // The engine's RefundRequestConflictError: the same refund id with other details.
  if (isAppError(error) && error.code === "conflict") return { code: "request_conflict" };
  return { code: "other" };
}

export function voucherRejectedMessage(
  locale: MerchantLocale,
  kind: "expired" | "cancelled",
  cip: string | null,
): string {
  const ref = cip ? ` ${cip}` : "";
  if (locale === "en") {
    return clip(
      kind === "expired"
        ? `PagoEfectivo CIP${ref} expired without payment.`
        : `PagoEfectivo CIP${ref} was cancelled before payment.`,
    );
  }
  return clip(
    kind === "expired"
      ? `El CIP${ref} de PagoEfectivo venció sin pago.`
      : `El CIP${ref} de PagoEfectivo fue anulado antes del pago.`,
  );
}
