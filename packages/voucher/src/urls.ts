/**
 * Links on the voucher come from adapters; anything that is not plain http(s) or a same-site
 * path ("/apps/pe/…") is refused so a `javascript:` or `data:` link can never reach the page.
 */
export function isSafeLink(value: string): boolean {
  if (value.startsWith("/")) return !value.startsWith("//") && !value.startsWith("/\\");
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.username === "";
  } catch {
    return false;
  }
}

const LOGO_DATA_URL = /^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/]+={0,2}$/;
/** Keeps the page under its byte budget on a prepaid data plan. */
export const MAX_LOGO_DATA_URL_LENGTH = 16_000;

export function checkLogoDataUrl(value: string): "ok" | "not_data_url" | "too_large" {
  if (!LOGO_DATA_URL.test(value)) return "not_data_url";
  if (value.length > MAX_LOGO_DATA_URL_LENGTH) return "too_large";
  return "ok";
}
