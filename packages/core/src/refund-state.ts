/**
 * A refund of a paid CIP (PagoEfectivo `POST /v2/refunds`) as a pure state machine, the rule
 * check done before asking PagoEfectivo, and the SUNAT credit-note number check.
 *
 *   requested ──submitted {refundId}──▶ submitted ──completed──▶ succeeded
 *       │  ▲                                 └──────rejected────▶ failed
 *       │  └─ submission_failed {retryable: true} (stays requested; resubmit with the same reference)
 *       └──── submission_failed {retryable: false} ─────────────▶ failed
 *
 * `completed`/`rejected` are only accepted once the refund is `submitted`: a notification that
 * arrives first carries the `refundId`, so the caller records `submitted` from it, then the outcome.
 * Repeating the terminal event a refund already reached is a no-op; the opposite terminal event
 * (completed after failed, rejected after succeeded) is refused with `RefundOutcomeConflictError`,
 * which a caller must surface to a person — money may have moved against our records.
 */
import type { LocalizedMessage } from "./errors";
import { AppError, InvalidTransitionError, ValidationError } from "./errors";
import type { Money } from "./money";
import { formatDecimal } from "./money";

export const REFUND_STATUSES = ["requested", "submitted", "succeeded", "failed"] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export type RefundFailure =
  { kind: "rejected"; reasonCode: string | null } | { kind: "submission_failed" };

export interface RefundState {
  readonly status: RefundStatus;
  readonly amount: Money;
  readonly refundId: string | null;
  readonly failure: RefundFailure | null;
  /** Retryable submission failures so far (for backoff and for giving up). */
  readonly failedAttempts: number;
}

export type RefundEvent =
  | { type: "submitted"; refundId: string }
  | { type: "completed" }
  | { type: "rejected"; reasonCode?: string }
  | { type: "submission_failed"; retryable: boolean };

export type RefundEventType = RefundEvent["type"];

export type RefundEffect =
  /** Record the refund on the voucher (`refund_succeeded`) and tell the platform. */
  | { type: "refund_succeeded"; amount: Money; refundId: string }
  /** The amount no longer counts as in flight; tell the platform the refund failed. */
  | { type: "refund_failed"; amount: Money; failure: RefundFailure }
  /** Submit again with the same reference (PagoEfectivo's idempotency key). */
  | { type: "retry_submission"; attempt: number };

/** A terminal outcome contradicting the one already recorded. */
export class RefundOutcomeConflictError extends AppError {
  readonly code = "refund_outcome_conflict";
  readonly retryable = false;
  readonly httpStatus = 409;
  constructor(
    readonly recorded: RefundStatus,
    readonly received: RefundEventType,
  ) {
    super(`refund: ${received} received for a refund already ${recorded}`);
  }
}

export type RefundTransition =
  | { ok: true; state: RefundState; effects: RefundEffect[]; duplicate: boolean }
  | { ok: false; error: InvalidTransitionError | RefundOutcomeConflictError };

const MACHINE = "refund";

export function initialRefundState(amount: Money): RefundState {
  return { status: "requested", amount, refundId: null, failure: null, failedAttempts: 0 };
}

