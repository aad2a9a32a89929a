import type { Executor, Row } from "./database";
import { json, optString } from "./sql-helpers";

/**
 * Keys whose values never reach the audit log: PagoEfectivo secrets and tokens, and shopper
 * personal data in CIP requests. Matched case-insensitively at any depth. Redaction happens here,
 * at insert, whatever the caller passed: the audit table must be safe to show and to dump.
 */
export const AUDIT_REDACTED_KEYS: readonly string[] = [
  "secretKey",
  "accessKey",
  "hashString",
  "token",
  "accessToken",
  "authorization",
  "password",
  "consumerKey",
  "consumerSecret",
  "pe-signature",
  "userEmail",
  "adminEmail",
  "email",
  "userName",
  "userLastName",
  "userPhone",
  "userDocumentNumber",
  "userId",
  "firstName",
  "lastName",
  "phone",
];

const REDACTED = new Set(AUDIT_REDACTED_KEYS.map((k) => k.toLowerCase()));

export function redactForAudit(value: unknown, depth = 0): unknown {
  if (depth > 20) return "[too deep]";
  if (Array.isArray(value)) return value.map((v) => redactForAudit(v, depth + 1));
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        REDACTED.has(k.toLowerCase()) && v !== null ? "[redacted]" : redactForAudit(v, depth + 1);
    }
    return out;
  }
  return value;
}

export interface AuditEntry {
  tenantId?: string | null;
  direction: "outbound" | "inbound";
  method: string;
  path: string;
  status?: number | null;
  request?: unknown;
  response?: unknown;
  durationMs?: number | null;
  error?: string | null;
  requestId?: string | null;
  voucherId?: string | null;
  refundId?: string | null;
  createdAt?: Date;
}

export interface AuditRecord extends Required<Omit<AuditEntry, "createdAt">> {
  id: number;
  createdAt: Date;
}

function mapAudit(r: Row): AuditRecord {
  return {
    id: Number(r.id),
    tenantId: optString(r.tenant_id),
    direction: r.direction as AuditRecord["direction"],
    method: String(r.method),
    path: String(r.path),
    status: r.status === null ? null : Number(r.status),
    request: r.request,
    response: r.response,
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    error: optString(r.error),
    requestId: optString(r.request_id),
    voucherId: optString(r.voucher_id),
    refundId: optString(r.refund_id),
    createdAt: r.created_at as Date,
  };
}

export async function insertAudit(q: Executor, e: AuditEntry): Promise<number> {
  const { rows } = await q.query<{ id: number }>(
    `INSERT INTO audit_log (tenant_id, direction, method, path, status, request, response,
       duration_ms, error, request_id, voucher_id, refund_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, COALESCE($13, now()))
     RETURNING id`,
    [
      e.tenantId ?? null,
      e.direction,
      e.method,
      e.path,
      e.status ?? null,
      e.request === undefined ? null : json(redactForAudit(e.request)),
      e.response === undefined ? null : json(redactForAudit(e.response)),
      e.durationMs === undefined || e.durationMs === null ? null : Math.round(e.durationMs),
      e.error ? e.error.slice(0, 2000) : null,
      e.requestId ?? null,
      e.voucherId ?? null,
      e.refundId ?? null,
      e.createdAt ?? null,
    ],
  );
  return rows[0]!.id;
}

export async function listAudit(
  q: Executor,
  filter: { tenantId?: string; voucherId?: string; limit?: number },
): Promise<AuditRecord[]> {
  const { rows } = await q.query(
    `SELECT * FROM audit_log
     WHERE ($1::uuid IS NULL OR tenant_id = $1) AND ($2::uuid IS NULL OR voucher_id = $2)
     ORDER BY id DESC LIMIT $3`,
    [filter.tenantId ?? null, filter.voucherId ?? null, filter.limit ?? 100],
  );
  return rows.map(mapAudit);
}

/** Default retention of the audit log: 2 years. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 730;

export function auditRetentionCutoff(
  now: Date,
  retentionDays = DEFAULT_AUDIT_RETENTION_DAYS,
): Date {
  return new Date(now.getTime() - retentionDays * 86_400_000);
}

/**
 * Deletes audit rows created before `olderThan`, in batches so a large purge never holds one
 * long transaction or a lock on millions of rows. Returns how many rows were deleted.
 */
export async function purgeAuditLog(
  q: Executor,
  olderThan: Date,
  opts: { batchSize?: number } = {},
): Promise<number> {
  const batch = opts.batchSize ?? 5000;
  let total = 0;
  for (;;) {
    const { rowCount } = await q.query(
      `DELETE FROM audit_log WHERE id IN (
         SELECT id FROM audit_log WHERE created_at < $1 ORDER BY id LIMIT $2)`,
      [olderThan, batch],
    );
    total += rowCount;
    if (rowCount < batch) return total;
  }
}
