/**
 * The voucher (one payment attempt for an order, paid in cash through a PagoEfectivo CIP) as a
 * pure state machine. `transitionVoucher` never throws for a refused event: it answers
 * `{ ok: false, error }` so the caller can log, alert and answer the notification sender itself.
 *
 * Status (what the order is):
 *   created ──cip_created──▶ pending ──payment_received (exact amount)──▶ paid
 *   created|pending ──expired──▶ expired        created|pending ──cancelled──▶ cancelled
 *   paid ──refund_succeeded──▶ partially_refunded ──refund_succeeded──▶ refunded (cumulative)
 *   expired|cancelled ──reinstated (merchant decision)──▶ paid
 *
 * Attention (what a merchant must look at) is a list beside the status, not a status of its own,
 * because a real voucher can be "expired" *and* hold a late payment, or "paid" *and* hold a second
 * payment. Every payment PagoEfectivo reports is recorded exactly once, either as the applied
 * `payment` or inside an attention item: money is never dropped silently.
 *   - paid_after_expiry / paid_after_cancellation: the CIP was paid after we gave the order up.
 *     The merchant reinstates the order (event `reinstated`) or refunds the payment.
 *   - paid_twice: a second payment for an order that is already paid (another CIP of a retried
 *     create, or another attempt of the same order — `siblingPaid`). The merchant refunds it.
 *   - amount_mismatch: amount or currency differ from the voucher. Never applied; the order stays
 *     unpaid and the merchant refunds it (or settles the difference outside this system).
 * An attention item is open while part of its money is not yet refunded (`openAttention`).
 */
import type { LocalizedMessage } from "./errors";
import { AppError, InvalidTransitionError } from "./errors";
import type { Money } from "./money";
import { sameMoney } from "./money";

export const VOUCHER_STATUSES = [
  "created",
  "pending",
  "paid",
  "expired",
  "cancelled",
  "partially_refunded",
  "refunded",
] as const;
export type VoucherStatus = (typeof VOUCHER_STATUSES)[number];

export const ATTENTION_KINDS = [
  "paid_after_expiry",
  "paid_after_cancellation",
  "paid_twice",
  "amount_mismatch",
] as const;
export type AttentionKind = (typeof ATTENTION_KINDS)[number];

/** One payment as PagoEfectivo reported it (`cip` + `operationNumber` identify it). */
export interface VoucherPayment {
  readonly cip: string;
  readonly operationNumber: string;
  readonly amount: Money;
  readonly paidAt: Date;
}

export interface VoucherAttention {
  readonly kind: AttentionKind;
  readonly payment: VoucherPayment;
  /** Minor units of this payment already returned to the shopper. */
  readonly refundedMinor: number;
}

export interface VoucherRefundRecord {
  readonly refundId: string | null;
  readonly cip: string;
  readonly amount: Money;
}

export interface VoucherState {
  readonly status: VoucherStatus;
  /** The order amount the shopper must pay; a payment is applied only if it equals this exactly. */
  readonly expected: Money;
  /** Every CIP known for this voucher (a retried create can leave more than one). */
  readonly cips: readonly string[];
  readonly expiresAt: Date | null;
  /** The payment applied to the order (set exactly when status is paid / *_refunded). */
  readonly payment: VoucherPayment | null;
  /** Minor units of `payment` already refunded. */
  readonly refundedMinor: number;
  readonly attention: readonly VoucherAttention[];
  readonly refunds: readonly VoucherRefundRecord[];
}

export type VoucherEvent =
  | { type: "cip_created"; cip: string; expiresAt: Date }
  | {
      type: "payment_received";
      cip: string;
      amount: Money;
      paidAt: Date;
      operationNumber: string;
      /**
       * Another voucher (attempt) for the same order is already paid. The engine knows this from
       * its group key; the payment then goes to attention `paid_twice` instead of being applied.
       */
      siblingPaid?: boolean;
    }
  | { type: "expired" }
  | { type: "cancelled" }
  | {
      type: "refund_succeeded";
      amount: Money;
      /** PagoEfectivo refundId: when given, a repeat of the same refund is a no-op. */
      refundId?: string;
      /** The refunded CIP; omitted = the applied payment. Give it to refund an attention payment. */
      cip?: string;
    }
  | { type: "reinstated"; cip: string; operationNumber: string };

