import type { Money } from "@pe-pay/core";
import type { Executor, Row } from "./database";
import {
  col,
  guardedUpdate,
  interval,
  json,
  jsonCol,
  optDate,
  optString,
  toMoney,
  type ClaimOptionsBase,
  type ColumnMap,
  type UpdateGuard,
} from "./sql-helpers";
import type { InsertOrGetResult } from "./vouchers";

export interface RefundRecord {
  /** Also the PagoEfectivo `reference` (their idempotency key for POST /v2/refunds). */
  id: string;
  tenantId: string;
  voucherId: string;
  platformRefundId: string;
  requestFingerprint: string;
  amount: Money;
  /** Vocabulary owned by the refund state machine in @pe-pay/core. */
  status: string;
  reason: string | null;
  peRefundId: string | null;
  creditNoteNumber: string | null;
  failureCode: string | null;
  failureReason: string | null;
  platformData: Record<string, unknown>;
  submittedAt: Date | null;
  completedAt: Date | null;
  failedAt: Date | null;
  nextPollAt: Date | null;
  lastPolledAt: Date | null;
  pollCount: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

function mapRefund(r: Row): RefundRecord {
  return {
    id: String(r.id),
    tenantId: String(r.tenant_id),
    voucherId: String(r.voucher_id),
    platformRefundId: String(r.platform_refund_id),
    requestFingerprint: String(r.request_fingerprint),
    amount: toMoney(r.amount_minor, r.currency),
    status: String(r.status),
    reason: optString(r.reason),
    peRefundId: optString(r.pe_refund_id),
    creditNoteNumber: optString(r.credit_note_number),
    failureCode: optString(r.failure_code),
    failureReason: optString(r.failure_reason),
    platformData: (r.platform_data ?? {}) as Record<string, unknown>,
    submittedAt: optDate(r.submitted_at),
    completedAt: optDate(r.completed_at),
    failedAt: optDate(r.failed_at),
    nextPollAt: optDate(r.next_poll_at),
    lastPolledAt: optDate(r.last_polled_at),
    pollCount: Number(r.poll_count),
    version: Number(r.version),
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}

export interface NewRefund {
  tenantId: string;
  voucherId: string;
  platformRefundId: string;
  requestFingerprint: string;
  amount: Money;
  status: string;
  reason?: string | null;
  creditNoteNumber?: string | null;
  platformData?: Record<string, unknown>;
  nextPollAt?: Date | null;
}

/**
 * Idempotent on (tenant, platform refund id). To keep the cumulative total ≤ paid, call it in
 * a transaction that first locked the voucher (`lockVoucher`) and checked
 * `sumRefundedForVoucher`: the voucher lock serialises concurrent refunds of one payment.
 */
export async function insertOrGetRefund(
  q: Executor,
  r: NewRefund,
): Promise<InsertOrGetResult<RefundRecord>> {
  const { rows } = await q.query(
    `INSERT INTO refunds (tenant_id, voucher_id, platform_refund_id, request_fingerprint,
       amount_minor, currency, status, reason, credit_note_number, platform_data, next_poll_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (tenant_id, platform_refund_id) DO NOTHING
     RETURNING *`,
    [
      r.tenantId,
      r.voucherId,
      r.platformRefundId,
      r.requestFingerprint,
      r.amount.minor,
      r.amount.currency,
      r.status,
      r.reason ?? null,
      r.creditNoteNumber ?? null,
      json(r.platformData ?? {}),
      r.nextPollAt ?? null,
    ],
  );
  if (rows[0]) return { record: mapRefund(rows[0]), created: true, sameRequest: true };
  const existing = (await findRefundByPlatformId(q, r.tenantId, r.platformRefundId))!;
  return {
    record: existing,
    created: false,
    sameRequest: existing.requestFingerprint === r.requestFingerprint,
  };
}

async function one(q: Executor, sql: string, params: unknown[]): Promise<RefundRecord | null> {
  const { rows } = await q.query(sql, params);
  return rows[0] ? mapRefund(rows[0]) : null;
}

export function getRefund(
  q: Executor,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<RefundRecord | null> {
  return one(q, `SELECT * FROM refunds WHERE id = $1 ${opts.forUpdate ? "FOR UPDATE" : ""}`, [id]);
}

export function findRefundByPlatformId(
  q: Executor,
  tenantId: string,
  platformRefundId: string,
): Promise<RefundRecord | null> {
  return one(q, "SELECT * FROM refunds WHERE tenant_id = $1 AND platform_refund_id = $2", [
    tenantId,
    platformRefundId,
  ]);
}

export function findRefundByPeRefundId(
  q: Executor,
  peRefundId: string,
): Promise<RefundRecord | null> {
  return one(q, "SELECT * FROM refunds WHERE pe_refund_id = $1", [peRefundId]);
}

export async function listRefunds(
  q: Executor,
  filter: { tenantId?: string; voucherId?: string; statuses?: readonly string[] },
): Promise<RefundRecord[]> {
  const { rows } = await q.query(
    `SELECT * FROM refunds
     WHERE ($1::uuid IS NULL OR tenant_id = $1) AND ($2::uuid IS NULL OR voucher_id = $2)
       AND ($3::text[] IS NULL OR status = ANY($3::text[]))
     ORDER BY created_at, id`,
    [
      filter.tenantId ?? null,
      filter.voucherId ?? null,
      filter.statuses ? [...filter.statuses] : null,
    ],
  );
  return rows.map(mapRefund);
}

/** Statuses that do NOT count against the refundable balance (money never left / came back). */
export const DEFAULT_NON_COUNTING_REFUND_STATUSES = ["failed", "rejected", "cancelled"] as const;

/**
 * Total of the voucher's refunds that succeeded or are still in flight (everything except
 * `excludeStatuses`), per currency. Read it after `lockVoucher` in the same transaction.
 */
export async function sumRefundedForVoucher(
  q: Executor,
  voucherId: string,
  opts: { excludeStatuses?: readonly string[]; excludeRefundId?: string } = {},
): Promise<{ totalMinor: number; count: number }> {
  const { rows } = await q.query<{ total: number; n: number }>(
    `SELECT COALESCE(sum(amount_minor), 0)::bigint AS total, count(*)::int AS n FROM refunds
     WHERE voucher_id = $1 AND NOT (status = ANY($2::text[]))
       AND ($3::uuid IS NULL OR id <> $3)`,
    [
      voucherId,
      [...(opts.excludeStatuses ?? DEFAULT_NON_COUNTING_REFUND_STATUSES)],
      opts.excludeRefundId ?? null,
    ],
  );
  return { totalMinor: Number(rows[0]?.total ?? 0), count: Number(rows[0]?.n ?? 0) };
}

export interface RefundPatch {
  status?: string;
  peRefundId?: string | null;
  creditNoteNumber?: string | null;
  failureCode?: string | null;
  failureReason?: string | null;
  platformData?: Record<string, unknown>;
  submittedAt?: Date | null;
  completedAt?: Date | null;
  failedAt?: Date | null;
  nextPollAt?: Date | null;
  lastPolledAt?: Date | null;
}

const REFUND_COLUMNS: ColumnMap = {
  status: col("status"),
  peRefundId: col("pe_refund_id"),
  creditNoteNumber: col("credit_note_number"),
  failureCode: col("failure_code"),
  failureReason: col("failure_reason"),
  platformData: jsonCol("platform_data"),
  submittedAt: col("submitted_at"),
  completedAt: col("completed_at"),
  failedAt: col("failed_at"),
  nextPollAt: col("next_poll_at"),
  lastPolledAt: col("last_polled_at"),
};

/** Guarded update (see `updateVoucher`): null when the refund was no longer as expected. */
export async function updateRefund(
  q: Executor,
  id: string,
  guard: UpdateGuard,
  patch: RefundPatch,
): Promise<RefundRecord | null> {
  const row = await guardedUpdate(
    q,
    "refunds",
    REFUND_COLUMNS,
    id,
    guard,
    patch as Record<string, unknown>,
  );
  return row ? mapRefund(row) : null;
}

/** Refunds whose completion must be polled (`GET /v2/refunds/{id}`); see claimVouchersDueForPoll. */
export async function claimRefundsDueForPoll(
  q: Executor,
  opts: ClaimOptionsBase,
): Promise<RefundRecord[]> {
  const { rows } = await q.query(
    `WITH due AS (
       SELECT id FROM refunds WHERE next_poll_at <= $1
       ORDER BY next_poll_at LIMIT $2
       FOR UPDATE SKIP LOCKED
     )
     UPDATE refunds r SET next_poll_at = $1::timestamptz + $3::interval, last_polled_at = $1,
       poll_count = poll_count + 1
     FROM due WHERE r.id = due.id
     RETURNING r.*`,
    [opts.now, opts.limit, interval(opts.leaseMs)],
  );
  return rows.map(mapRefund);
}

/**
 * Paid vouchers and refunds of one tenant since `since`, for the "refund rate above 5 % of the
 * day's payments" alert.
 */
export async function refundRateSince(
  q: Executor,
  tenantId: string,
  since: Date,
): Promise<{ payments: number; refunds: number }> {
  const { rows } = await q.query<{ payments: number; refunds: number }>(
    `SELECT
       (SELECT count(*)::int FROM vouchers WHERE tenant_id = $1 AND paid_at >= $2) AS payments,
       (SELECT count(*)::int FROM refunds WHERE tenant_id = $1 AND created_at >= $2) AS refunds`,
    [tenantId, since],
  );
  return rows[0]!;
}
