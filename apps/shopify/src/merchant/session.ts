import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Request, Response } from "express";
import { readCookie } from "../oauth/state";

/**
 * The merchant UI session: a cookie issued after the OAuth install (the only moment we know the
 * browser belongs to someone who could install the app on that shop), signed with the app
 * secret, bound to one shop and an expiry. CSRF tokens are derived from the session id, so
 * they need no storage either and die with the session.
 */
export const SESSION_COOKIE = "pe_shopify_merchant";

export interface MerchantSession {
  shop: string;
  sid: string;
  /**
   * Issued at (ms, the issuing instance's clock), compared with the shop's logout instant.
   * Cookies issued before it was added have none and count as issued at the epoch: any logout
   * of their shop ends them.
   */
  iat?: number;
  exp: number;
}

function sign(payload: string, secret: string): string {
  return createHmac("sha256", secret).update(`merchant-session:${payload}`).digest("base64url");
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function encodeSession(s: MerchantSession, secret: string): string {
  const payload = Buffer.from(JSON.stringify(s)).toString("base64url");
  return `${payload}.${sign(payload, secret)}`;
}

export function decodeSession(
  value: string | undefined,
  secret: string,
  now: Date,
): MerchantSession | null {
  if (!value) return null;
  const dot = value.indexOf(".");
  if (dot <= 0) return null;
  const payload = value.slice(0, dot);
  if (!safeEqual(value.slice(dot + 1), sign(payload, secret))) return null;
  try {
    const s = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as MerchantSession;
    if (typeof s.shop !== "string" || typeof s.sid !== "string" || typeof s.exp !== "number") {
      return null;
    }
    if (s.iat !== undefined && typeof s.iat !== "number") return null;
    return s.exp > now.getTime() ? s : null;
  } catch {
    return null;
  }
}

export function csrfToken(session: MerchantSession, secret: string): string {
  return createHmac("sha256", secret).update(`csrf:${session.sid}`).digest("base64url");
}

export function isCsrfValid(session: MerchantSession, token: unknown, secret: string): boolean {
  return typeof token === "string" && safeEqual(token, csrfToken(session, secret));
}

export function issueSession(
  res: Response,
  args: { shop: string; secret: string; now: Date; ttlMs: number; secure: boolean },
): MerchantSession {
  const session = {
    shop: args.shop,
    sid: randomBytes(16).toString("base64url"),
    iat: args.now.getTime(),
    exp: args.now.getTime() + args.ttlMs,
  };
  res.cookie(SESSION_COOKIE, encodeSession(session, args.secret), {
    httpOnly: true,
    secure: args.secure,
    // Lax: the cookie rides the top-level navigation back from Shopify's admin, never a
    // cross-site POST.
    sameSite: "lax",
    maxAge: args.ttlMs,
    path: "/",
  });
  return session;
}

export function readSession(req: Request, secret: string, now: Date): MerchantSession | null {
  return decodeSession(readCookie(req.headers.cookie, SESSION_COOKIE), secret, now);
}

/** When the session was issued, as compared with a logout instant (see `iat`). */
export function issuedAt(session: MerchantSession): Date {
  return new Date(session.iat ?? 0);
}

/** Whether a logout of the session's shop at `notBefore` (null: none yet) ended the session. */
export function isLoggedOut(session: MerchantSession, notBefore: Date | null): boolean {
  return notBefore !== null && issuedAt(session).getTime() < notBefore.getTime();
}

/**
 * Sessions logged out on this process: the fast path, refused without asking the database. The
 * logout that holds on every instance (and after a restart) is the shop's "not before" instant
 * in storage (storage/merchant-sessions.ts), which the dashboard checks on every request.
 */
export class RevokedSessions {
  /** sid → the session's own expiry, after which the cookie is refused anyway. */
  private readonly revoked = new Map<string, number>();

  /** `max` bounds memory; past it the earliest logouts are forgotten first. */
  constructor(private readonly max = 10_000) {}

  revoke(session: MerchantSession, now: Date): void {
    for (const [sid, exp] of this.revoked) {
      if (exp <= now.getTime()) this.revoked.delete(sid);
    }
    this.revoked.set(session.sid, session.exp);
    for (const sid of this.revoked.keys()) {
      if (this.revoked.size <= this.max) break;
      this.revoked.delete(sid);
    }
  }

  has(session: MerchantSession): boolean {
    return this.revoked.has(session.sid);
  }

  get size(): number {
    return this.revoked.size;
  }
}
