import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * OAuth `state` nonce kept in a short-lived cookie signed with the app secret and bound to the
 * shop, so a callback for another shop or a forged nonce fails. No server-side storage needed.
 */
export const STATE_COOKIE = "pe_shopify_oauth_state";
export const STATE_TTL_SECONDS = 600;

export function newNonce(): string {
  return randomBytes(16).toString("hex");
}

function sign(nonce: string, shop: string, secret: string): string {
  return createHmac("sha256", secret).update(`oauth-state:${shop}:${nonce}`).digest("base64url");
}

export function stateCookieValue(nonce: string, shop: string, secret: string): string {
  return `${nonce}.${sign(nonce, shop, secret)}`;
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function isStateValid(
  cookieValue: string | undefined,
  stateParam: unknown,
  shop: string,
  secret: string,
): boolean {
  if (!cookieValue || typeof stateParam !== "string" || stateParam.length === 0) return false;
  const dot = cookieValue.indexOf(".");
  if (dot <= 0) return false;
  const nonce = cookieValue.slice(0, dot);
  const signature = cookieValue.slice(dot + 1);
  return safeEqual(signature, sign(nonce, shop, secret)) && safeEqual(nonce, stateParam);
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