export type VoucherEventType = VoucherEvent["type"];

/** What the caller must do after a successful transition (enqueue outbox messages, API calls). */
export type VoucherEffect =
  | { type: "order_pending"; cip: string; expiresAt: Date }
  | { type: "order_paid"; payment: VoucherPayment; reinstated: boolean }
  /** Other unpaid CIPs of this voucher: delete them at PagoEfectivo so they cannot be paid too. */
  | { type: "remove_cips"; cips: string[] }
  | { type: "order_expired" }
  | { type: "order_cancelled" }
  | { type: "attention_raised"; attention: VoucherAttention }
  | {
      type: "refund_recorded";
      amount: Money;
      cip: string;
      target: "payment" | "attention";
      /** The target payment is now fully refunded. */
      fully: boolean;
    };

/** The same `cip` + `operationNumber` arrived again with a different amount or currency. */
export class PaymentConflictError extends AppError {
  readonly code = "payment_conflict";
  readonly retryable = false;
  readonly httpStatus = 409;
  constructor(
    readonly recorded: VoucherPayment,
    readonly received: VoucherPayment,
  ) {
    super(
      `voucher: operation ${received.operationNumber} of CIP ${received.cip} was already recorded with another amount`,
    );
  }
}

export type VoucherRefundRefusal =
  "invalid_amount" | "currency_mismatch" | "above_balance" | "unknown_payment" | "refund_conflict";

/** A refund outcome that cannot be recorded against this voucher's money. */
export class VoucherRefundRefusedError extends AppError {
  readonly code = "voucher_refund_refused";
  readonly retryable = false;
  readonly httpStatus = 409;
  constructor(
    readonly reason: VoucherRefundRefusal,
    detail: string,
  ) {
    super(`voucher: refund refused (${reason}): ${detail}`);
  }
}

export type VoucherTransitionError =
  InvalidTransitionError | PaymentConflictError | VoucherRefundRefusedError;

export type VoucherTransition =
  | {
      ok: true;
      state: VoucherState;
      effects: VoucherEffect[];
      /** A repeat of something already recorded: nothing changed, no effect to enqueue. */
      duplicate: boolean;
    }
  | { ok: false; error: VoucherTransitionError };

const MACHINE = "voucher";

export function initialVoucherState(expected: Money): VoucherState {
  return {
    status: "created",
    expected,
    cips: [],
    expiresAt: null,
    payment: null,
    refundedMinor: 0,
    attention: [],
    refunds: [],
  };
}

/** Money of the applied payment that can still be refunded (zero when nothing is applied). */
export function refundableBalance(state: VoucherState): Money {
  if (!state.payment) return { minor: 0, currency: state.expected.currency };
  return {
    minor: state.payment.amount.minor - state.refundedMinor,
    currency: state.payment.amount.currency,
  };
}

/** Attention items whose money is not fully returned yet. */
export function openAttention(state: VoucherState): VoucherAttention[] {
  return state.attention.filter((a) => a.refundedMinor < a.payment.amount.minor);
}

export function transitionVoucher(state: VoucherState, event: VoucherEvent): VoucherTransition {
  switch (event.type) {
    case "cip_created":
      return onCipCreated(state, event);
    case "payment_received":
      return onPayment(state, event);
    case "expired":
    case "cancelled":
      return onGiveUp(state, event.type);
    case "refund_succeeded":
      return onRefund(state, event);
    case "reinstated":
      return onReinstated(state, event);
    default:
      return assertNever(event);
  }
}

