import type { Executor, Row } from "./database";
import { json, optDate, optString } from "./sql-helpers";

/** e.g. "paid_twice", "paid_after_cancel", "amount_mismatch", "unknown_cip". */
export interface AttentionItem {
  id: number;
  tenantId: string;
  voucherId: string | null;
  kind: string;
  dedupeKey: string;
  detail: unknown;
  createdAt: Date;
  resolvedAt: Date | null;
  resolution: string | null;
}

function mapItem(r: Row): AttentionItem {
  return {
    id: Number(r.id),
    tenantId: String(r.tenant_id),
    voucherId: optString(r.voucher_id),
    kind: String(r.kind),
    dedupeKey: String(r.dedupe_key),
    detail: r.detail,
    createdAt: r.created_at as Date,
    resolvedAt: optDate(r.resolved_at),
    resolution: optString(r.resolution),
  };
}

/**
 * Records a payment the merchant must resolve. Idempotent on (tenant, dedupeKey), e.g.
 * `paid_twice:<operationNumber>`, so a replayed notification does not add a second item.
 */
export async function createAttentionItem(
  q: Executor,
  item: {
    tenantId: string;
    voucherId?: string | null;
    kind: string;
    dedupeKey: string;
    detail?: unknown;
  },
): Promise<{ item: AttentionItem; created: boolean }> {
  const { rows } = await q.query(
    `INSERT INTO attention_items (tenant_id, voucher_id, kind, dedupe_key, detail)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tenant_id, dedupe_key) DO NOTHING RETURNING *`,
    [item.tenantId, item.voucherId ?? null, item.kind, item.dedupeKey, json(item.detail ?? {})],
  );
  if (rows[0]) return { item: mapItem(rows[0]), created: true };
  const existing = await q.query(
    "SELECT * FROM attention_items WHERE tenant_id = $1 AND dedupe_key = $2",
    [item.tenantId, item.dedupeKey],
  );
  return { item: mapItem(existing.rows[0]!), created: false };
}

export async function listOpenAttentionItems(
  q: Executor,
  tenantId: string,
): Promise<AttentionItem[]> {
  const { rows } = await q.query(
    "SELECT * FROM attention_items WHERE tenant_id = $1 AND resolved_at IS NULL ORDER BY id",
    [tenantId],
  );
  return rows.map(mapItem);
}

export async function resolveAttentionItem(
  q: Executor,
  id: number,
  resolution: { at: Date; resolution: string },
): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE attention_items SET resolved_at = $2, resolution = $3
     WHERE id = $1 AND resolved_at IS NULL RETURNING id`,
    [id, resolution.at, resolution.resolution],
  );
  return rowCount === 1;
}
