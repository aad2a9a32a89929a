/**
 * A refund's final outcome, from a `refund.completed` / `refund.rejected` notification (the
 * facade calls this after verifying it) or from polling `GET /v2/refunds/{id}`.
 *
 * One transaction, voucher row locked first (the same lock order as requestRefund): the refund
 * moves through core's refund machine, a success is recorded on the voucher through core's
 * voucher machine (`refund_succeeded` → partially_refunded / refunded), and the outbox message
 * is enqueued. Repeats are no-ops. An outcome contradicting the recorded one (completed after
 * rejected, or the reverse) changes nothing and becomes an attention item: money may have moved
 * against our records and a person must look.
 */
import {
  RefundOutcomeConflictError,
  transitionRefund,
  transitionVoucher as transitionVoucherState,
  type RefundEvent,
  type RefundState,
  type RefundStatus,
  type VoucherState,
  type VoucherStatus,
} from "@pe-pay/core";
import type { EngineContext } from "../context";
import { createAttentionItem } from "../db/attention";
import type { Tx } from "../db/database";
import {
  findRefundByPeRefundId,
  getRefund,
  listRefunds,
  updateRefund,
  type RefundRecord,
} from "../db/refunds";
import { lockVoucher, transitionVoucher, type VoucherRecord } from "../db/vouchers";
import { enqueueRefundMessage } from "./outbox";

export interface RefundOutcomeInput {
  tenantId: string;
  peRefundId: string;
  outcome: "completed" | "rejected";
  reasonCode?: string;
  source: "notification" | "poll";
  /**
   * PagoEfectivo's `reference` (= our refund id) when known. It finds the refund if the outcome
   * arrives before our own `submitted` record (a crash right after PagoEfectivo accepted it).
   */
  reference?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function rejectionReason(reasonCode: string | null | undefined): string {
  return reasonCode
    ? `PagoEfectivo rechazó el reembolso (código ${reasonCode})`
    : "PagoEfectivo rechazó el reembolso";
}

async function findTarget(
  ctx: EngineContext,
  input: RefundOutcomeInput,
): Promise<RefundRecord | null> {
  const byPe = await findRefundByPeRefundId(ctx.db, input.peRefundId);
  if (byPe) return byPe.tenantId === input.tenantId ? byPe : null;
  if (input.reference && UUID.test(input.reference)) {
    const byRef = await getRefund(ctx.db, input.reference);
    if (byRef && byRef.tenantId === input.tenantId) return byRef;
  }
  return null;
}

export async function applyRefundOutcome(
  ctx: EngineContext,
  input: RefundOutcomeInput,
): Promise<void> {
  const log = { tenantId: input.tenantId, peRefundId: input.peRefundId, source: input.source };
  const target = await findTarget(ctx, input);
  if (!target) {
    // Not ours, or accepted by PagoEfectivo before we stored its id: the requested refund is
    // resubmitted (same reference → same PagoEfectivo refund, with its outcome) and lands then.
    ctx.logger.warn(log, "refund outcome for an unknown refund ignored");
    return;
  }
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    const voucher = await lockVoucher(tx, target.voucherId);
    const refund = (await getRefund(tx, target.id, { forUpdate: true }))!;
    let state: RefundState = {
      status: refund.status as RefundStatus,
      amount: refund.amount,
      refundId: refund.peRefundId,
      failure: null,
      failedAttempts: 0,
    };
    const patch: Parameters<typeof updateRefund>[3] = {};
    if (refund.status === "requested") {
      const t = transitionRefund(state, { type: "submitted", refundId: input.peRefundId });
      if (t.ok) {
        state = t.state;
        Object.assign(patch, { peRefundId: input.peRefundId, submittedAt: now });
      }
    } else if (refund.peRefundId && refund.peRefundId !== input.peRefundId) {
      await conflict(tx, ctx, refund, `PagoEfectivo refund ${input.peRefundId} is not ours`);
      return;
    }
    const event: RefundEvent =
      input.outcome === "completed"
        ? { type: "completed" }
        : { type: "rejected", reasonCode: input.reasonCode };
    const t = transitionRefund(state, event);
    if (!t.ok) {
      if (t.error instanceof RefundOutcomeConflictError) {
        await conflict(tx, ctx, refund, t.error.message);
      } else {
        ctx.logger.warn({ ...log, err: t.error.message }, "refund outcome not applicable");
      }
      return;
    }
    if (t.duplicate) return;

    if (t.state.status === "succeeded") {
      const row = await updateRefund(
        tx,
        refund.id,
        { expectedStatus: refund.status },
        {
          ...patch,
          status: "succeeded",
          completedAt: now,
          failureCode: null,
          failureReason: null,
          nextPollAt: null,
        },
      );
      await recordOnVoucher(tx, ctx, voucher!, row!);
      await enqueueRefundMessage(tx, row!, "refund.succeeded", now);
    } else {
      const row = await updateRefund(
        tx,
        refund.id,
        { expectedStatus: refund.status },
        {
          ...patch,
          status: "failed",
          failedAt: now,
          failureCode: input.reasonCode ?? "rejected",
          failureReason: rejectionReason(input.reasonCode),
          nextPollAt: null,
        },
      );
      await enqueueRefundMessage(tx, row!, "refund.failed", now);
    }
    ctx.logger.info({ ...log, refundId: refund.id, status: t.state.status }, "refund outcome");
  });
}

