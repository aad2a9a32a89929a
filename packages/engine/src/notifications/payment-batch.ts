import type { EngineContext } from "../context";
import { storeProcessedInboxMessages, type NewInboxMessage } from "../db/inbox";
import { enqueueOutboxMany } from "../db/outbox";
import {
  lockOrderGroups,
  lockVouchersByCurrentCip,
  markVouchersPaid,
  readPaymentFacts,
  type PaidTransition,
} from "../db/payment-batch";
import type { VoucherRecord } from "../db/vouchers";
import type { IngestResult } from "../ports";
import type { StepHook } from "../vouchers/hooks";
import {
  cipsToRemove,
  decidePayment,
  PAID_STATUSES,
  PAYABLE_STATUSES,
  paidMessage,
  SEARCH_OPERATION_PREFIX,
  type ReportedPayment,
} from "./apply-payment";
import type { PaidData, ParsedNotification } from "./parse-notification";

/** A verified `cip.paid` delivery, ready to be applied. */
export interface PaidDelivery {
  stored: NewInboxMessage;
  parsed: ParsedNotification;
  paid: PaidData;
}

/** What the batch did with one delivery. */
export type BatchVerdict =
  | { kind: "applied"; voucher: VoucherRecord; removeCips: string[]; inboxId: number }
  | { kind: "duplicate"; inboxId: number | null }
  /** Not a plain payment (attention, unknown CIP, a repeat within the batch…): apply it alone. */
  | { kind: "single" };

const SINGLE: BatchVerdict = { kind: "single" };

export function reportedPayment(ctx: EngineContext, d: PaidDelivery): ReportedPayment {
  return {
    tenantId: d.stored.tenantId,
    cip: d.paid.cip,
    transactionCode: d.paid.transactionCode,
    amount: d.paid.amount,
    paidAt: d.paid.paidAt ?? d.stored.receivedAt ?? ctx.clock.now(),
    operationNumber: d.parsed.operationNumber,
    source: "notification",
  };
}

/**
 * Applies many payment notifications in ONE transaction with a fixed number of statements
 * (lock the vouchers, lock their order groups, read the facts, one guarded UPDATE, one outbox
 * insert, one inbox insert), so a burst of notifications costs a few round trips rather than
 * seven each. It is the one-by-one applyPayment, set-based: the same locks in the same order
 * (voucher row, then order group), the same facts, and the same decision (decidePayment). Only
 * the plain case is taken — a pending voucher, paid on its current CIP with the exact amount —
 * plus repeats of a payment already applied; everything else (attention items, unknown or
 * extra CIPs, a second delivery for the same voucher or body within the batch) comes back as
 * `single` for the caller to apply alone, after this commits. Throws (and so rolls back) rather
 * than commit anything it did not expect; the caller then applies each delivery alone.
 */
