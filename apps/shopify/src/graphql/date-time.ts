/**
 * Shopify DateTime for pendingExpiresAt: UTC, second precision, trailing `Z`. Rounds *up* to the
 * next whole second so the value is never earlier than the instant it represents (it must stay
 * ≥ the CIP expiry).
 */
export function toShopifyDateTime(date: Date): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError("invalid date");
  const rounded = new Date(Math.ceil(ms / 1000) * 1000);
  return `${rounded.toISOString().slice(0, 19)}Z`;
}
