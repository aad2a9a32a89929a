import { AppError, NotFoundError, type PagoEfectivoClient } from "@pe-pay/core";
import type { EngineContext } from "../context";
import { tenantAccessFor } from "../vouchers/tenant-access";

/**
 * The PagoEfectivo client for one tenant's credentials and environment: the engine's cached
 * client (one per tenant + environment, so one auth token), not a new one per call.
 */
export async function pagoEfectivoFor(
  ctx: EngineContext,
  tenantId: string,
  /** Where the payment was made, when known: the store must still be on that environment. */
  paymentEnvironment?: string,
): Promise<PagoEfectivoClient> {
  const access = tenantAccessFor(ctx);
  const entry = await access.get(tenantId);
  if (!entry) throw new NotFoundError("tenant not found");
  if (!entry.credentials) throw new NotFoundError("tenant has no PagoEfectivo credentials");
  if (paymentEnvironment && paymentEnvironment !== entry.tenant.environment) {
    // CIP numbers are unique per environment only: the same number under the store's current
    // credentials may be another, real payment. No retry can fix it.
    throw new EnvironmentChangedError(paymentEnvironment, entry.tenant.environment);
  }
  return access.client(entry, entry.tenant.environment);
}

/**
 * The payment was made in another PagoEfectivo environment than the store's credentials. Not a
 * ValidationError: nothing in the request is wrong, the store's state moved on, and no retry can
 * fix it (classifySubmissionError fails the refund with this code).
 */
export class EnvironmentChangedError extends AppError {
  readonly code = "environment_changed";
  readonly retryable = false;
  readonly httpStatus = 409;
  constructor(
    readonly paymentEnvironment: string,
    readonly currentEnvironment: string,
  ) {
    super(
      `the payment was made in ${paymentEnvironment}; the store now uses ${currentEnvironment}`,
    );
  }
}