function onCipCreated(
  s: VoucherState,
  e: Extract<VoucherEvent, { type: "cip_created" }>,
): VoucherTransition {
  if (!isNonEmpty(e.cip) || !isValidDate(e.expiresAt)) {
    return refuse(s, e.type, "cip and expiresAt are required");
  }
  if (s.cips.includes(e.cip)) return noop(s);
  switch (s.status) {
    case "created":
    case "pending": {
      // A second CIP while pending is the retried-create case: both stay payable at PagoEfectivo
      // until one is paid (then `remove_cips` asks for the others to be deleted).
      const expiresAt =
        s.expiresAt && s.expiresAt.getTime() > e.expiresAt.getTime() ? s.expiresAt : e.expiresAt;
      return done({ ...s, status: "pending", cips: [...s.cips, e.cip], expiresAt }, [
        { type: "order_pending", cip: e.cip, expiresAt },
      ]);
    }
    case "paid":
    case "expired":
    case "cancelled":
    case "partially_refunded":
    case "refunded":
      return refuse(s, e.type, "a new CIP is only recorded before the order is settled");
    default:
      return assertNever(s.status);
  }
}

function onPayment(
  s: VoucherState,
  e: Extract<VoucherEvent, { type: "payment_received" }>,
): VoucherTransition {
  if (
    !isNonEmpty(e.cip) ||
    !isNonEmpty(e.operationNumber) ||
    !isValidDate(e.paidAt) ||
    !isMinor(e.amount?.minor)
  ) {
    return refuse(s, e.type, "cip, operationNumber, paidAt and a valid amount are required");
  }
  const payment: VoucherPayment = {
    cip: e.cip,
    operationNumber: e.operationNumber,
    amount: e.amount,
    paidAt: e.paidAt,
  };
  const recorded = findRecordedPayment(s, payment);
  if (recorded) {
    return sameMoney(recorded.amount, payment.amount)
      ? noop(s)
      : { ok: false, error: new PaymentConflictError(recorded, payment) };
  }
  switch (s.status) {
    case "created":
    case "pending": {
      if (!sameMoney(payment.amount, s.expected)) {
        return raise(s, "amount_mismatch", payment);
      }
      if (e.siblingPaid) return raise(s, "paid_twice", payment);
      const others = s.cips.filter((c) => c !== payment.cip);
      const cips = s.cips.includes(payment.cip) ? s.cips : [...s.cips, payment.cip];
      const effects: VoucherEffect[] = [{ type: "order_paid", payment, reinstated: false }];
      if (others.length > 0) effects.push({ type: "remove_cips", cips: others });
      return done({ ...s, status: "paid", cips, payment, refundedMinor: 0 }, effects);
    }
    case "paid":
    case "partially_refunded":
    case "refunded":
      return raise(s, "paid_twice", payment);
    // With another attempt already paid, reinstating is not an option: the advice is a refund.
    case "expired":
      return raise(s, e.siblingPaid ? "paid_twice" : "paid_after_expiry", payment);
    case "cancelled":
      return raise(s, e.siblingPaid ? "paid_twice" : "paid_after_cancellation", payment);
    default:
      return assertNever(s.status);
  }
}

function onGiveUp(s: VoucherState, type: "expired" | "cancelled"): VoucherTransition {
  switch (s.status) {
    case "created":
    case "pending":
      return done({ ...s, status: type }, [
        { type: type === "expired" ? "order_expired" : "order_cancelled" },
      ]);
    case "expired":
    case "cancelled":
      // The scheduler and a `cip.expired` notification can both report the same expiry.
      return s.status === type ? noop(s) : refuse(s, type, `voucher is already ${s.status}`);
    case "paid":
    case "partially_refunded":
    case "refunded":
      return refuse(s, type, "the order is paid");
    default:
      return assertNever(s.status);
  }
}

