import type { Executor } from "./database";
import { mapVoucher, newVoucherParams, type NewVoucher, type VoucherRecord } from "./vouchers";

export interface ClaimedNewVoucher extends NewVoucher {
  /** The creation lease the inserting caller holds from the start (no separate claim). */
  expiryLeaseUntil: Date;
}

export type InsertClaimedOutcome =
  /** Inserted, with the creation lease held by the caller and create_attempts = 1. */
  | { kind: "inserted"; voucher: VoucherRecord; validityHours: number }
  /** The key already had a voucher (a replay, or a key reuse: compare the fingerprint). */
  | { kind: "existing"; voucher: VoucherRecord; validityHours: number | null }
  /**
   * Nothing inserted, nothing found. `validityHours` is the tenant's current setting (null: no
   * settings row). If it differs from the one the expiry was computed with, compute again and
   * retry; if it is the same, a concurrent caller inserted the key and has not committed at this
   * statement's start: read the row again (findVoucherByIdempotencyKey waits for nothing, but
   * ON CONFLICT already waited for that commit).
   */
  | { kind: "none"; validityHours: number | null };

/**
 * createVoucher's first write in ONE statement: reads the tenant's validity setting, inserts the
 * voucher with the creation lease already taken, and returns either the new row or the row the
 * key already has.
 *
 * The expiry (computed by the caller from `validityHours` and the adapter's policy) is only
 * inserted while the stored setting still equals `validityHours`: a caller may pass a remembered
 * value and never reads the settings separately, yet a changed setting can never be applied
 * stale. Pass null to only read (nothing is inserted).
 *
 * The existing-row branch sees rows committed before this statement started. ON CONFLICT waits
 * for a concurrent inserter of the same key to commit, but that row is not visible to this
 * statement's snapshot: the caller reads it with a second statement (outcome `none`).
 */
export async function insertClaimedVoucher(
  q: Executor,
  v: ClaimedNewVoucher,
  validityHours: number | null,
): Promise<InsertClaimedOutcome> {
  const { rows } = await q.query(
    `WITH s AS (
       SELECT validity_hours FROM tenant_settings WHERE tenant_id = $1
     ), ins AS (
       INSERT INTO vouchers (tenant_id, platform_payment_id, idempotency_key, group_key,
         request_fingerprint, transaction_code, amount_minor, currency, status, expires_at,
         shopper_email, shopper_first_name, platform_data, next_poll_at, expiry_lease_until,
         create_attempts)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1
       FROM s WHERE s.validity_hours = $16
       ON CONFLICT DO NOTHING
       RETURNING *
     ), found AS (
       SELECT true AS inserted__, ins.* FROM ins
       UNION ALL
       SELECT false, v.* FROM vouchers v
       WHERE v.tenant_id = $1 AND v.idempotency_key = $3 AND NOT EXISTS (SELECT 1 FROM ins)
     )
     SELECT s.validity_hours AS settings_validity_hours__, found.*
     FROM (SELECT 1) one LEFT JOIN s ON true LEFT JOIN found ON true`,
    [...newVoucherParams(v), v.expiryLeaseUntil, validityHours],
  );
  const row = rows[0]!;
  const stored =
    row.settings_validity_hours__ === null || row.settings_validity_hours__ === undefined
      ? null
      : Number(row.settings_validity_hours__);
  if (row.id === null || row.id === undefined) return { kind: "none", validityHours: stored };
  const voucher = mapVoucher(row);
  return row.inserted__ === true
    ? { kind: "inserted", voucher, validityHours: stored! }
    : { kind: "existing", voucher, validityHours: stored };
}
