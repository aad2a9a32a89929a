import { normaliseShopDomain, type Database } from "@pe-pay/engine";

/**
 * Per shop, the instant before which merchant UI sessions are refused: what a logout leaves for
 * every app instance (the cookie is signed, not stored, so no instance can forget it otherwise).
 *
 * Clocks. A session carries its issue time from the clock of the instance that issued it; the
 * logout instant is taken from the database clock, the one clock every instance shares, so
 * the stored instant does not depend on which instance served the logout and the comparison is
 * off by at most the issuing instance's offset from the database (NTP keeps it to milliseconds):
 * - an issuer running ahead could have a session issued just before the logout survive it;
 * - an issuer running behind refuses a session it issues just after the logout, until its clock
 *   passes the instant (the merchant opens the app again: failing closed).
 * The session being logged out is refused whatever the skew: the instant is at least its own
 * issue time + 1 ms. Instants are whole milliseconds, as issue times are.
 */
export class MerchantSessionStore {
  constructor(private readonly db: Database) {}

  /**
   * Refuses, from now on and on every instance, the shop's sessions issued up to `issuedAt`
   * (the logged-out session's) and up to the database's now. Returns the instant now in force,
   * or null for a shop we do not know (its sessions are refused anyway).
   */
  async logOut(shopDomain: string, issuedAt: Date): Promise<Date | null> {
    const { rows } = await this.db.query<{ not_before: Date }>(
      `INSERT INTO shopify_merchant_sessions (tenant_id, not_before)
       SELECT id, GREATEST(date_trunc('milliseconds', now()), $2::timestamptz + interval '1 millisecond')
       FROM tenants WHERE platform = 'shopify' AND shop_domain = $1
       ON CONFLICT (tenant_id) DO UPDATE
         SET not_before = GREATEST(shopify_merchant_sessions.not_before, EXCLUDED.not_before),
             updated_at = now()
       RETURNING not_before`,
      [normaliseShopDomain(shopDomain), issuedAt],
    );
    return rows[0]?.not_before ?? null;
  }

  /** The shop's instant, or null if it never logged out. */
  async notBefore(shopDomain: string): Promise<Date | null> {
    const { rows } = await this.db.query<{ not_before: Date }>(
      `SELECT m.not_before FROM shopify_merchant_sessions m
       JOIN tenants t ON t.id = m.tenant_id
       WHERE t.platform = 'shopify' AND t.shop_domain = $1`,
      [normaliseShopDomain(shopDomain)],
    );
    return rows[0]?.not_before ?? null;
  }
}