function onRefund(
  s: VoucherState,
  e: Extract<VoucherEvent, { type: "refund_succeeded" }>,
): VoucherTransition {
  if (!isMinor(e.amount?.minor) || e.amount.minor === 0) {
    return refundRefused(
      "invalid_amount",
      "refund amount must be a positive integer of minor units",
    );
  }
  if (e.refundId !== undefined) {
    const seen = s.refunds.find((r) => r.refundId === e.refundId);
    if (seen) {
      return sameMoney(seen.amount, e.amount) && (e.cip === undefined || e.cip === seen.cip)
        ? noop(s)
        : refundRefused("refund_conflict", `refund ${e.refundId} was recorded with other details`);
    }
  }
  const record = (cip: string): VoucherRefundRecord => ({
    refundId: e.refundId ?? null,
    cip,
    amount: e.amount,
  });

  if (s.payment && (e.cip === undefined || e.cip === s.payment.cip)) {
    const payment = s.payment;
    if (e.amount.currency !== payment.amount.currency) {
      return refundRefused("currency_mismatch", `payment is in ${payment.amount.currency}`);
    }
    const total = s.refundedMinor + e.amount.minor;
    if (total > payment.amount.minor) {
      return refundRefused("above_balance", `refundable balance is ${refundableBalance(s).minor}`);
    }
    const fully = total === payment.amount.minor;
    return done(
      {
        ...s,
        status: fully ? "refunded" : "partially_refunded",
        refundedMinor: total,
        refunds: [...s.refunds, record(payment.cip)],
      },
      [{ type: "refund_recorded", amount: e.amount, cip: payment.cip, target: "payment", fully }],
    );
  }
  if (e.cip === undefined) {
    return refuse(s, e.type, "no applied payment to refund; name the CIP of an attention payment");
  }
  const index = s.attention.findIndex(
    (a) =>
      a.payment.cip === e.cip &&
      a.payment.amount.currency === e.amount.currency &&
      a.refundedMinor + e.amount.minor <= a.payment.amount.minor,
  );
  if (index < 0) {
    const any = s.attention.some((a) => a.payment.cip === e.cip);
    return any
      ? refundRefused("above_balance", `no payment of CIP ${e.cip} has that much left to refund`)
      : refundRefused("unknown_payment", `CIP ${e.cip} has no recorded payment on this voucher`);
  }
  const item = s.attention[index] as VoucherAttention;
  const updated: VoucherAttention = { ...item, refundedMinor: item.refundedMinor + e.amount.minor };
  const attention = s.attention.map((a, i) => (i === index ? updated : a));
  return done({ ...s, attention, refunds: [...s.refunds, record(item.payment.cip)] }, [
    {
      type: "refund_recorded",
      amount: e.amount,
      cip: item.payment.cip,
      target: "attention",
      fully: updated.refundedMinor === item.payment.amount.minor,
    },
  ]);
}

function onReinstated(
  s: VoucherState,
  e: Extract<VoucherEvent, { type: "reinstated" }>,
): VoucherTransition {
  const same = (p: VoucherPayment) => p.cip === e.cip && p.operationNumber === e.operationNumber;
  switch (s.status) {
    case "expired":
    case "cancelled": {
      const item = s.attention.find(
        (a) =>
          same(a.payment) &&
          (a.kind === "paid_after_expiry" || a.kind === "paid_after_cancellation"),
      );
      if (!item) return refuse(s, e.type, "no late payment with that CIP and operation");
      if (item.refundedMinor > 0) return refuse(s, e.type, "that payment was already refunded");
      if (!sameMoney(item.payment.amount, s.expected)) {
        return refuse(s, e.type, "the late payment does not match the order amount");
      }
      const cips = s.cips.includes(item.payment.cip) ? s.cips : [...s.cips, item.payment.cip];
      return done(
        {
          ...s,
          status: "paid",
          cips,
          payment: item.payment,
          refundedMinor: 0,
          attention: s.attention.filter((a) => a !== item),
        },
        [{ type: "order_paid", payment: item.payment, reinstated: true }],
      );
    }
    case "paid":
    case "partially_refunded":
    case "refunded":
      return s.payment && same(s.payment)
        ? noop(s)
        : refuse(s, e.type, "the order is already paid by another payment");
    case "created":
    case "pending":
      return refuse(s, e.type, "only an expired or cancelled order can be reinstated");
    default:
      return assertNever(s.status);
  }
}

