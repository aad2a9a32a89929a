import type { Tx } from "../db/database";
import { enqueueOutboxMany } from "../db/outbox";
import { markVouchersExpired, type VoucherRecord } from "../db/vouchers";
import { toVoucherView } from "../vouchers/views";

/**
 * `markRetired(…, "expired")` for a whole batch, in the caller's transaction: one guarded UPDATE
 * and one multi-row outbox insert instead of two statements per voucher.
 * Returns the vouchers that moved; the others were finished by someone else first.
 */
export async function markBatchExpired(
  tx: Tx,
  vouchers: readonly VoucherRecord[],
): Promise<VoucherRecord[]> {
  const ids = [...new Set(vouchers.map((v) => v.id))];
  const done = await markVouchersExpired(tx, ids, ["created", "pending"]);
  if (done.length === 0) return done;
  await enqueueOutboxMany(
    tx,
    done.map((v) => ({
      tenantId: v.tenantId,
      aggregateId: v.id,
      kind: "voucher.expired",
      payload: { voucher: toVoucherView(v) },
      dedupeKey: `voucher.expired:${v.id}`,
    })),
  );
  return done;
}
