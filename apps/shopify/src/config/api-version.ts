/**
 * The one place the Shopify API version is pinned. The GraphQL client, the expected
 * `Shopify-Api-Version` header and both TOML files must agree with it (a test parses the TOML files
 * and compares). Bump it here, in `shopify.app.toml` and in the extension TOML together.
 */
export const SHOPIFY_API_VERSION = "2026-07";

const VERSION_FORMAT = /^(\d{4}-\d{2}|unstable)$/;

export function isApiVersion(value: string): boolean {
  return VERSION_FORMAT.test(value);
}

/** `unstable` sorts after every dated version: it carries everything released so far. */
export function apiVersionAtLeast(version: string, minimum: string): boolean {
  if (version === "unstable") return true;
  if (minimum === "unstable") return false;
  return version >= minimum;
}

/**
 * `CANCELLED_PAYMENT` was only seen in the 2026-07 reject-reason enum and in `unstable`; older
 * versions reject it as an unknown enum value, so fall back to `PROCESSING_ERROR` (valid in all).
 */
export function supportsCancelledPaymentReason(version: string): boolean {
  return apiVersionAtLeast(version, "2026-07");
}
