import type { Executor, Row } from "./database";
import { json, optDate } from "./sql-helpers";

/** Kinds the engine raises; free text in the table so adapters may add their own. */
export type AlertKind =
  "refund_rate" | "signature_failure" | "dead_letter" | "attention_item" | (string & {});

export interface AlertRecord {
  id: number;
  tenantId: string;
  kind: string;
  key: string;
  detail: unknown;
  occurrences: number;
  createdAt: Date;
  lastSeenAt: Date;
  resolvedAt: Date | null;
}

function mapAlert(r: Row): AlertRecord {
  return {
    id: Number(r.id),
    tenantId: String(r.tenant_id),
    kind: String(r.kind),
    key: String(r.alert_key),
    detail: r.detail,
    occurrences: Number(r.occurrences),
    createdAt: r.created_at as Date,
    lastSeenAt: r.last_seen_at as Date,
    resolvedAt: optDate(r.resolved_at),
  };
}

/**
 * Raises an alert, or bumps the open one with the same (kind, key): a burst of 1 000 bad
 * signatures is one alert seen 1 000 times, not 1 000 alerts.
 */
export async function raiseAlert(
  q: Executor,
  a: { tenantId: string; kind: AlertKind; key?: string; detail?: unknown; at?: Date },
): Promise<AlertRecord> {
  const { rows } = await q.query(
    `INSERT INTO alerts (tenant_id, kind, alert_key, detail, created_at, last_seen_at)
     VALUES ($1, $2, $3, $4, COALESCE($5, now()), COALESCE($5, now()))
     ON CONFLICT (tenant_id, kind, alert_key) WHERE resolved_at IS NULL
     DO UPDATE SET occurrences = alerts.occurrences + 1, detail = EXCLUDED.detail,
       last_seen_at = EXCLUDED.last_seen_at
     RETURNING *`,
    [a.tenantId, a.kind, a.key ?? "", json(a.detail ?? {}), a.at ?? null],
  );
  return mapAlert(rows[0]!);
}

export async function listOpenAlerts(q: Executor, tenantId: string): Promise<AlertRecord[]> {
  const { rows } = await q.query(
    "SELECT * FROM alerts WHERE tenant_id = $1 AND resolved_at IS NULL ORDER BY last_seen_at DESC",
    [tenantId],
  );
  return rows.map(mapAlert);
}

export async function resolveAlert(q: Executor, id: number, at: Date): Promise<boolean> {
  const { rowCount } = await q.query(
    "UPDATE alerts SET resolved_at = $2 WHERE id = $1 AND resolved_at IS NULL RETURNING id",
    [id, at],
  );
  return rowCount === 1;
}
