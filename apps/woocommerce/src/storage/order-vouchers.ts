import { listVouchersByGroup, type Database } from "@pe-pay/engine";
import { toVoucherView, type VoucherView } from "../engine-ports";
import type { OrderVoucherLookup } from "../ports";
import { DbTenantStore } from "./woo-stores";

const SETTLED = new Set(["paid", "partially_refunded", "refunded"]);

/**
 * The voucher that speaks for a WooCommerce order (group key = order id). An order may have had
 * several attempts; the one that was paid wins (refunds and admin cancels concern it), else the
 * newest attempt.
 */
export class DbOrderVoucherLookup implements OrderVoucherLookup {
  constructor(private readonly db: Database) {}

  async latestVoucherForOrder(tenantId: string, orderId: number): Promise<VoucherView | null> {
    if (!DbTenantStore.isStoreId(tenantId)) return null;
    const all = await listVouchersByGroup(this.db, tenantId, String(orderId));
    if (all.length === 0) return null;
    const paid = all.filter((v) => SETTLED.has(v.status));
    const chosen = (paid.length ? paid : all).at(-1)!;
    return toVoucherView(chosen);
  }
}
