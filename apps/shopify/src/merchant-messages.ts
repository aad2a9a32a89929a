/** Merchant-facing texts sent to Shopify admin, in the shop's locale (Spanish unless English). */
export type MerchantLocale = "es" | "en";

export function merchantLocale(tag: unknown): MerchantLocale {
  return typeof tag === "string" && /^en\b/i.test(tag) ? "en" : "es";
}

/** Shopify shows merchantMessage in admin; keep it short and free of personal data. */
const MAX_MESSAGE = 255;

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

export function refundRejectedMessage(locale: MerchantLocale, reason: string | null): string {
  const detail = reason?.trim();
  if (locale === "en") {
    return clip(
      detail
        ? `PagoEfectivo could not complete the refund: ${detail}`
        : "PagoEfectivo could not complete the refund. Check the app dashboard.",
    );
  }
  return clip(
    detail
      ? `PagoEfectivo no pudo completar la devolución: ${detail}`
      : "PagoEfectivo no pudo completar la devolución. Revisa el panel de la app.",
  );
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
