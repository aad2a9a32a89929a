import { createHmac, timingSafeEqual } from "node:crypto";

export const WC_SIGNATURE_HEADER = "X-WC-Webhook-Signature";

/** base64(HMAC-SHA256(secret, exact raw body bytes)) — what WooCommerce sends. */
export function wooWebhookSignature(rawBody: Uint8Array, secret: string): string {
  return createHmac("sha256", secret).update(rawBody).digest("base64");
}

const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

/** Constant-time check on the raw bytes; a malformed header is simply "not valid". */
export function isWooWebhookSignatureValid(
  rawBody: Uint8Array,
  received: string | undefined,
  secret: string,
): boolean {
  const value = received?.trim();
  if (!value || !BASE64_SHA256.test(value)) return false;
  const expected = createHmac("sha256", secret).update(rawBody).digest();
  const got = Buffer.from(value, "base64");
  return got.length === expected.length && timingSafeEqual(got, expected);
}

const PING = /^webhook_id=\d{1,20}$/;

/**
 * The creation ping: an unsigned POST whose whole body is `webhook_id=<n>`. It must get exactly
 * 200 and is never processed.
 */
export function isWebhookPing(rawBody: Uint8Array, signatureHeader: string | undefined): boolean {
  if (signatureHeader !== undefined && signatureHeader !== "") return false;
  if (rawBody.length > 40) return false;
  return PING.test(Buffer.from(rawBody).toString("latin1").trim());
}
