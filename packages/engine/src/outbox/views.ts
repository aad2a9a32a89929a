import type { Executor } from "../db/database";
import { mapVoucher, type VoucherRecord } from "../db/vouchers";
import type { VoucherStatus, VoucherView } from "../ports";

export function toVoucherView(v: VoucherRecord, publicToken: string): VoucherView {
  return {
    id: v.id,
    tenantId: v.tenantId,
    status: v.status as VoucherStatus,
    cip: v.cip,
    cipUrl: v.cipUrl,
    amount: v.amount,
    expiresAt: v.expiresAt,
    paidAt: v.paidAt,
    publicToken,
    platformReference: v.platformPaymentId,
    platformData: v.platformData,
  };
}

/**
 * The voucher as the adapters see it. The public token's column belongs to the voucher use
 * cases: it is read from the row when present (`public_token`), and the facade may pass its own
 * loader to the dispatcher instead.
 */
export async function loadVoucherView(q: Executor, voucherId: string): Promise<VoucherView | null> {
  const { rows } = await q.query("SELECT * FROM vouchers WHERE id = $1", [voucherId]);
  const row = rows[0];
  if (!row) return null;
  const token = typeof row.public_token === "string" ? row.public_token : "";
  return toVoucherView(mapVoucher(row), token);
}
