import { AppError } from "@pe-pay/core";

/**
 * PagoEfectivo's error envelope `{code, message, data[]}`. Only 111 "Error de validación." is
 * published; every other number here is the sandbox's own (see apps/sandbox/README.md), chosen so
 * clients can tell the cases apart without parsing messages.
 */
export const PE_CODES = {
  ok: 100,
  searchOk: 502,
  validation: 111,
  tooLarge: 113,
  badCredentials: 120,
  staleDateRequest: 121,
  badToken: 130,
  cipNotFound: 140,
  cipPaid: 141,
  cipRemoved: 142,
  cipExpired: 143,
  badRefundSignature: 150,
  staleRefundTimestamp: 151,
  cipNotPaid: 160,
  refundExceedsBalance: 161,
  refundWindowElapsed: 162,
  refundReferenceConflict: 163,
  refundNotFound: 164,
  refundAlreadyProcessed: 165,
  currencyMismatch: 166,
  settlementNotFound: 170,
  routeNotFound: 180,
  unavailable: 190,
  internal: 199,
} as const;

export interface PeFieldError {
  code: number;
  field: string;
  message: string;
}

/** An error answered as PagoEfectivo's envelope. `data` carries field errors for 111. */
export class PeApiError extends AppError {
  readonly code = "pagoefectivo_error";
  readonly retryable: boolean;
  constructor(
    readonly httpStatus: number,
    readonly peCode: number,
    message: string,
    readonly data: PeFieldError[] = [],
  ) {
    super(message);
    this.retryable = httpStatus >= 500;
  }
  envelope(): { code: number; message: string; data: PeFieldError[] } {
    return { code: this.peCode, message: this.message, data: this.data };
  }
}

export function validationError(data: PeFieldError[]): PeApiError {
  return new PeApiError(400, PE_CODES.validation, "Error de validación.", data);
}

export const notFoundCip = () => new PeApiError(404, PE_CODES.cipNotFound, "CIP no encontrado.");
