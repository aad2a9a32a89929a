import type { Tx } from "../db/database";
import { markVouchersExpired, type VoucherRecord } from "../db/vouchers";
import { json } from "../db/sql-helpers";
import { toVoucherView } from "../vouchers/views";

/**
 * `markRetired(…, "expired")` for a whole batch, in the caller's transaction: one guarded UPDATE
 * and one multi-row outbox insert instead of two statements per voucher. The outbox insert is
 * `enqueueOutbox` (outbox.ts) for many aggregates at once: each voucher appears once, so each
 * gets its own next `seq` from its `outbox_sequences` row (upserted in id order, so two batches
 * can never lock the same counters in opposite orders), and that row's lock, held to commit,
 * keeps per-voucher seq order equal to commit order exactly as the single-row insert does.
 * Returns the vouchers that moved; the others were finished by someone else first.
 */
export async function markBatchExpired(
  tx: Tx,
  vouchers: readonly VoucherRecord[],
): Promise<VoucherRecord[]> {
  const ids = [...new Set(vouchers.map((v) => v.id))];
  const done = await markVouchersExpired(tx, ids, ["created", "pending"]);
  if (done.length === 0) return done;
  await tx.query(
    `WITH i AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])
         AS i(tenant_id, aggregate_id, payload, dedupe_key)
     ), s AS (
       INSERT INTO outbox_sequences (aggregate_type, aggregate_id, seq)
       SELECT 'voucher', aggregate_id, 1 FROM i ORDER BY aggregate_id
       ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE SET seq = outbox_sequences.seq + 1
       RETURNING aggregate_id, seq
     )
     INSERT INTO outbox (tenant_id, aggregate_type, aggregate_id, seq, kind, payload, dedupe_key,
       next_attempt_at)
     SELECT i.tenant_id, 'voucher', i.aggregate_id,
       GREATEST(s.seq, (SELECT COALESCE(max(o.seq), 0) + 1 FROM outbox o
                        WHERE o.aggregate_type = 'voucher' AND o.aggregate_id = i.aggregate_id)),
       'voucher.expired', i.payload::jsonb, i.dedupe_key, now()
     FROM i JOIN s ON s.aggregate_id = i.aggregate_id
     ORDER BY i.aggregate_id
     ON CONFLICT (tenant_id, dedupe_key) DO NOTHING`,
    [
      done.map((v) => v.tenantId),
      done.map((v) => v.id),
      done.map((v) => json({ voucher: toVoucherView(v) })),
      done.map((v) => `voucher.expired:${v.id}`),
    ],
  );
  return done;
}
