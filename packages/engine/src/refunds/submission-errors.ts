import {
  PagoEfectivoConflictError,
  PagoEfectivoNotFoundError,
  PagoEfectivoRejectedError,
  PagoEfectivoValidationError,
  ValidationError,
  type PagoEfectivoErrorInfo,
} from "@pe-pay/core";
import { EnvironmentChangedError } from "./pe-client";

export type SubmissionFailure =
  { kind: "refused"; code: string; reason: string } | { kind: "transient"; reason: string };

/**
 * What a failed `POST /v2/refunds` means for the refund.
 * - A definite 4xx answer (validation, 404 CIP, 409 reference reused, other refusal) means
 *   PagoEfectivo did not and will not apply it: the refund fails with PagoEfectivo's own words.
 * - Anything else (5xx, network, timeout, malformed 2xx, refused credentials, our own bugs) may
 *   be fixed by time or by the merchant, and a resubmission with the same `reference` can never
 *   create a second refund: keep it requested and retry.
 */
export function classifySubmissionError(e: unknown): SubmissionFailure {
  const info = (e as { pagoEfectivo?: PagoEfectivoErrorInfo }).pagoEfectivo;
  if (
    e instanceof PagoEfectivoValidationError ||
    e instanceof PagoEfectivoRejectedError ||
    e instanceof PagoEfectivoConflictError ||
    e instanceof PagoEfectivoNotFoundError
  ) {
    const detail = info?.issues.length
      ? ` (${info.issues.map((i) => `${i.field}: ${i.message}`).join("; ")})`
      : "";
    return {
      kind: "refused",
      code: `pagoefectivo_${info?.code ?? info?.status ?? "refused"}`,
      reason: `${info?.message ?? "PagoEfectivo rechazó el reembolso"}${detail}`.slice(0, 1000),
    };
  }
  if (e instanceof EnvironmentChangedError) {
    return { kind: "refused", code: e.code, reason: e.message.slice(0, 1000) };
  }
  if (e instanceof ValidationError) {
    // The client refused to send it (e.g. the voucher has no CIP): no retry can fix that.
    return { kind: "refused", code: "invalid_request", reason: e.message.slice(0, 1000) };
  }
  return { kind: "transient", reason: e instanceof Error ? e.message : String(e) };
}