export function transitionRefund(state: RefundState, event: RefundEvent): RefundTransition {
  const s = state;
  switch (event.type) {
    case "submitted": {
      if (typeof event.refundId !== "string" || event.refundId.trim() === "") {
        return refuse(s, event.type, "refundId is required");
      }
      if (s.status === "requested") {
        return done({ ...s, status: "submitted", refundId: event.refundId, failure: null }, []);
      }
      if (s.refundId === event.refundId) return noop(s);
      return refuse(s, event.type, `already bound to refund ${s.refundId ?? "(none)"}`);
    }
    case "completed":
      switch (s.status) {
        case "submitted":
          return done({ ...s, status: "succeeded" }, [
            { type: "refund_succeeded", amount: s.amount, refundId: s.refundId as string },
          ]);
        case "succeeded":
          return noop(s);
        case "failed":
          return conflict(s, event.type);
        case "requested":
          return refuse(s, event.type, "record `submitted` with the refundId first");
        default:
          return assertNever(s.status);
      }
    case "rejected":
      switch (s.status) {
        case "submitted": {
          const failure: RefundFailure = { kind: "rejected", reasonCode: event.reasonCode ?? null };
          return done({ ...s, status: "failed", failure }, [
            { type: "refund_failed", amount: s.amount, failure },
          ]);
        }
        case "failed":
          return noop(s);
        case "succeeded":
          return conflict(s, event.type);
        case "requested":
          return refuse(s, event.type, "record `submitted` with the refundId first");
        default:
          return assertNever(s.status);
      }
    case "submission_failed":
      switch (s.status) {
        case "requested": {
          if (event.retryable) {
            const attempt = s.failedAttempts + 1;
            return done({ ...s, failedAttempts: attempt }, [{ type: "retry_submission", attempt }]);
          }
          const failure: RefundFailure = { kind: "submission_failed" };
          return done({ ...s, status: "failed", failure }, [
            { type: "refund_failed", amount: s.amount, failure },
          ]);
        }
        case "failed":
          // A late answer to a submission we already gave up on changes nothing.
          return noop(s);
        case "submitted":
        case "succeeded":
          return refuse(s, event.type, "PagoEfectivo already accepted this refund");
        default:
          return assertNever(s.status);
      }
    default:
      return assertNever(event);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Rule check before submitting                                                                */
/* ------------------------------------------------------------------------------------------ */

export const REFUND_REFUSAL_REASONS = [
  "not_paid",
  "currency_mismatch",
  "above_balance",
  "window_elapsed",
  "invalid_amount",
  "environment_changed",
] as const;
export type RefundRefusalReason = (typeof REFUND_REFUSAL_REASONS)[number];

export const DEFAULT_REFUND_WINDOW_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface RefundRequestCheck {
  /** The applied payment; null/undefined when the voucher is not paid. */
  paid: Money | null | undefined;
  paidAt: Date | null | undefined;
  /** Minor units of refunds already succeeded plus those still in flight (requested/submitted). */
  alreadyRefundedOrPending: number;
  requested: Money;
  now: Date;
  windowDays?: number;
  /**
   * The PagoEfectivo environment the payment was made in and the one the store's credentials are
   * for now. CIP numbers are unique per environment only: a refund of a sandbox payment sent
   * with production credentials could name another, real CIP.
   */
  environment?: { payment: string; current: string };
}

/** The merchant asked for a refund PagoEfectivo's rules would refuse. */
export class RefundRefusedError extends AppError {
  readonly code = "refund_refused";
  readonly retryable = false;
  readonly httpStatus = 422;
  constructor(
    readonly reason: RefundRefusalReason,
    readonly messages: LocalizedMessage,
    /** What could still be refunded (minor units), when known. */
    readonly refundableMinor: number,
  ) {
    super(`refund refused: ${reason}`, { merchantMessage: messages.es });
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason, refundableMinor: this.refundableMinor };
  }
}

export type RefundRequestCheckResult =
  { ok: true; refundableAfterMinor: number } | { ok: false; error: RefundRefusedError };

/**
 * PagoEfectivo's refund rules, checked before any call: the CIP is paid, the currency is the
 * payment's, the requested amount plus every refund already succeeded or still in flight never
 * exceeds the paid amount, and the request falls within `windowDays` of the payment.
 *
 * The window counts elapsed time in days of exactly 24 h from `paidAt` (inclusive at the
 * boundary). Lima has no daylight saving, so this equals "the same Lima clock time, 90 Lima days
 * later". A calendar reading ("until the end of the 90th Lima day") would allow up to one more
 * day; the guide does not say which PagoEfectivo uses, and stopping at the earlier moment means
 * we never submit a refund PagoEfectivo might refuse as out of window (the merchant is told why).
 * A refusal is returned, never thrown; only invalid configuration (`now`, `windowDays`) throws
 * a RangeError.
 */
export function checkRefundRequest(input: RefundRequestCheck): RefundRequestCheckResult {
  const { paid, paidAt, alreadyRefundedOrPending, requested, now } = input;
  const windowDays = input.windowDays ?? DEFAULT_REFUND_WINDOW_DAYS;
  // Bad configuration is a programming error, not a merchant's refused request.
  if (!isValidDate(now)) throw new RangeError("checkRefundRequest: now must be a valid Date");
  if (!Number.isFinite(windowDays) || windowDays < 0) {
    throw new RangeError(`checkRefundRequest: invalid windowDays ${windowDays}`);
  }
  const balance =
    paid && isMinor(paid.minor) && isMinor(alreadyRefundedOrPending)
      ? Math.max(0, paid.minor - alreadyRefundedOrPending)
      : 0;
  const refuse = (reason: RefundRefusalReason): RefundRequestCheckResult => ({
    ok: false,
    error: new RefundRefusedError(
      reason,
      refusalMessage(reason, balance, paid, windowDays),
      balance,
    ),
  });

  if (
    !requested ||
    !isMinor(requested.minor) ||
    requested.minor === 0 ||
    !isMinor(alreadyRefundedOrPending)
  ) {
    return refuse("invalid_amount");
  }
  if (!paid || !isMinor(paid.minor) || paid.minor === 0 || !isValidDate(paidAt)) {
    return refuse("not_paid");
  }
  if (input.environment && input.environment.payment !== input.environment.current) {
    return refuse("environment_changed");
  }
  if (requested.currency !== paid.currency) return refuse("currency_mismatch");
  if (now.getTime() - paidAt.getTime() > windowDays * DAY_MS) return refuse("window_elapsed");
  if (alreadyRefundedOrPending + requested.minor > paid.minor) return refuse("above_balance");
  return { ok: true, refundableAfterMinor: balance - requested.minor };
}

function refusalMessage(
  reason: RefundRefusalReason,
  balanceMinor: number,
  paid: Money | null | undefined,
  windowDays: number,
): LocalizedMessage {
  const balance = `${paid?.currency ?? ""} ${formatDecimal(balanceMinor)}`.trim();
  switch (reason) {
    case "not_paid":
      return {
        es: "Este pedido no tiene un pago confirmado por PagoEfectivo; no hay nada que reembolsar.",
        en: "This order has no payment confirmed by PagoEfectivo; there is nothing to refund.",
      };
    case "currency_mismatch":
      return {
        es: `El reembolso debe hacerse en la misma moneda del pago (${paid?.currency ?? "-"}).`,
        en: `The refund must be in the payment's currency (${paid?.currency ?? "-"}).`,
      };
    case "above_balance":
      return {
        es: `El monto supera el saldo reembolsable (${balance}), contando los reembolsos ya hechos o en curso.`,
        en: `The amount exceeds the refundable balance (${balance}), counting refunds already made or in progress.`,
      };
    case "window_elapsed":
      return {
        es: `Pasaron más de ${windowDays} días desde el pago: PagoEfectivo ya no permite reembolsarlo. Coordine la devolución con el cliente por otro medio.`,
        en: `More than ${windowDays} days have passed since the payment: PagoEfectivo no longer allows refunding it. Arrange the return with the shopper another way.`,
      };
    case "invalid_amount":
      return {
        es: "El monto del reembolso debe ser mayor que cero, con a lo sumo dos decimales.",
        en: "The refund amount must be greater than zero, with at most two decimals.",
      };
    case "environment_changed":
      return {
        es: "Este pago se hizo en otro entorno de PagoEfectivo (pruebas o producción) que el que la tienda usa ahora: no se puede reembolsar por PagoEfectivo. Coordine la devolución con el cliente por otro medio.",
        en: "This payment was made in another PagoEfectivo environment (test or production) than the one the store uses now: it cannot be refunded through PagoEfectivo. Arrange the return with the shopper another way.",
      };
    default:
      return assertNever(reason);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* SUNAT credit note number                                                                    */
/* ------------------------------------------------------------------------------------------ */

export interface CreditNoteNumber {
  /** Normalised "SERIES-NUMBER" as written (series upper-cased, digits kept as given). */
  value: string;
  series: string;
  number: number;
}

export type CreditNoteNumberResult =
  { ok: true; value: CreditNoteNumber } | { ok: false; error: ValidationError };

const CREDIT_NOTE = /^([FB][A-Z0-9]{3})-(\d{1,8})$/;

/**
 * A SUNAT credit note (Nota de Crédito) in series-number form, required by PagoEfectivo refunds.
 * Accepted: a 4-character series starting with F (note on a factura) or B (on a boleta) followed
 * by 3 letters or digits — "F001", "B001", "FC01" — a hyphen, and a correlative of 1 to 8 digits
 * that is not zero ("FC01-00000123", "B001-123"). Surrounding spaces are trimmed and the series
 * is upper-cased; nothing else is rewritten (leading zeros of the number are kept).
 */
export function validateCreditNoteNumber(text: unknown): CreditNoteNumberResult {
  const fail = (code: string, message: string): CreditNoteNumberResult => ({
    ok: false,
    error: new ValidationError([{ field: "invoiceNumber", code, message }], {
      merchantMessage:
        "El número de nota de crédito debe tener la forma F001-00000123 o B001-00000123.",
    }),
  });
  if (typeof text !== "string" || text.trim() === "") {
    return fail("required", "a SUNAT credit note number is required");
  }
  const candidate = text.trim().toUpperCase();
  const m = CREDIT_NOTE.exec(candidate);
  if (!m) {
    return fail(
      "invalid_format",
      "expected series-number such as F001-00000123 or B001-123 (series: F or B + 3 letters/digits; number: 1-8 digits)",
    );
  }
  const series = m[1] as string;
  const digits = m[2] as string;
  const number = Number(digits);
  if (number === 0) return fail("invalid_format", "the correlative number cannot be zero");
  return { ok: true, value: { value: `${series}-${digits}`, series, number } };
}

function done(state: RefundState, effects: RefundEffect[]): RefundTransition {
  return { ok: true, state, effects, duplicate: false };
}

function noop(state: RefundState): RefundTransition {
  return { ok: true, state, effects: [], duplicate: true };
}

function refuse(s: RefundState, event: RefundEventType, reason: string): RefundTransition {
  return { ok: false, error: new InvalidTransitionError(MACHINE, s.status, event, reason) };
}

function conflict(s: RefundState, event: RefundEventType): RefundTransition {
  return { ok: false, error: new RefundOutcomeConflictError(s.status, event) };
}

function isMinor(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function isValidDate(v: unknown): v is Date {
  return v instanceof Date && !Number.isNaN(v.getTime());
}

function assertNever(value: never): never {
  throw new Error(`unhandled refund case: ${JSON.stringify(value)}`);
}
