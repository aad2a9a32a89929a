import {
  AppError,
  ConflictError,
  NotFoundError,
  UnavailableError,
  ValidationError,
  type FieldIssue,
} from "../errors";

/**
 * What PagoEfectivo said (or did not say) about a failed call. `code`, `message` and `field` are
 * PagoEfectivo's own values, passed through verbatim for the merchant (contract §4); `status` is
 * the HTTP status it answered, absent when no answer arrived (network error, timeout).
 */
export interface PagoEfectivoErrorInfo {
  method: string;
  path: string;
  status?: number;
  code?: string;
  message?: string;
  field?: string;
  /** The envelope's `data[]` field list (empty when PagoEfectivo sent none). */
  issues: FieldIssue[];
}

function describe(info: PagoEfectivoErrorInfo, what: string): string {
  const answer = info.status === undefined ? "" : ` answered HTTP ${info.status}`;
  const pe =
    info.code !== undefined || info.message !== undefined
      ? ` (PagoEfectivo code ${info.code ?? "?"}: ${info.message ?? "no message"})`
      : "";
  const fields = info.issues.length
    ? ` [${info.issues.map((i) => `${i.field} ${i.code}: ${i.message}`).join("; ")}]`
    : "";
  return `PagoEfectivo ${info.method} ${info.path}${answer}: ${what}${pe}${fields}`;
}

/** PagoEfectivo refused the request's content (HTTP 400/422 with the `data[]` field list). */
export class PagoEfectivoValidationError extends ValidationError {
  constructor(readonly pagoEfectivo: PagoEfectivoErrorInfo) {
    super(
      pagoEfectivo.issues.length
        ? pagoEfectivo.issues
        : [
            {
              field: pagoEfectivo.field ?? "request",
              code: pagoEfectivo.code ?? String(pagoEfectivo.status ?? "invalid"),
              message: pagoEfectivo.message ?? "PagoEfectivo refused the request",
            },
          ],
      { merchantMessage: describe(pagoEfectivo, "request refused as invalid") },
    );
    this.message = describe(pagoEfectivo, "request refused as invalid");
  }
}

/** Credentials refused, or a fresh token refused again (a second 401). Not retryable. */
export class PagoEfectivoAuthError extends AppError {
  readonly code = "pagoefectivo_auth_failed";
  readonly retryable = false;
  readonly httpStatus = 502;
  constructor(
    readonly pagoEfectivo: PagoEfectivoErrorInfo,
    what = "authorization failed",
  ) {
    super(describe(pagoEfectivo, what));
  }
}

export class PagoEfectivoNotFoundError extends NotFoundError {
  constructor(readonly pagoEfectivo: PagoEfectivoErrorInfo) {
    super(describe(pagoEfectivo, "not found"));
  }
}

/** HTTP 409: e.g. a refund `reference` reused with a different body. */
export class PagoEfectivoConflictError extends ConflictError {
  constructor(readonly pagoEfectivo: PagoEfectivoErrorInfo) {
    super(describe(pagoEfectivo, "conflict"));
  }
}

/** Any other definite 4xx refusal (403, 405, 410, …): the request was not applied. */
export class PagoEfectivoRejectedError extends AppError {
  readonly code = "pagoefectivo_rejected";
  readonly retryable = false;
  readonly httpStatus = 422;
  constructor(readonly pagoEfectivo: PagoEfectivoErrorInfo) {
    super(describe(pagoEfectivo, "request refused"));
  }
}

export type UnavailableReason = "http_5xx" | "rate_limited" | "network" | "timeout";

/** 5xx, 429, network failure or timeout, after the retries the call was allowed. */
export class PagoEfectivoUnavailableError extends UnavailableError {
  constructor(
    readonly pagoEfectivo: PagoEfectivoErrorInfo,
    readonly reason: UnavailableReason,
    readonly attempts: number,
    cause?: unknown,
  ) {
    super(
      describe(pagoEfectivo, `${REASON_TEXT[reason]} after ${attempts} attempt(s)`),
      cause === undefined ? {} : { cause },
    );
  }
}

const REASON_TEXT: Record<UnavailableReason, string> = {
  http_5xx: "server error",
  rate_limited: "rate limited",
  network: "network error",
  timeout: "timed out",
};

/**
 * A 2xx whose body does not match the contract (bad JSON, missing fields, a float CIP, an amount
 * with 3 decimals…). `problems` names the offending paths; it never quotes the values, so a token
 * or personal data in a broken answer cannot leak through it.
 */
export class PagoEfectivoMalformedResponseError extends AppError {
  readonly code = "pagoefectivo_malformed_response";
  readonly retryable = false;
  readonly httpStatus = 502;
  constructor(
    readonly pagoEfectivo: PagoEfectivoErrorInfo,
    readonly problems: string[],
  ) {
    super(describe(pagoEfectivo, `malformed response: ${problems.join("; ")}`));
  }
}

export type CipCreationUncertainty = UnavailableReason | "malformed_success";

/**
 * POST /v1/cips may have created the CIP but we did not get a usable answer. Deliberately NOT a
 * subclass of UnavailableError, so a generic "retry on unavailable" handler cannot re-create the
 * CIP by accident: the caller must reconcile through `transactionCode` (see createCip).
 */
export class CipCreationOutcomeUnknownError extends AppError {
  readonly code = "cip_creation_outcome_unknown";
  readonly retryable = true;
  readonly httpStatus = 503;
  constructor(
    readonly transactionCode: string,
    readonly reason: CipCreationUncertainty,
    readonly pagoEfectivo: PagoEfectivoErrorInfo,
    cause?: unknown,
  ) {
    super(
      describe(
        pagoEfectivo,
        `CIP creation outcome unknown for transactionCode ${transactionCode} (${reason}); reconcile before creating another`,
      ),
      cause === undefined ? {} : { cause },
    );
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), transactionCode: this.transactionCode, reason: this.reason };
  }
}

export type PagoEfectivoClientError =
  | PagoEfectivoValidationError
  | PagoEfectivoAuthError
  | PagoEfectivoNotFoundError
  | PagoEfectivoConflictError
  | PagoEfectivoRejectedError
  | PagoEfectivoUnavailableError
  | PagoEfectivoMalformedResponseError
  | CipCreationOutcomeUnknownError;
