/**
 * Polling fallback for refund outcomes (`GET /v2/refunds/{id}`), for when PagoEfectivo's
 * notification is lost. Submitted refunds become due `REFUND_FIRST_POLL_MS` after submission;
 * each unanswered poll doubles the wait (capped), since refunds take 1 to 7 business days.
 */
import { mapRefundRemoteStatus } from "@pe-pay/core";
import type { EngineContext } from "../context";
import { getRefund, updateRefund } from "../db/refunds";
import { applyRefundOutcome } from "./apply-refund-outcome";
import { claimRefundIds } from "./claim";
import { pagoEfectivoFor } from "./pe-client";
import type { RefundWorkResult } from "./submit-refund";

export const REFUND_POLL_LEASE_MS = 2 * 60_000;
export const REFUND_POLL_BASE_MS = 30 * 60_000;
export const REFUND_POLL_MAX_MS = 6 * 3_600_000;

export async function runRefundPollingOnce(
  ctx: EngineContext,
  opts: { limit?: number } = {},
): Promise<RefundWorkResult & { completed: number; rejected: number; pending: number }> {
  const ids = await claimRefundIds(ctx.db, {
    status: "submitted",
    now: ctx.clock.now(),
    limit: opts.limit ?? ctx.config.pollBatchSize,
    leaseMs: REFUND_POLL_LEASE_MS,
  });
  const result = { processed: ids.length, completed: 0, rejected: 0, pending: 0 };
  for (const id of ids) {
    const refund = await getRefund(ctx.db, id);
    if (!refund || refund.status !== "submitted" || !refund.peRefundId) continue;
    try {
      const client = await pagoEfectivoFor(ctx, refund.tenantId);
      const remote = await client.getRefund(refund.peRefundId);
      const status = mapRefundRemoteStatus(remote.status);
      if (status === "pending") {
        result.pending += 1;
        const wait = Math.min(REFUND_POLL_MAX_MS, REFUND_POLL_BASE_MS * 2 ** refund.pollCount);
        await updateRefund(
          ctx.db,
          refund.id,
          { expectedStatus: "submitted" },
          { nextPollAt: new Date(ctx.clock.now().getTime() + wait) },
        );
        continue;
      }
      await applyRefundOutcome(ctx, {
        tenantId: refund.tenantId,
        peRefundId: refund.peRefundId,
        reference: refund.id,
        outcome: status,
        reasonCode: remote.reasonCode ?? undefined,
        source: "poll",
      });
      result[status] += 1;
    } catch (e) {
      // The claim's lease brings it back; nothing to undo.
      ctx.logger.warn({ refundId: id, err: (e as Error).message }, "refund poll failed");
    }
  }
  return result;
}
