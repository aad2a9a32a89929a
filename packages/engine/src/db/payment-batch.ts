import type { Money } from "@pe-pay/core";
import type { Tx } from "./database";
import { ADVISORY_NAMESPACE } from "./migrate";
import { mapVoucher, type VoucherRecord } from "./vouchers";

/**
 * Set-based statements of the batched payment path (notifications/payment-batch.ts): a handful
 * of statements per batch instead of per payment, because on this kind of host every round trip
 * to the database costs more CPU than the work it carries.
 */

/** Advisory-lock class for "a payment is being applied to this order group" (see applyPayment). */
export const GROUP_LOCK_CLASS = ADVISORY_NAMESPACE + 11;

/**
 * Locks the vouchers whose CURRENT CIP is one of `keys`, in id order (LockRows sits above the
 * sort, so two batches lock shared rows in the same order and cannot deadlock on them).
 */
export async function lockVouchersByCurrentCip(
  tx: Tx,
  keys: readonly { tenantId: string; cip: string }[],
): Promise<VoucherRecord[]> {
  if (keys.length === 0) return [];
  const { rows } = await tx.query(
    `SELECT v.* FROM vouchers v
     WHERE (v.tenant_id, v.cip) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))
     ORDER BY v.id
     FOR UPDATE`,
    [keys.map((k) => k.tenantId), keys.map((k) => k.cip)],
  );
  return rows.map(mapVoucher);
}

/**
 * Takes the order-group advisory locks of several vouchers, in lock-key order (a sub-select
 * sorted and fenced with OFFSET 0, so the locks are taken in that order, not the scan's).
 */
export async function lockOrderGroups(
  tx: Tx,
  groups: readonly { tenantId: string; groupKey: string }[],
): Promise<void> {
  if (groups.length === 0) return;
  await tx.query(
    `SELECT pg_advisory_xact_lock($1, h) FROM (
       SELECT DISTINCT hashtext(k) AS h FROM unnest($2::text[]) k ORDER BY 1 OFFSET 0
     ) s`,
    [GROUP_LOCK_CLASS, groups.map((g) => `${g.tenantId}:${g.groupKey}`)],
  );
}

export interface PaymentFacts {
  /** Every CIP of the voucher, oldest first. */
  cips: string[];
  /** An attention item already exists for a payment of the voucher's current CIP. */
  seen: boolean;
  /** Another voucher of the same order group is already paid. */
  siblingPaid: boolean;
}

/** What the state machine needs besides the voucher rows, for all of them in one statement. */
export async function readPaymentFacts(
  tx: Tx,
  voucherIds: readonly string[],
  paidStatuses: readonly string[],
): Promise<Map<string, PaymentFacts>> {
  const facts = new Map<string, PaymentFacts>();
  if (voucherIds.length === 0) return facts;
  const { rows } = await tx.query<{
    id: string;
    cips: string[] | null;
    seen: boolean;
    sibling_paid: boolean;
  }>(
    `SELECT v.id,
       (SELECT array_agg(c.cip ORDER BY c.created_at, c.cip) FROM voucher_cips c
         WHERE c.voucher_id = v.id) AS cips,
       EXISTS (SELECT 1 FROM attention_items a
         WHERE a.tenant_id = v.tenant_id AND a.dedupe_key = 'payment:' || v.cip) AS seen,
       (v.group_key IS NOT NULL AND EXISTS (
         SELECT 1 FROM vouchers s WHERE s.tenant_id = v.tenant_id AND s.group_key = v.group_key
           AND s.id <> v.id AND s.status = ANY($2::text[]))) AS sibling_paid
     FROM vouchers v WHERE v.id = ANY($1::uuid[])`,
    [[...voucherIds], [...paidStatuses]],
  );
  for (const r of rows) {
    facts.set(String(r.id), {
      cips: r.cips ?? [],
      seen: Boolean(r.seen),
      siblingPaid: Boolean(r.sibling_paid),
    });
  }
  return facts;
}

export interface PaidTransition {
  voucherId: string;
  cip: string;
  paidAt: Date;
  amount: Money;
  operationNumber: string;
}

/**
 * Moves several vouchers to `paid` in one guarded statement (only rows still in `from` move;
 * the caller compares what came back with what it asked for). Same columns as the one-by-one
 * transition in applyPayment: polling and the expiry lease stop.
 */
export async function markVouchersPaid(
  tx: Tx,
  transitions: readonly PaidTransition[],
  from: readonly string[],
): Promise<VoucherRecord[]> {
  if (transitions.length === 0) return [];
  const { rows } = await tx.query(
    `UPDATE vouchers v SET status = 'paid', cip = u.cip, paid_at = u.paid_at,
       paid_amount_minor = u.minor, paid_currency = u.currency, payment_operation_number = u.op,
       next_poll_at = NULL, expiry_lease_until = NULL, updated_at = now(), version = v.version + 1
     FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::bigint[], $5::text[], $6::text[])
       AS u(id, cip, paid_at, minor, currency, op)
     WHERE v.id = u.id AND v.status = ANY($7::text[])
     RETURNING v.*`,
    [
      transitions.map((t) => t.voucherId),
      transitions.map((t) => t.cip),
      transitions.map((t) => t.paidAt.toISOString()),
      transitions.map((t) => t.amount.minor),
      transitions.map((t) => t.amount.currency),
      transitions.map((t) => t.operationNumber),
      [...from],
    ],
  );
  return rows.map(mapVoucher);
}