const ATTENTION_TEXT: Record<AttentionKind, LocalizedMessage> = {
  paid_after_expiry: {
    es: "El cliente pagó el código CIP después de que venciera y el pedido ya estaba anulado. Reactive el pedido si aún puede atenderlo, o devuelva el pago completo al cliente.",
    en: "The shopper paid the CIP after it expired, when the order had already been voided. Reinstate the order if you can still fulfil it, or refund the full payment to the shopper.",
  },
  paid_after_cancellation: {
    es: "El cliente pagó el código CIP después de que el pedido fuera cancelado. Reactive el pedido si aún puede atenderlo, o devuelva el pago completo al cliente.",
    en: "The shopper paid the CIP after the order was cancelled. Reinstate the order if you can still fulfil it, or refund the full payment to the shopper.",
  },
  paid_twice: {
    es: "El pedido se pagó dos veces (se pagó también otro código CIP del mismo pedido). El pedido ya está pagado: devuelva el segundo pago al cliente.",
    en: "The order was paid twice (another CIP for the same order was also paid). The order is already paid: refund the second payment to the shopper.",
  },
  amount_mismatch: {
    es: "PagoEfectivo informó un pago cuyo monto o moneda no coincide con el pedido, por lo que no se marcó como pagado. Revise el pago en su panel de PagoEfectivo y devuélvalo al cliente; no entregue el pedido hasta resolverlo.",
    en: "PagoEfectivo reported a payment whose amount or currency does not match the order, so the order was not marked as paid. Check the payment in your PagoEfectivo dashboard and refund it to the shopper; do not fulfil the order until this is resolved.",
  },
};

/** Merchant-facing explanation of an attention item, saying what to do about it. */
export function describeAttention(kind: AttentionKind, locale: "es" | "en"): string {
  return ATTENTION_TEXT[kind][locale];
}

function raise(s: VoucherState, kind: AttentionKind, payment: VoucherPayment): VoucherTransition {
  const attention: VoucherAttention = { kind, payment, refundedMinor: 0 };
  return done({ ...s, attention: [...s.attention, attention] }, [
    { type: "attention_raised", attention },
  ]);
}

function findRecordedPayment(s: VoucherState, p: VoucherPayment): VoucherPayment | undefined {
  const same = (q: VoucherPayment) => q.cip === p.cip && q.operationNumber === p.operationNumber;
  if (s.payment && same(s.payment)) return s.payment;
  return s.attention.find((a) => same(a.payment))?.payment;
}

function done(state: VoucherState, effects: VoucherEffect[]): VoucherTransition {
  return { ok: true, state, effects, duplicate: false };
}

function noop(state: VoucherState): VoucherTransition {
  return { ok: true, state, effects: [], duplicate: true };
}

function refuse(s: VoucherState, event: VoucherEventType, reason: string): VoucherTransition {
  return { ok: false, error: new InvalidTransitionError(MACHINE, s.status, event, reason) };
}

function refundRefused(reason: VoucherRefundRefusal, detail: string): VoucherTransition {
  return { ok: false, error: new VoucherRefundRefusedError(reason, detail) };
}

function isNonEmpty(v: unknown): v is string {
  return typeof v === "string" && v.trim() !== "";
}

function isValidDate(v: unknown): v is Date {
  return v instanceof Date && !Number.isNaN(v.getTime());
}

function isMinor(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function assertNever(value: never): never {
  throw new Error(`unhandled voucher case: ${JSON.stringify(value)}`);
}
