import type { Tx } from "../db/database";
import { enqueueOutbox } from "../db/outbox";
import type { RefundRecord } from "../db/refunds";

/**
 * Stored outbox payload of refund messages. The dispatcher loads the current voucher and refund
 * views at delivery time, so only the ids are kept.
 */
export interface RefundOutboxPayload {
  refundId: string;
}

/** In the caller's transaction; at most one message per (refund, kind) even when replayed. */
export function enqueueRefundMessage(
  tx: Tx,
  refund: RefundRecord,
  kind: "refund.succeeded" | "refund.failed",
  /** The engine clock's now: deliverable from then (the DB clock may differ in tests). */
  at: Date,
) {
  const payload: RefundOutboxPayload = { refundId: refund.id };
  return enqueueOutbox(tx, {
    tenantId: refund.tenantId,
    aggregateType: "voucher",
    aggregateId: refund.voucherId,
    kind,
    payload,
    dedupeKey: `${kind}:${refund.id}`,
    availableAt: at,
  });
}
