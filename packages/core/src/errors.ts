/**
 * Typed errors shared by every package. Each carries a stable machine `code`, a message safe to
 * show a shopper (Spanish first), and a message for the merchant. `retryable` tells an HTTP layer
 * whether to answer 5xx (the caller should retry) or 4xx (it should not).
 * Never put a secret, a token or a full credential in any of these fields.
 */
export interface FieldIssue {
  field: string;
  code: string;
  message: string;
}

export interface LocalizedMessage {
  es: string;
  en: string;
}

export abstract class AppError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
  /** Suggested HTTP status for an API answering with this error. */
  abstract readonly httpStatus: number;
  readonly shopperMessage: LocalizedMessage;
  readonly merchantMessage: string;

  constructor(
    message: string,
    opts: { shopperMessage?: LocalizedMessage; merchantMessage?: string; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.shopperMessage = opts.shopperMessage ?? GENERIC_SHOPPER_MESSAGE;
    this.merchantMessage = opts.merchantMessage ?? message;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, retryable: this.retryable };
  }
}

export const GENERIC_SHOPPER_MESSAGE: LocalizedMessage = {
  es: "No pudimos procesar el pago con PagoEfectivo. Inténtalo de nuevo en unos minutos o elige otro medio de pago.",
  en: "We could not process the PagoEfectivo payment. Please try again in a few minutes or choose another payment method.",
};

/** Input failed validation; `issues` lists every invalid field, not only the first. */
export class ValidationError extends AppError {
  readonly code = "validation_error";
  readonly retryable = false;
  readonly httpStatus = 400;
  constructor(
    readonly issues: FieldIssue[],
    opts: { shopperMessage?: LocalizedMessage; merchantMessage?: string } = {},
  ) {
    super(
      `Invalid input: ${issues.map((i) => `${i.field} (${i.code}): ${i.message}`).join("; ")}`,
      opts,
    );
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

/** A state machine refused a transition. */
export class InvalidTransitionError extends AppError {
  readonly code = "invalid_transition";
  readonly retryable = false;
  readonly httpStatus = 409;
  constructor(
    readonly machine: string,
    readonly from: string,
    readonly event: string,
    reason?: string,
  ) {
    super(`${machine}: cannot apply ${event} in state ${from}${reason ? ` (${reason})` : ""}`);
  }
}

/** A webhook, notification or signed request failed its signature check. */
export class SignatureError extends AppError {
  readonly code = "invalid_signature";
  readonly retryable = false;
  readonly httpStatus = 401;
}

/** Something we looked up does not exist. */
export class NotFoundError extends AppError {
  readonly code = "not_found";
  readonly retryable = false;
  readonly httpStatus = 404;
}

/** A conflicting request: the same idempotency key with a different body, a rule refusal. */
export class ConflictError extends AppError {
  readonly code = "conflict";
  readonly retryable = false;
  readonly httpStatus = 409;
}

/** A dependency is temporarily unavailable; the caller should retry later. */
export class UnavailableError extends AppError {
  readonly code = "unavailable";
  readonly retryable = true;
  readonly httpStatus = 503;
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
