import type { EngineContext } from "../context";
import type { PeEnvironment } from "../db/tenants";
import { claimVouchersDueForPoll, updateVoucher } from "../db/vouchers";
import { applyPayment, removeOtherCips } from "../notifications/apply-payment";
import { reprocessInbox, type IngestDeps } from "../notifications/ingest-notification";
import { cipsOfVouchers, groupByTenant, mapLimit } from "../vouchers/batch";
import { remoteStatus, searchAll } from "../vouchers/remote-status";

export interface PollingDeps extends IngestDeps {
  leaseMs: number;
  concurrency: number;
}

export interface PollingRunResult {
  checked: number;
  paid: number;
  failed: number;
  /** Stored notifications re-applied (crash or failure after storing). */
  reprocessed: number;
}

/**
 * One pass of the polling fallback: pending vouchers whose `next_poll_at` has come (set to
 * created + pollAfterMs, pushed on by each poll, or pulled forward by a suspicious notification)
 * are claimed in a batch and their CIPs searched at PagoEfectivo, up to 100 per call. A paid
 * CIP goes through `applyPayment`, the same function as notifications, so a poll and a late
 * notification for one payment collapse into one transition. Also re-applies stored but
 * unprocessed notifications.
 */
export async function runPollingOnce(
  ctx: EngineContext,
  deps: PollingDeps,
): Promise<PollingRunResult> {
  const result: PollingRunResult = { checked: 0, paid: 0, failed: 0, reprocessed: 0 };
  const now = ctx.clock.now();
  const claimed = await claimVouchersDueForPoll(ctx.db, {
    now,
    limit: ctx.config.pollBatchSize,
    leaseMs: deps.leaseMs,
    statuses: ["pending"],
  });
  const cips = await cipsOfVouchers(ctx.db, claimed);
  for (const group of await groupByTenant(deps.access, claimed)) {
    if (!group.entry?.credentials) {
      result.failed += group.vouchers.length;
      continue;
    }
    const client = deps.access.client(group.entry, group.environment as PeEnvironment);
    let known;
    try {
      known = await searchAll(
        client,
        group.vouchers.flatMap((v) => cips.get(v.id) ?? []),
      );
    } catch (e) {
      ctx.logger.warn(
        { tenantId: group.entry.tenant.id, err: { message: (e as Error).message } },
        "polling: CIP search failed; retried after the lease",
      );
      result.failed += group.vouchers.length;
      continue;
    }
    await mapLimit(group.vouchers, deps.concurrency, async (v) => {
      result.checked++;
      try {
        const paidItem = (cips.get(v.id) ?? [])
          .map((c) => known.get(c))
          .find((item) => item && remoteStatus(item, now) === "paid");
        if (!paidItem) {
          await updateVoucher(
            ctx.db,
            v.id,
            { expectedStatus: "pending" },
            { nextPollAt: new Date(now.getTime() + ctx.config.pollAfterMs) },
          );
          return;
        }
        const outcome = await ctx.db.transaction((tx) =>
          applyPayment(ctx, tx, {
            tenantId: v.tenantId,
            cip: paidItem.cip,
            transactionCode: paidItem.transactionCode,
            amount: paidItem.amount,
            paidAt: paidItem.datePayment ?? now,
            operationNumber: null,
            source: "poll",
          }),
        );
        if (outcome.kind === "applied") result.paid++;
        else {
          // Recorded as attention (or already known): keep polling at the normal pace.
          await updateVoucher(
            ctx.db,
            v.id,
            { expectedStatus: "pending" },
            { nextPollAt: new Date(now.getTime() + ctx.config.pollAfterMs) },
          );
        }
        if (outcome.kind === "applied" && outcome.removeCips.length) {
          await removeOtherCips(ctx, client, v.id, outcome.removeCips);
        }
      } catch (e) {
        result.failed++;
        ctx.logger.warn(
          { voucherId: v.id, err: { message: (e as Error).message } },
          "polling failed for a voucher",
        );
      }
    });
  }
  result.reprocessed = await reprocessInbox(ctx, deps, { limit: ctx.config.pollBatchSize });
  if (result.checked || result.reprocessed) ctx.logger.info({ ...result }, "polling run");
  return result;
}