export async function applyPaidBatch(
  ctx: EngineContext,
  deliveries: readonly PaidDelivery[],
  hook?: StepHook,
): Promise<BatchVerdict[]> {
  const verdicts: BatchVerdict[] = deliveries.map(() => SINGLE);
  const taken: number[] = [];
  const seenBodies = new Set<string>();
  const seenCips = new Set<string>();
  deliveries.forEach((d, i) => {
    const body = `${d.stored.tenantId}\u0000${d.stored.dedupeKey}`;
    const cip = `${d.stored.tenantId}\u0000${d.paid.cip}`;
    if (seenBodies.has(body) || seenCips.has(cip)) return;
    seenBodies.add(body);
    seenCips.add(cip);
    taken.push(i);
  });

  return ctx.db.transaction(async (tx) => {
    const locked = await lockVouchersByCurrentCip(
      tx,
      taken.map((i) => ({
        tenantId: deliveries[i]!.stored.tenantId,
        cip: deliveries[i]!.paid.cip,
      })),
    );
    const byCip = new Map(locked.map((v) => [`${v.tenantId}\u0000${v.cip}`, v]));
    const groups = locked
      .filter((v) => v.groupKey !== null)
      .map((v) => ({ tenantId: v.tenantId, groupKey: v.groupKey! }));
    await lockOrderGroups(tx, groups);
    const facts = await readPaymentFacts(
      tx,
      locked.map((v) => v.id),
      PAID_STATUSES,
    );

    const transitions: (PaidTransition & { index: number })[] = [];
    const repeats: number[] = [];
    // Two attempts of one order paid in one batch: the facts were read before either moved, so
    // only the first may be applied here; the other goes alone and finds its sibling paid.
    const groupsPaid = new Set<string>();
    for (const i of taken) {
      const d = deliveries[i]!;
      const v = byCip.get(`${d.stored.tenantId}\u0000${d.paid.cip}`);
      const f = v && facts.get(v.id);
      if (!v || !f) continue;
      const group = v.groupKey === null ? null : `${v.tenantId}\u0000${v.groupKey}`;
      const p = reportedPayment(ctx, d);
      if (v.paidAt && v.cip === p.cip) {
        // Upgrading a payment first seen by a search to its real operation number: alone.
        const upgrade =
          p.operationNumber && v.paymentOperationNumber?.startsWith(SEARCH_OPERATION_PREFIX);
        if (!upgrade) repeats.push(i);
        continue;
      }
      if (f.seen) {
        repeats.push(i);
        continue;
      }
      if (!f.cips.includes(p.cip)) continue;
      const { result, operationNumber } = decidePayment(v, f.cips, p, f.siblingPaid);
      if (!result.ok || !result.effects.some((e) => e.type === "order_paid")) continue;
      if (result.effects.some((e) => e.type === "attention_raised")) continue;
      if (!(PAYABLE_STATUSES as readonly string[]).includes(v.status)) continue;
      if (group !== null) {
        if (groupsPaid.has(group)) continue;
        groupsPaid.add(group);
      }
      transitions.push({
        index: i,
        voucherId: v.id,
        cip: p.cip,
        paidAt: p.paidAt,
        amount: p.amount,
        operationNumber,
      });
      verdicts[i] = {
        kind: "applied",
        voucher: v,
        removeCips: cipsToRemove(result.effects),
        inboxId: 0,
      };
    }

    const paid = await markVouchersPaid(tx, transitions, PAYABLE_STATUSES);
    // Every row is locked and was payable: a shortfall means our reading was wrong. Roll back.
    if (paid.length !== transitions.length) {
      throw new Error(`batch: ${transitions.length - paid.length} vouchers changed under lock`);
    }
    const paidById = new Map(paid.map((v) => [v.id, v]));
    await enqueueOutboxMany(
      tx,
      paid.map((v) => paidMessage(v)),
    );

    const at = ctx.clock.now();
    const toStore = [
      ...transitions.map((t) => ({ index: t.index, result: "applied", voucherId: t.voucherId })),
      ...repeats.map((i) => ({
        index: i,
        result: "duplicate",
        voucherId: byCip.get(`${deliveries[i]!.stored.tenantId}\u0000${deliveries[i]!.paid.cip}`)!
          .id,
      })),
    ];
    const ids = await storeProcessedInboxMessages(
      tx,
      toStore.map((s) => ({
        message: deliveries[s.index]!.stored,
        outcome: { result: s.result, detail: { voucherId: s.voucherId }, at },
      })),
    );
    toStore.forEach((s, k) => {
      const id = ids[k] ?? null;
      const verdict = verdicts[s.index]!;
      if (verdict.kind === "applied") {
        // Stored and processed by someone else, yet the voucher was unpaid under our lock:
        // nothing explains that, so commit nothing and let each delivery go alone.
        if (id === null) throw new Error("batch: a payment's notification was already processed");
        verdicts[s.index] = {
          ...verdict,
          voucher: paidById.get(verdict.voucher.id)!,
          inboxId: id,
        };
      } else {
        verdicts[s.index] = { kind: "duplicate", inboxId: id };
      }
    });
    // Killed here, nothing is stored and nothing was answered: PagoEfectivo redelivers.
    await hook?.("pay.stored");
    return verdicts;
  });
}

export function answerOf(v: Exclude<BatchVerdict, { kind: "single" }>): IngestResult {
  return { httpStatus: 200, outcome: v.kind === "applied" ? "applied" : "duplicate" };
}
