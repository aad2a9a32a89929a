import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export interface CspOptions {
  nonce: string;
  /**
   * Who may frame the page. Default `'none'`. An adapter that shows the voucher inside the
   * store's checkout passes e.g. "https://tienda.example.pe".
   */
  frameAncestors?: string[];
}

const NONCE = /^[A-Za-z0-9+/_-]{16,}={0,2}$/;

/** A fresh CSP nonce (128 bits, base64). One per response, never reused. */
export function createNonce(): string {
  return randomBytes(16).toString("base64");
}

/**
 * The voucher's Content-Security-Policy: nothing may load except what is inline and carries the
 * nonce; images only from data: URLs (the merchant logo); fetch only to the same origin (status
 * polling). No third party can be contacted even if an injection slipped through.
 */
export function contentSecurityPolicy(opts: CspOptions): string {
  if (!NONCE.test(opts.nonce)) throw new RangeError("nonce must be ≥16 base64 characters");
  const ancestors = opts.frameAncestors?.length ? opts.frameAncestors : ["'none'"];
  for (const a of ancestors) {
    if (!/^('none'|'self'|https:\/\/[A-Za-z0-9.*:-]+)$/.test(a)) {
      throw new RangeError(`invalid frame ancestor ${a}`);
    }
  }
  return [
    "default-src 'none'",
    "img-src data:",
    `style-src 'nonce-${opts.nonce}'`,
    `script-src 'nonce-${opts.nonce}'`,
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    `frame-ancestors ${ancestors.join(" ")}`,
  ].join("; ");
}

/** Every header the voucher page response needs (the page itself also carries meta robots). */
export function securityHeaders(
  nonce: string,
  opts: Omit<CspOptions, "nonce"> = {},
): Record<string, string> {
  const headers: Record<string, string> = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": contentSecurityPolicy({ nonce, ...opts }),
    "X-Robots-Tag": "noindex, nofollow",
    // The token in the URL must not leak to PagoEfectivo or anyone else via Referer.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
  };
  if (!opts.frameAncestors?.length) headers["X-Frame-Options"] = "DENY";
  return headers;
}

/** An unguessable voucher URL token: 192 random bits, base64url (32 characters). */
export function createVoucherToken(): string {
  return randomBytes(24).toString("base64url");
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAC_BYTES = 16;

/**
 * "<id>.<mac>" where mac = first 128 bits of HMAC-SHA256(secret, "pe-voucher:v1:" + id), so a
 * voucher URL can carry a database id without a lookup table and still be unguessable.
 */
export function signVoucherId(id: string, secret: string): string {
  if (!ID.test(id)) throw new RangeError("voucher id must be 1-64 characters [A-Za-z0-9_-]");
  return `${id}.${mac(id, secret).toString("base64url")}`;
}

/** The id when the token is authentic, otherwise undefined. Compares in constant time. */
export function verifyVoucherId(token: string, secret: string): string | undefined {
  if (typeof token !== "string" || token.length > 200) return undefined;
  const dot = token.lastIndexOf(".");
  if (dot <= 0) return undefined;
  const id = token.slice(0, dot);
  if (!ID.test(id)) return undefined;
  const macText = token.slice(dot + 1);
  const given = Buffer.from(macText, "base64url");
  const expected = mac(id, secret);
  // Buffer ignores stray characters; insist on the one canonical spelling of the MAC.
  if (given.length !== expected.length || given.toString("base64url") !== macText) return undefined;
  return timingSafeEqual(given, expected) ? id : undefined;
}

function mac(id: string, secret: string): Buffer {
  if (typeof secret !== "string" || secret.length < 32) {
    throw new RangeError("voucher signing secret must be at least 32 characters");
  }
  return createHmac("sha256", secret).update(`pe-voucher:v1:${id}`).digest().subarray(0, MAC_BYTES);
}
