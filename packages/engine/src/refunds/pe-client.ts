import { NotFoundError, type PagoEfectivoClient } from "@pe-pay/core";
import type { EngineContext } from "../context";
import { getTenant, getTenantCredentials } from "../db/tenants";

/** The PagoEfectivo client for one tenant's credentials and environment. */
export async function pagoEfectivoFor(
  ctx: EngineContext,
  tenantId: string,
): Promise<PagoEfectivoClient> {
  const tenant = await getTenant(ctx.db, tenantId);
  if (!tenant) throw new NotFoundError("tenant not found");
  const { pagoEfectivo } = await getTenantCredentials(ctx.db, ctx.keyring, tenantId);
  if (!pagoEfectivo) throw new NotFoundError("tenant has no PagoEfectivo credentials");
  return ctx.pagoEfectivo({
    credentials: pagoEfectivo,
    environment: tenant.environment,
    baseUrl: ctx.config.pagoEfectivoBaseUrl[tenant.environment],
    tenantId,
  });
}
