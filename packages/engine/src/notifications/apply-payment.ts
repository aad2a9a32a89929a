import {
  describeAttention,
  transitionVoucher as decide,
  type AttentionKind,
  type Money,
  type VoucherState,
} from "@pe-pay/core";
import type { EngineContext } from "../context";
import { raiseAlert } from "../db/alerts";
import { createAttentionItem } from "../db/attention";
import type { Tx } from "../db/database";
import { lockOrderGroups } from "../db/payment-batch";
import { enqueueOutbox, type NewOutboxMessage } from "../db/outbox";
import {
  addVoucherCip,
  findVoucherByCip,
  findVoucherByTransactionCode,
  transitionVoucher,
  updateVoucher,
  type VoucherRecord,
} from "../db/vouchers";
import { toVoucherView } from "../vouchers/views";

/** One payment as PagoEfectivo reported it, by notification or by a search. */
export interface ReportedPayment {
  tenantId: string;
  cip: string;
  /** Echoed by PagoEfectivo; finds the voucher when the CIP itself was never stored. */
  transactionCode: string | null;
  amount: Money;
  paidAt: Date;
  /** From a notification; a search does not give one. */
  operationNumber: string | null;
  source: "notification" | "poll" | "expiry" | "cancel";
}

export type PaymentOutcome =
  | { kind: "applied"; voucher: VoucherRecord; removeCips: string[] }
  | { kind: "duplicate"; voucher: VoucherRecord }
  | { kind: "attention"; voucher: VoucherRecord; attention: AttentionKind; created: boolean }
  | { kind: "unknown_cip" };

export const PAID_STATUSES = ["paid", "partially_refunded", "refunded"] as const;
/** Operation numbers we make up for payments seen through a search (it has none). */
export const SEARCH_OPERATION_PREFIX = "search:";

/**
 * Applies a reported payment inside the caller's transaction (so the inbox row, the voucher
 * change, the attention item and the outbox message commit together, or not at all).
 *
 * Identity of a payment: the CIP. PagoEfectivo never lets a CIP be paid twice, so "same CIP" is
 * "same payment" whatever operation number (or none, for a search) came with it; this is what
 * lets a poll and a late notification for the same payment collapse into one.
 *
 * Serialisation: the order group (all attempts of one checkout) is locked with a
 * transaction-scoped advisory lock before the voucher row, so two payments for two attempts of
 * one order cannot both be applied: the second sees its sibling paid and becomes `paid_twice`.
 */
export async function applyPayment(
  ctx: EngineContext,
  tx: Tx,
  p: ReportedPayment,
): Promise<PaymentOutcome> {
  const found =
    (await findVoucherByCip(tx, p.tenantId, p.cip, { forUpdate: true })) ??
    (p.transactionCode
      ? await findVoucherByTransactionCode(tx, p.tenantId, p.transactionCode, { forUpdate: true })
      : null);
  if (!found) {
    // Not ours as far as we can tell, but money arrived: a person must look, never drop it.
    const { created } = await createAttentionItem(tx, {
      tenantId: p.tenantId,
      kind: "unknown_cip",
      dedupeKey: `payment:${p.cip}`,
      detail: paymentDetail(p),
    });
    if (created) {
      await raiseAlert(tx, {
        tenantId: p.tenantId,
        kind: "attention_item",
        key: "unknown_cip",
        detail: { cip: p.cip },
        at: ctx.clock.now(),
      });
    }
    return { kind: "unknown_cip" };
  }
  // Row lock taken by the lookup itself (one round trip). The group lock comes after it; that
  // order is the same for every payment, and nothing else takes group locks, so no cycle.
  const v = found;
  if (v.groupKey) await lockOrderGroups(tx, [{ tenantId: v.tenantId, groupKey: v.groupKey }]);
  if (v.paidAt && v.cip === p.cip) {
    if (p.operationNumber && v.paymentOperationNumber?.startsWith(SEARCH_OPERATION_PREFIX)) {
      await updateVoucher(tx, v.id, {}, { paymentOperationNumber: p.operationNumber });
    }
    return { kind: "duplicate", voucher: v };
  }
  // Everything else the decision needs, in one round trip.
  const { rows } = await tx.query<{ cips: string[] | null; seen: boolean; sibling_paid: boolean }>(
    `SELECT
       (SELECT array_agg(cip ORDER BY created_at, cip) FROM voucher_cips WHERE voucher_id = $1) AS cips,
       EXISTS (SELECT 1 FROM attention_items WHERE tenant_id = $2 AND dedupe_key = $3) AS seen,
       ($4::text IS NOT NULL AND EXISTS (
         SELECT 1 FROM vouchers WHERE tenant_id = $2 AND group_key = $4 AND id <> $1
           AND status = ANY($5::text[]))) AS sibling_paid`,
    [v.id, v.tenantId, `payment:${p.cip}`, v.groupKey, [...PAID_STATUSES]],
  );
  const facts = rows[0]!;
  if (facts.seen) return { kind: "duplicate", voucher: v };
  const cips = [...(facts.cips ?? [])];
  if (!cips.includes(p.cip)) {
    // A CIP we never stored (a create whose answer was lost) that carries our transactionCode.
    await addVoucherCip(tx, v.tenantId, v.id, p.cip);
    cips.push(p.cip);
  }
  const siblingPaid = facts.sibling_paid;

  const { result, operationNumber } = decidePayment(v, cips, p, siblingPaid);
  if (!result.ok) throw result.error;

  for (const effect of result.effects) {
    if (effect.type === "attention_raised") {
      const kind = effect.attention.kind;
      const { item, created } = await createAttentionItem(tx, {
        tenantId: v.tenantId,
        voucherId: v.id,
        kind,
        dedupeKey: `payment:${p.cip}`,
        detail: { ...paymentDetail(p), message: describeAttention(kind, "es") },
      });
      if (created) {
        await enqueueOutbox(tx, {
          tenantId: v.tenantId,
          aggregateId: v.id,
          kind: "attention.raised",
          payload: {
            voucher: toVoucherView(v),
            attention: { kind, detail: describeAttention(kind, "en") },
          },
          dedupeKey: `attention:${item.id}`,
        });
        await raiseAlert(tx, {
          tenantId: v.tenantId,
          kind: "attention_item",
          key: kind,
          detail: { voucherId: v.id, cip: p.cip },
          at: ctx.clock.now(),
        });
      }
      return { kind: "attention", voucher: v, attention: kind, created };
    }
  }
  const paid = await transitionVoucher(tx, v.id, PAYABLE_STATUSES, "paid", {
    cip: p.cip,
    paidAt: p.paidAt,
    paidAmount: p.amount,
    paymentOperationNumber: operationNumber,
    nextPollAt: null,
    expiryLeaseUntil: null,
  });
  // The row is locked and was created/pending, so the guard cannot fail; if it does, roll back.
  if (!paid) throw new Error(`voucher ${v.id} changed under its row lock`);
  await enqueueOutbox(tx, paidMessage(paid));
  return { kind: "applied", voucher: paid, removeCips: cipsToRemove(result.effects) };
}

