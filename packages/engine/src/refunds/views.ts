import type { RefundRecord } from "../db/refunds";
import type { RefundStatus, RefundView } from "../ports";

/**
 * RefundView plus the adapter's own data: the adapters read `platformData` (Shopify refund
 * session gid, WooCommerce refund id) from outbox payloads, so it travels with the view.
 */
export type RefundViewWithData = RefundView & { platformData: Record<string, unknown> };

export function toRefundView(r: RefundRecord): RefundViewWithData {
  const { engineRefusal: _refusal, ...platformData } = r.platformData;
  return {
    id: r.id,
    voucherId: r.voucherId,
    platformRefundId: r.platformRefundId,
    status: r.status as RefundStatus,
    amount: r.amount,
    // Only a failed refund has a failure reason; a held or retried one is still in progress.
    failureReason: r.status === "failed" ? r.failureReason : null,
    platformData,
  };
}
