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

/**
 * Claims the voucher e-mail: true for exactly one caller, so the shopper gets one mail even
 * when the outbox delivers `voucher.pending` again.
 */
export async function claimVoucherEmail(
  db: Database,
  voucherId: string,
  at: Date,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE vouchers SET platform_data = jsonb_set(
       jsonb_set(platform_data, '{platform}', COALESCE(platform_data->'platform', '{}'::jsonb)),
       '{platform,emailSentAt}', to_jsonb($2::text))
     WHERE id = $1 AND NOT COALESCE(platform_data->'platform' ? 'emailSentAt', false)`,
    [voucherId, at.toISOString()],
  );
  return rowCount === 1;
}

export async function releaseVoucherEmail(db: Database, voucherId: string): Promise<void> {
  await db.query(
    "UPDATE vouchers SET platform_data = platform_data #- '{platform,emailSentAt}' WHERE id = $1",
    [voucherId],
  );
}