/** Statuses a payment moves to `paid` (the transition's guard). */
export const PAYABLE_STATUSES = ["created", "pending"] as const;

/**
 * The state machine's verdict on a reported payment for a voucher whose CIPs (`cips`) and
 * order-group siblings are known; no I/O, shared by the one-by-one and the batched paths.
 */
export function decidePayment(
  v: VoucherRecord,
  cips: string[],
  p: ReportedPayment,
  siblingPaid: boolean,
) {
  const operationNumber = p.operationNumber ?? `${SEARCH_OPERATION_PREFIX}${p.cip}`;
  const result = decide(stateOf(v, cips), {
    type: "payment_received",
    cip: p.cip,
    amount: p.amount,
    paidAt: p.paidAt,
    operationNumber,
    siblingPaid,
  });
  return { result, operationNumber };
}

type Decision = ReturnType<typeof decidePayment>["result"];
type Effects = Extract<Decision, { ok: true }>["effects"];

export function cipsToRemove(effects: Effects): string[] {
  const remove = effects.find((e) => e.type === "remove_cips");
  return remove && remove.type === "remove_cips" ? remove.cips : [];
}

/** The platform callback of a voucher that just became paid (one per voucher: deduped). */
export function paidMessage(paid: VoucherRecord): NewOutboxMessage {
  return {
    tenantId: paid.tenantId,
    aggregateId: paid.id,
    kind: "voucher.paid",
    payload: { voucher: toVoucherView(paid) },
    dedupeKey: `voucher.paid:${paid.id}`,
  };
}

function stateOf(v: VoucherRecord, cips: string[]): VoucherState {
  return {
    status: v.status as VoucherState["status"],
    expected: v.amount,
    cips,
    expiresAt: v.expiresAt,
    payment:
      v.paidAt && v.cip
        ? {
            cip: v.cip,
            operationNumber: v.paymentOperationNumber ?? `${SEARCH_OPERATION_PREFIX}${v.cip}`,
            amount: v.paidAmount ?? v.amount,
            paidAt: v.paidAt,
          }
        : null,
    refundedMinor: 0,
    attention: [],
    refunds: [],
  };
}

function paymentDetail(p: ReportedPayment) {
  return {
    cip: p.cip,
    transactionCode: p.transactionCode,
    operationNumber: p.operationNumber,
    amount: p.amount,
    paidAt: p.paidAt.toISOString(),
    source: p.source,
  };
}

/**
 * After a payment commits, the voucher's other CIPs (a retried create) are deleted at
 * PagoEfectivo so they cannot be paid as well. Best effort: if one survives and is paid, that
 * payment becomes a `paid_twice` attention item, never a loss.
 */
export async function removeOtherCips(
  ctx: EngineContext,
  client: { deleteCip(cip: string): Promise<unknown> },
  voucherId: string,
  cips: string[],
): Promise<void> {
  for (const cip of cips) {
    try {
      await client.deleteCip(cip);
    } catch (e) {
      ctx.logger.warn(
        { voucherId, cip, err: { message: (e as Error).message } },
        "could not delete an extra CIP of a paid voucher",
      );
    }
  }
}
