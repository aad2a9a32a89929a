/**
 * Submitting a requested refund to PagoEfectivo (`POST /v2/refunds`, `reference` = our refund
 * id). Safe to repeat: PagoEfectivo answers the same reference + body with the first refund, and
 * the body never changes because amount, reason and credit note are fixed in the row before the
 * first attempt. Every state change after the call is a guarded update from `requested`.
 */
import { mapRefundRemoteStatus, NotFoundError, type Refund } from "@pe-pay/core";
import type { EngineContext } from "../context";
import { getRefund, updateRefund, type RefundRecord } from "../db/refunds";
import { getVoucher } from "../db/vouchers";
import { engineData } from "../vouchers/views";
import { applyRefundOutcome } from "./apply-refund-outcome";
import { claimRefundIds } from "./claim";
import { enqueueRefundMessage } from "./outbox";
import { pagoEfectivoFor } from "./pe-client";
import { classifySubmissionError } from "./submission-errors";

/** How long one submission may take before another worker may take the refund over. */
export const SUBMIT_LEASE_MS = 2 * 60_000;
/** Retry after a transient failure: full jitter, doubling from 30 s, capped at 30 min. */
export const SUBMIT_RETRY_BASE_MS = 30_000;
export const SUBMIT_RETRY_MAX_MS = 30 * 60_000;
/** First poll of a submitted refund (PagoEfectivo takes 1 to 7 business days). */
export const REFUND_FIRST_POLL_MS = 30 * 60_000;

export const SUBMISSION_RETRY = "submission_retry";

function retryDelay(ctx: EngineContext, attempt: number): number {
  const cap = Math.min(SUBMIT_RETRY_MAX_MS, SUBMIT_RETRY_BASE_MS * 2 ** Math.min(attempt, 20));
  return Math.max(1_000, Math.floor(ctx.random() * cap));
}

/**
 * Submits one refund if it is still `requested` with a credit note; returns its row afterwards.
 * Never throws for PagoEfectivo's answer: a refusal fails the refund (outbox `refund.failed`), a
 * transient error leaves it requested with the next attempt scheduled.
 */
export async function submitRefund(ctx: EngineContext, refundId: string): Promise<RefundRecord> {
  const refund = await getRefund(ctx.db, refundId);
  if (!refund) throw new NotFoundError("refund not found");
  if (refund.status !== "requested" || !refund.creditNoteNumber) return refund;
  const voucher = await getVoucher(ctx.db, refund.voucherId);
  const log = { tenantId: refund.tenantId, refundId: refund.id, voucherId: refund.voucherId };

  let answer: Refund;
  try {
    const client = await pagoEfectivoFor(
      ctx,
      refund.tenantId,
      voucher ? engineData(voucher)?.environment : undefined,
    );
    answer = await client.createRefund({
      transactionId: voucher?.cip ?? "",
      amount: refund.amount,
      reason: refund.reason ?? "Devolución",
      reference: refund.id,
      invoiceNumber: refund.creditNoteNumber,
    });
  } catch (e) {
    const failure = classifySubmissionError(e);
    const now = ctx.clock.now();
    if (failure.kind === "refused") {
      ctx.logger.warn(
        { ...log, code: failure.code },
        failure.code === "environment_changed"
          ? "refund not sent: the payment was made in another PagoEfectivo environment"
          : "PagoEfectivo refused the refund",
      );
      const failed = await ctx.db.transaction(async (tx) => {
        const row = await updateRefund(
          tx,
          refund.id,
          { expectedStatus: "requested" },
          {
            status: "failed",
            failureCode: failure.code,
            failureReason: failure.reason,
            failedAt: now,
            nextPollAt: null,
          },
        );
        if (row) await enqueueRefundMessage(tx, row, "refund.failed", now);
        return row;
      });
      return failed ?? (await getRefund(ctx.db, refund.id))!;
    }
    const delay = retryDelay(ctx, refund.pollCount);
    ctx.logger.warn({ ...log, err: failure.reason, retryInMs: delay }, "refund submission failed");
    const row = await updateRefund(
      ctx.db,
      refund.id,
      { expectedStatus: "requested" },
      {
        failureCode: SUBMISSION_RETRY,
        failureReason: failure.reason.slice(0, 1000),
        nextPollAt: new Date(now.getTime() + delay),
      },
    );
    return row ?? (await getRefund(ctx.db, refund.id))!;
  }

  const now = ctx.clock.now();
  const submitted = await updateRefund(
    ctx.db,
    refund.id,
    { expectedStatus: "requested" },
    {
      status: "submitted",
      peRefundId: answer.refundId,
      submittedAt: now,
      failureCode: null,
      failureReason: null,
      nextPollAt: new Date(now.getTime() + REFUND_FIRST_POLL_MS),
    },
  );
  ctx.logger.info({ ...log, peRefundId: answer.refundId }, "refund submitted to PagoEfectivo");
  // A resubmission after a crash can find the refund already processed.
  const remote = mapRefundRemoteStatus(answer.status);
  if (remote !== "pending") {
    await applyRefundOutcome(ctx, {
      tenantId: refund.tenantId,
      peRefundId: answer.refundId,
      reference: refund.id,
      outcome: remote,
      reasonCode: answer.reasonCode ?? undefined,
      source: "poll",
    });
  }
  return submitted && remote === "pending" ? submitted : (await getRefund(ctx.db, refund.id))!;
}

export interface RefundWorkResult {
  processed: number;
}

/**
 * Submits requested refunds whose (re)submission is due: retries after transient errors, and
 * refunds left behind by a crash between "stored" and "submitted". Held refunds (no credit
 * note) are not due until `enterCreditNote` gives them a number.
 */
export async function runRefundSubmissionOnce(
  ctx: EngineContext,
  opts: { limit?: number } = {},
): Promise<RefundWorkResult> {
  const ids = await claimRefundIds(ctx.db, {
    status: "requested",
    now: ctx.clock.now(),
    limit: opts.limit ?? 50,
    leaseMs: SUBMIT_LEASE_MS,
  });
  for (const id of ids) {
    try {
      await submitRefund(ctx, id);
    } catch (e) {
      ctx.logger.error({ refundId: id, err: (e as Error).message }, "refund submission crashed");
    }
  }
  return { processed: ids.length };
}
