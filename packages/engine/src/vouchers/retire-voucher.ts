import type { CipStatus, PagoEfectivoClient } from "@pe-pay/core";
import type { EngineContext } from "../context";
import { enqueueOutbox } from "../db/outbox";
import type { Tx } from "../db/database";
import { getVoucher, transitionVoucher, type VoucherRecord } from "../db/vouchers";
import { applyPayment, removeOtherCips, type PaymentOutcome } from "../notifications/apply-payment";
import type { StepHook } from "./hooks";
import { isDeleteRefusal, remoteStatus, searchAll } from "./remote-status";
import { toVoucherView } from "./views";

const PAID = ["paid", "partially_refunded", "refunded"];

export type RetireResult =
  | { kind: "retired"; voucher: VoucherRecord }
  /** PagoEfectivo says a CIP was paid: the payment was applied (or raised as attention). */
  | { kind: "paid"; outcome: PaymentOutcome }
  /** Someone else finished the voucher first (payment, other instance): nothing done. */
  | { kind: "unchanged"; voucher: VoucherRecord | null };

/**
 * First half of giving up on an unpaid voucher (expiry or cancellation). Order matters: every CIP
 * of the voucher is deleted at PagoEfectivo BEFORE the voucher is marked expired/cancelled
 * (`markRetired`, answered here by `{ kind: "ready" }`), because after a
 * successful delete the CIP can no longer be paid; if a delete is refused, the CIP is searched
 * again and, if it was paid, the order is paid instead. Any other failure throws: the voucher
 * stays as it was and is retried (the expiry lease lapses; a cancel can be repeated).
 */
export async function settleAtPagoEfectivo(
  ctx: EngineContext,
  args: {
    voucher: VoucherRecord;
    cips: string[];
    client: PagoEfectivoClient;
    target: "expired" | "cancelled";
    /** Search answers already fetched for these CIPs (the expiry batch searches in bulk). */
    known?: Map<string, CipStatus>;
    hook?: StepHook;
  },
): Promise<RetireResult | { kind: "ready" }> {
  const { voucher: v, client, target } = args;
  const now = ctx.clock.now();
  const cips = [...new Set([...(v.cip ? [v.cip] : []), ...args.cips])];
  const known = args.known ?? (cips.length ? await searchAll(client, cips) : new Map());

  const applyRemotePayment = async (item: CipStatus): Promise<PaymentOutcome> => {
    const outcome = await ctx.db.transaction((tx) =>
      applyPayment(ctx, tx, {
        tenantId: v.tenantId,
        cip: item.cip,
        transactionCode: item.transactionCode,
        amount: item.amount,
        paidAt: item.datePayment ?? now,
        operationNumber: null,
        source: target === "expired" ? "expiry" : "cancel",
      }),
    );
    if (outcome.kind === "applied" && outcome.removeCips.length) {
      await removeOtherCips(ctx, client, v.id, outcome.removeCips);
    }
    return outcome;
  };

  // A paid CIP: the order is paid. If that payment is instead an attention item (e.g. another
  // attempt of the order was paid first), it is recorded and this voucher still gives up.
  const settled = new Set<string>();
  const paidNow = async (item: CipStatus): Promise<RetireResult | null> => {
    const outcome = await applyRemotePayment(item);
    if (outcome.kind === "applied") return { kind: "paid", outcome };
    if (outcome.kind === "duplicate" && PAID.includes(outcome.voucher.status)) {
      return { kind: "paid", outcome };
    }
    settled.add(item.cip);
    return null;
  };
  for (const cip of cips) {
    const item = known.get(cip);
    if (item && remoteStatus(item, now) === "paid") {
      const r = await paidNow(item);
      if (r) return r;
    }
  }
  for (const cip of cips) {
    if (settled.has(cip)) continue;
    const item = known.get(cip);
    if (item && remoteStatus(item, now) === "cancelled") continue;
    if (!item) {
      // Not in the search answer: unknown to PagoEfectivo (never created, or another
      // environment). Nothing there can be paid.
      ctx.logger.warn({ voucherId: v.id, cip }, "CIP not found at PagoEfectivo; treated as gone");
      continue;
    }
    try {
      await client.deleteCip(cip);
    } catch (e) {
      if (!isDeleteRefusal(e)) throw e;
      const again = (await client.searchCips([cip]))[0];
      const status = again ? remoteStatus(again, ctx.clock.now()) : "cancelled";
      if (status === "paid") {
        const r = await paidNow(again!);
        if (r) return r;
      } else if (status !== "cancelled") throw e;
    }
  }
  return { kind: "ready" };
}

/**
 * Marks a voucher whose CIPs are all gone at PagoEfectivo as expired/cancelled, with its outbox
 * message, in the caller's transaction (the expiry scheduler puts a whole batch in one). The
 * status guard makes it a no-op if a payment got there first.
 */
export async function markRetired(
  ctx: EngineContext,
  tx: Tx,
  v: VoucherRecord,
  target: "expired" | "cancelled",
): Promise<RetireResult> {
  const done = await transitionVoucher(tx, v.id, ["created", "pending"], target, {
    cancelledAt: target === "cancelled" ? ctx.clock.now() : undefined,
    expiryLeaseUntil: null,
    nextPollAt: null,
  });
  if (!done) return { kind: "unchanged", voucher: await getVoucher(tx, v.id) };
  await enqueueOutbox(tx, {
    tenantId: v.tenantId,
    aggregateId: v.id,
    kind: target === "expired" ? "voucher.expired" : "voucher.cancelled",
    payload: { voucher: toVoucherView(done) },
    dedupeKey: `voucher.${target}:${v.id}`,
  });
  return { kind: "retired", voucher: done };
}

/** settle + mark in one go (cancel: a single voucher). */
export async function retireVoucher(
  ctx: EngineContext,
  args: Parameters<typeof settleAtPagoEfectivo>[1],
): Promise<RetireResult> {
  const settled = await settleAtPagoEfectivo(ctx, args);
  if (settled.kind !== "ready") return settled;
  await args.hook?.(args.target === "expired" ? "expire.deleted" : "cancel.deleted");
  return ctx.db.transaction((tx) => markRetired(ctx, tx, args.voucher, args.target));
}