/** The voucher as core's machine sees it, rebuilt from the row and its succeeded refunds. */
function voucherState(v: VoucherRecord, succeeded: RefundRecord[]): VoucherState {
  const paid = v.paidAmount ?? v.amount;
  return {
    status: v.status as VoucherStatus,
    expected: v.amount,
    cips: v.cip ? [v.cip] : [],
    expiresAt: v.expiresAt,
    payment:
      v.paidAt && v.cip
        ? {
            cip: v.cip,
            operationNumber: v.paymentOperationNumber ?? "",
            amount: paid,
            paidAt: v.paidAt,
          }
        : null,
    refundedMinor: succeeded.reduce((sum, r) => sum + r.amount.minor, 0),
    attention: [],
    refunds: succeeded.map((r) => ({ refundId: r.peRefundId, cip: v.cip ?? "", amount: r.amount })),
  };
}

async function recordOnVoucher(
  tx: Tx,
  ctx: EngineContext,
  voucher: VoucherRecord,
  refund: RefundRecord,
): Promise<void> {
  const others = (await listRefunds(tx, { voucherId: voucher.id, statuses: ["succeeded"] })).filter(
    (r) => r.id !== refund.id,
  );
  const t = transitionVoucherState(voucherState(voucher, others), {
    type: "refund_succeeded",
    amount: refund.amount,
    refundId: refund.peRefundId ?? undefined,
  });
  if (t.ok && !t.duplicate && t.state.status !== voucher.status) {
    const moved = await transitionVoucher(tx, voucher.id, voucher.status, t.state.status);
    if (moved) return;
  } else if (t.ok) {
    return;
  }
  // The money left, but our records cannot place it: never silent.
  const detail = t.ok ? "voucher changed concurrently" : t.error.message;
  ctx.logger.error(
    { refundId: refund.id, voucherId: voucher.id, err: detail },
    "refund succeeded but could not be recorded on the voucher",
  );
  await createAttentionItem(tx, {
    tenantId: refund.tenantId,
    voucherId: voucher.id,
    kind: "refund_unrecorded",
    dedupeKey: `refund_unrecorded:${refund.id}`,
    detail: { refundId: refund.id, peRefundId: refund.peRefundId, reason: detail },
  });
}

async function conflict(
  tx: Tx,
  ctx: EngineContext,
  refund: RefundRecord,
  detail: string,
): Promise<void> {
  ctx.logger.error({ refundId: refund.id, err: detail }, "contradictory refund outcome");
  await createAttentionItem(tx, {
    tenantId: refund.tenantId,
    voucherId: refund.voucherId,
    kind: "refund_outcome_conflict",
    dedupeKey: `refund_outcome_conflict:${refund.id}`,
    detail: { refundId: refund.id, peRefundId: refund.peRefundId, status: refund.status, detail },
  });
}
