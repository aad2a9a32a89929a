import type { Database } from "@pe-pay/engine";

/**
 * Small facts the Shopify adapter adds to a voucher after creation, kept in the adapter's own
 * part of `vouchers.platform_data` (`{platform: {...}}`, which the engine stores and echoes but
 * never rewrites after creation). Each write touches one key with jsonb_set, so it cannot lose a
 * concurrent write to another key.
 */
async function setPlatformKey(
  db: Database,
  voucherId: string,
  key: string,
  value: unknown,
): Promise<void> {
  await db.query(
    `UPDATE vouchers SET platform_data = jsonb_set(
       jsonb_set(platform_data, '{platform}', COALESCE(platform_data->'platform', '{}'::jsonb)),
       ARRAY['platform', $2::text], $3::jsonb)
     WHERE id = $1`,
    [voucherId, key, JSON.stringify(value)],
  );
}

/** Shopify's thank-you page for this payment session (from paymentSessionPending). */
export function recordRedirectUrl(db: Database, voucherId: string, url: string): Promise<void> {
  return setPlatformKey(db, voucherId, "redirectUrl", url);
}

/** Why the voucher is being cancelled; the deliverer rejects the session only for admin_cancelled. */
export function recordCancelReason(
  db: Database,
  voucherId: string,
  reason: "shopper_switched" | "admin_cancelled",
): Promise<void> {
  return setPlatformKey(db, voucherId, "cancelReason", reason);
}

/** What the voucher e-mail needs besides the voucher view, read with its claim. */
export interface VoucherEmailFacts {
  /** The shopper's address as stored (null: none). */
  to: string | null;
  shopperFirstName: string | null;
  shopDomain: string | null;
  displayName: string | null;
  /** The tenant's enabled payment channels (null: no settings row). */
  enabledChannels: string[] | null;
}

export type VoucherEmailClaim =
  /** This caller sends the e-mail: the claim is taken (release it if sending fails). */
  | { claimed: true; facts: VoucherEmailFacts }
  /** Not this caller's to send: no address, already claimed, or the voucher is not pending. */
  | { claimed: false; facts: VoucherEmailFacts | null };

/**
 * Claims the voucher e-mail: claimed for exactly one caller, so the shopper gets one mail even
 * when the outbox delivers `voucher.pending` again. The UPDATE's guard (still pending, an
 * address, not claimed before) is re-checked on the latest row version, so two instances racing
 * for the same voucher cannot both win. The same statement returns what the e-mail shows (the
 * shopper's name and address, the shop, its channels), so sending costs no further reads.
 */
export async function claimVoucherEmail(
  db: Database,
  voucherId: string,
  at: Date,
): Promise<VoucherEmailClaim> {
  const { rows } = await db.query<{
    shopper_email: string | null;
    shopper_first_name: string | null;
    shop_domain: string | null;
    display_name: string | null;
    enabled_channels: string[] | null;
    claimed: boolean;
  }>(
    `WITH claimed AS (
       UPDATE vouchers SET platform_data = jsonb_set(
         jsonb_set(platform_data, '{platform}', COALESCE(platform_data->'platform', '{}'::jsonb)),
         '{platform,emailSentAt}', to_jsonb($2::text))
       WHERE id = $1 AND status = 'pending' AND btrim(COALESCE(shopper_email, '')) <> ''
         AND NOT COALESCE(platform_data->'platform' ? 'emailSentAt', false)
       RETURNING id
     )
     SELECT v.shopper_email, v.shopper_first_name, t.shop_domain, t.display_name,
       s.enabled_channels, EXISTS (SELECT 1 FROM claimed) AS claimed
     FROM vouchers v
       LEFT JOIN tenants t ON t.id = v.tenant_id
       LEFT JOIN tenant_settings s ON s.tenant_id = v.tenant_id
     WHERE v.id = $1`,
    [voucherId, at.toISOString()],
  );
  const r = rows[0];
  if (!r) return { claimed: false, facts: null };
  const facts: VoucherEmailFacts = {
    to: r.shopper_email,
    shopperFirstName: r.shopper_first_name,
    shopDomain: r.shop_domain,
    displayName: r.display_name,
    enabledChannels: r.enabled_channels,
  };
  return r.claimed === true ? { claimed: true, facts } : { claimed: false, facts };
}

export async function releaseVoucherEmail(db: Database, voucherId: string): Promise<void> {
  await db.query(
    "UPDATE vouchers SET platform_data = platform_data #- '{platform,emailSentAt}' WHERE id = $1",
    [voucherId],
  );
}
