import { NotFoundError, type PagoEfectivoClient } from "@pe-pay/core";
import type { EngineContext } from "../context";
import { tenantAccessFor } from "../vouchers/tenant-access";

/**
 * The PagoEfectivo client for one tenant's credentials and environment: the engine's cached
 * client (one per tenant + environment, so one auth token), not a new one per call.
 */
export async function pagoEfectivoFor(
  ctx: EngineContext,
  tenantId: string,
): Promise<PagoEfectivoClient> {
  const access = tenantAccessFor(ctx);
  const entry = await access.get(tenantId);
  if (!entry) throw new NotFoundError("tenant not found");
  if (!entry.credentials) throw new NotFoundError("tenant has no PagoEfectivo credentials");
  return access.client(entry, entry.tenant.environment);
}
