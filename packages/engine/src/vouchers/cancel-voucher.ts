import { ConflictError, NotFoundError, ValidationError } from "@pe-pay/core";
import type { EngineContext } from "../context";
import { getVoucher, listVoucherCips } from "../db/vouchers";
import type { VoucherView } from "../ports";
import type { StepHook } from "./hooks";
import { retireVoucher } from "./retire-voucher";
import type { TenantAccess } from "./tenant-access";
import { engineData, toVoucherView } from "./views";

export interface CancelVoucherCommand {
  tenantId: string;
  voucherId: string;
  reason: "shopper_switched" | "admin_cancelled";
}

/**
 * Shopper switched method / admin cancelled an unpaid order. The CIPs are deleted at
 * PagoEfectivo first; if one turns out to be paid, the voucher ends up paid, not cancelled, and
 * the returned view says so. Idempotent: cancelling a finished voucher returns it unchanged.
 */
export async function cancelVoucher(
  ctx: EngineContext,
  deps: { access: TenantAccess; hook?: StepHook },
  cmd: CancelVoucherCommand,
): Promise<VoucherView> {
  if (
    typeof cmd?.voucherId !== "string" ||
    !/^[0-9a-f-]{36}$/i.test(cmd.voucherId) ||
    !["shopper_switched", "admin_cancelled"].includes(cmd.reason)
  ) {
    throw new ValidationError([
      { field: "voucherId", code: "invalid", message: "a voucher id and a reason are required" },
    ]);
  }
  const v = await getVoucher(ctx.db, cmd.voucherId);
  if (!v || v.tenantId !== cmd.tenantId) throw new NotFoundError("voucher not found");
  if (v.status !== "created" && v.status !== "pending") return toVoucherView(v);
  if (v.expiryLeaseUntil && v.expiryLeaseUntil.getTime() > ctx.clock.now().getTime()) {
    // A CIP creation (or the expiry scheduler) is working on it right now.
    throw new ConflictError("the voucher is being updated; retry shortly");
  }
  const entry = await deps.access.get(v.tenantId);
  if (!entry?.credentials) throw new ConflictError("PagoEfectivo credentials are missing");
  const client = deps.access.client(entry, engineData(v)?.environment ?? entry.tenant.environment);
  const result = await retireVoucher(ctx, {
    voucher: v,
    cips: await listVoucherCips(ctx.db, v.id),
    client,
    target: "cancelled",
    hook: deps.hook,
  });
  ctx.logger.info(
    { voucherId: v.id, tenantId: v.tenantId, reason: cmd.reason, result: result.kind },
    "voucher cancel requested",
  );
  const fresh = await getVoucher(ctx.db, v.id);
  return toVoucherView(fresh!);
}
