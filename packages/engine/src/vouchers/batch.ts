import type { Executor } from "../db/database";
import type { VoucherRecord } from "../db/vouchers";
import type { TenantAccess, TenantEntry } from "./tenant-access";
import { engineData } from "./views";

/** Every CIP of each voucher (voucher_cips), in one query for a whole batch. */
export async function cipsOfVouchers(
  q: Executor,
  vouchers: readonly VoucherRecord[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(vouchers.map((v) => [v.id, v.cip ? [v.cip] : []]));
  if (vouchers.length === 0) return out;
  const { rows } = await q.query<{ voucher_id: string; cip: string }>(
    "SELECT voucher_id, cip FROM voucher_cips WHERE voucher_id = ANY($1::uuid[]) ORDER BY created_at, cip",
    [vouchers.map((v) => v.id)],
  );
  for (const r of rows) {
    const list = out.get(String(r.voucher_id));
    if (list && !list.includes(r.cip)) list.push(r.cip);
  }
  return out;
}

export interface TenantBatch {
  entry: TenantEntry | null;
  environment: string;
  vouchers: VoucherRecord[];
}

/** Groups a claimed batch by tenant and PagoEfectivo environment (one client per group). */
export async function groupByTenant(
  access: TenantAccess,
  vouchers: readonly VoucherRecord[],
): Promise<TenantBatch[]> {
  const groups = new Map<string, TenantBatch>();
  for (const v of vouchers) {
    const entry = await access.get(v.tenantId);
    const environment = engineData(v)?.environment ?? entry?.tenant.environment ?? "sandbox";
    const key = `${v.tenantId}:${environment}`;
    let g = groups.get(key);
    if (!g) {
      g = { entry, environment, vouchers: [] };
      groups.set(key, g);
    }
    g.vouchers.push(v);
  }
  return [...groups.values()];
}

/** Runs `fn` over `items` with at most `limit` in flight; collects results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}
