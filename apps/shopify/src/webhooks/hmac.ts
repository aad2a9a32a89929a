import { createHmac, timingSafeEqual } from "node:crypto";

/** Webhook signature: base64(HMAC-SHA256(raw body bytes, client secret)), compared in constant time. */
export function computeWebhookHmac(rawBody: Uint8Array, secret: string): string {
  return createHmac("sha256", secret).update(rawBody).digest("base64");
}

const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

export function isWebhookHmacValid(
  rawBody: Uint8Array,
  header: string | undefined,
  secret: string,
): boolean {
  const received = header?.trim();
  if (!received || !BASE64_SHA256.test(received)) return false;
  const expected = createHmac("sha256", secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(received, "base64"));
}
