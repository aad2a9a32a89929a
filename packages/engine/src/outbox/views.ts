import type { Executor } from "../db/database";
import { getVoucher, type VoucherRecord } from "../db/vouchers";
import type { VoucherStatus, VoucherView } from "../ports";
import { engineData, toVoucherView } from "../vouchers/views";

/** A row written without the voucher use cases' engine data (imports, tests): its raw fields. */
function rawVoucherView(v: VoucherRecord): VoucherView {
  return {
    id: v.id,
    tenantId: v.tenantId,
    status: v.status as VoucherStatus,
    cip: v.cip,
    cipUrl: v.cipUrl,
    amount: v.amount,
    expiresAt: v.expiresAt,
    paidAt: v.paidAt,
    publicToken: "",
    platformReference: v.platformPaymentId,
    platformData: v.platformData,
  };
}

/**
 * The voucher as the adapters see it at delivery time (the dispatcher's default `loadVoucher`):
 * the voucher use cases' view (public token, adapter data unpacked), or the raw row for a
 * voucher they did not write.
 */
export async function loadOutboxVoucherView(
  q: Executor,
  voucherId: string,
): Promise<VoucherView | null> {
  const v = await getVoucher(q, voucherId);
  return v ? outboxVoucherView(v) : null;
}

/** loadOutboxVoucherView of a row already read (e.g. with the outbox claim). */
export function outboxVoucherView(v: VoucherRecord): VoucherView {
  return engineData(v) ? toVoucherView(v) : rawVoucherView(v);
}
