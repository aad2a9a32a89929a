import { isAppError, type Clock } from "@pe-pay/core";
import type { BridgeEngine, OrderVoucherLookup, WooStoreRecord } from "../ports";
import type { WooClient } from "../woo-client/client";
import type { WooOrder } from "../woo-client/types";
import { PAYMENT_METHOD_ID } from "../webhooks/order-updated";

export interface ReconcileStores {
  listStores(): Promise<Array<{ storeId: string; reconciledUntil: Date | null }>>;
  getWooStore(storeId: string): Promise<WooStoreRecord | null>;
  setReconciledUntil(storeId: string, at: Date): Promise<void>;
}

export interface ReconcileDeps {
  stores: ReconcileStores;
  vouchers: OrderVoucherLookup;
  engine: Pick<BridgeEngine, "cancelVoucher">;
  clientFor(store: WooStoreRecord): Pick<WooClient, "listModifiedOrders">;
  clock: Clock;
  /** First run for a store looks this far back. */
  lookbackMs: number;
  /** Re-read this much before the cursor: `modified_after` is exclusive and clocks differ. */
  overlapMs?: number;
  /** Pages per store per run (100 orders each), so one busy store cannot starve the others. */
  maxPages?: number;
  logger?: { warn(obj: object, msg?: string): void };
}

export interface ReconcileResult {
  stores: number;
  orders: number;
  cancelled: number;
  failedStores: number;
}

const UNPAID = new Set(["created", "pending"]);

/**
 * WooCommerce never redelivers a webhook, so the bridge also walks each store's recently
 * modified orders and applies the same rule as the webhook receiver: an admin-cancelled unpaid
 * PagoEfectivo order gets its CIP deleted. Everything is idempotent (our own echoes and repeated
 * runs are no-ops), so the cursor only needs to move forward, with some overlap.
 */
export async function reconcileOnce(deps: ReconcileDeps): Promise<ReconcileResult> {
  const result: ReconcileResult = { stores: 0, orders: 0, cancelled: 0, failedStores: 0 };
  const overlap = deps.overlapMs ?? 60_000;
  for (const summary of await deps.stores.listStores()) {
    result.stores += 1;
    try {
      const store = await deps.stores.getWooStore(summary.storeId);
      if (!store) continue;
      const now = deps.clock.now();
      const since = summary.reconciledUntil
        ? new Date(summary.reconciledUntil.getTime() - overlap)
        : new Date(now.getTime() - deps.lookbackMs);
      const client = deps.clientFor(store);
      let cursor = summary.reconciledUntil ?? since;
      let page: number | null = 1;
      for (let n = 0; page !== null && n < (deps.maxPages ?? 10); n++) {
        const listed = await client.listModifiedOrders({ modifiedAfter: since, page });
        for (const order of listed.orders) {
          result.orders += 1;
          if (await reconcileOrder(deps, store.storeId, order)) result.cancelled += 1;
          const modified = modifiedAt(order);
          if (modified && modified > cursor) cursor = modified;
        }
        page = listed.nextPage;
      }
      await deps.stores.setReconciledUntil(store.storeId, cursor);
    } catch (error) {
      result.failedStores += 1;
      deps.logger?.warn(
        { storeId: summary.storeId, err: (error as Error)?.message ?? String(error) },
        "reconciliation failed for store",
      );
    }
  }
  return result;
}

async function reconcileOrder(
  deps: ReconcileDeps,
  storeId: string,
  order: WooOrder,
): Promise<boolean> {
  if (order.payment_method !== PAYMENT_METHOD_ID || order.status !== "cancelled") return false;
  const voucher = await deps.vouchers.latestVoucherForOrder(storeId, order.id);
  if (!voucher || !UNPAID.has(voucher.status)) return false;
  try {
    await deps.engine.cancelVoucher({
      tenantId: storeId,
      voucherId: voucher.id,
      reason: "admin_cancelled",
    });
    return true;
  } catch (error) {
    // Refused (e.g. paid in the meantime: the engine raises the attention item) is final.
    if (isAppError(error) && !error.retryable) return false;
    throw error;
  }
}

function modifiedAt(order: WooOrder): Date | null {
  const gmt = order.date_modified_gmt;
  if (!gmt) return null;
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(gmt) ? gmt : `${gmt}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}
