import { ConflictError, type Money } from "@pe-pay/core";
import type { Executor, Row, Tx } from "./database";
import { OUTBOX_ENQUEUE_CTES } from "./sql-fragments";
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

export interface VoucherRecord {
  id: string;
  tenantId: string;
  platformPaymentId: string;
  idempotencyKey: string;
  groupKey: string | null;
  requestFingerprint: string;
  transactionCode: string;
  cip: string | null;
  cipUrl: string | null;
  amount: Money;
  /** Vocabulary owned by the voucher state machine in @pe-pay/core. */
  status: string;
  expiresAt: Date;
  paidAt: Date | null;
  paidAmount: Money | null;
  paymentOperationNumber: string | null;
  cancelledAt: Date | null;
  shopperEmail: string | null;
  shopperFirstName: string | null;
  platformData: Record<string, unknown>;
  createAttempts: number;
  lastError: string | null;
  nextPollAt: Date | null;
  lastPolledAt: Date | null;
  pollCount: number;
  expiryLeaseUntil: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export function mapVoucher(r: Row): VoucherRecord {
  return {
    id: String(r.id),
    tenantId: String(r.tenant_id),
    platformPaymentId: String(r.platform_payment_id),
    idempotencyKey: String(r.idempotency_key),
    groupKey: optString(r.group_key),
    requestFingerprint: String(r.request_fingerprint),
    transactionCode: String(r.transaction_code),
    cip: optString(r.cip),
    cipUrl: optString(r.cip_url),
    amount: toMoney(r.amount_minor, r.currency),
    status: String(r.status),
    expiresAt: r.expires_at as Date,
    paidAt: optDate(r.paid_at),
    paidAmount: r.paid_amount_minor === null ? null : toMoney(r.paid_amount_minor, r.paid_currency),
    paymentOperationNumber: optString(r.payment_operation_number),
    cancelledAt: optDate(r.cancelled_at),
    shopperEmail: optString(r.shopper_email),
    shopperFirstName: optString(r.shopper_first_name),
    platformData: (r.platform_data ?? {}) as Record<string, unknown>,
    createAttempts: Number(r.create_attempts),
    lastError: optString(r.last_error),
    nextPollAt: optDate(r.next_poll_at),
    lastPolledAt: optDate(r.last_polled_at),
    pollCount: Number(r.poll_count),
    expiryLeaseUntil: optDate(r.expiry_lease_until),
    version: Number(r.version),
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}

const VOUCHER_TIMES = [
  "expires_at",
  "paid_at",
  "cancelled_at",
  "next_poll_at",
  "last_polled_at",
  "expiry_lease_until",
  "created_at",
  "updated_at",
] as const;

/** mapVoucher for a row read as `to_jsonb(v)` (times as ISO text, read back as Dates). */
export function mapVoucherJson(j: Record<string, unknown>): VoucherRecord {
  const r: Row = { ...j };
  for (const k of VOUCHER_TIMES) {
    if (typeof r[k] === "string") r[k] = new Date(r[k] as string);
  }
  return mapVoucher(r);
}

export interface NewVoucher {
  tenantId: string;
  platformPaymentId: string;
  idempotencyKey: string;
  groupKey?: string | null;
  /** Hash of the normalised create request (same key + other body = conflict). */
  requestFingerprint: string;
  transactionCode: string;
  amount: Money;
  status: string;
  expiresAt: Date;
  shopperEmail?: string | null;
  shopperFirstName?: string | null;
  platformData?: Record<string, unknown>;
  nextPollAt?: Date | null;
}

/**
 * `$1…$14` of a voucher insert, in the column order tenant_id, platform_payment_id,
 * idempotency_key, group_key, request_fingerprint, transaction_code, amount_minor, currency,
 * status, expires_at, shopper_email, shopper_first_name, platform_data, next_poll_at.
 */
export function newVoucherParams(v: NewVoucher): unknown[] {
  return [
    v.tenantId,
    v.platformPaymentId,
    v.idempotencyKey,
    v.groupKey ?? null,
    v.requestFingerprint,
    v.transactionCode,
    v.amount.minor,
    v.amount.currency,
    v.status,
    v.expiresAt,
    v.shopperEmail ?? null,
    v.shopperFirstName ?? null,
    json(v.platformData ?? {}),
    v.nextPollAt ?? null,
  ];
}

export interface InsertOrGetResult<T> {
  record: T;
  /** True when this call inserted the row; false when it already existed. */
  created: boolean;
  /** The stored fingerprint equals the one given: a genuine replay, not a key reuse. */
  sameRequest: boolean;
}

/**
 * Idempotent create: `INSERT … ON CONFLICT DO NOTHING RETURNING`, and when nothing came back,
 * SELECT the row that won. ON CONFLICT waits for a concurrent inserter to commit, so under
 * READ COMMITTED every caller with the same key ends with the same row.
 */
export async function insertOrGetVoucher(
  q: Executor,
  v: NewVoucher,
): Promise<InsertOrGetResult<VoucherRecord>> {
  const { rows } = await q.query(
    `INSERT INTO vouchers (tenant_id, platform_payment_id, idempotency_key, group_key,
       request_fingerprint, transaction_code, amount_minor, currency, status, expires_at,
       shopper_email, shopper_first_name, platform_data, next_poll_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT DO NOTHING
     RETURNING *`,
    newVoucherParams(v),
  );
  if (rows[0]) {
    return { record: mapVoucher(rows[0]), created: true, sameRequest: true };
  }
  const existing =
    (await findVoucherByIdempotencyKey(q, v.tenantId, v.idempotencyKey)) ??
    (await findVoucherByPlatformPaymentId(q, v.tenantId, v.platformPaymentId));
  if (!existing) {
    // The only other unique key is our own transaction code: a generator bug, not a replay.
    throw new ConflictError("transaction code already in use");
  }
  return {
    record: existing,
    created: false,
    sameRequest:
      existing.requestFingerprint === v.requestFingerprint &&
      existing.idempotencyKey === v.idempotencyKey,
  };
}

async function one(q: Executor, sql: string, params: unknown[]): Promise<VoucherRecord | null> {
  const { rows } = await q.query(sql, params);
  return rows[0] ? mapVoucher(rows[0]) : null;
}

export function getVoucher(q: Executor, id: string): Promise<VoucherRecord | null> {
  return one(q, "SELECT * FROM vouchers WHERE id = $1", [id]);
}

/** Row lock for a read-decide-write in the caller's transaction (blocks other writers). */
export function lockVoucher(tx: Tx, id: string): Promise<VoucherRecord | null> {
  return one(tx, "SELECT * FROM vouchers WHERE id = $1 FOR UPDATE", [id]);
}

const lockClause = (forUpdate?: boolean) => (forUpdate ? "FOR UPDATE OF v" : "");

export function findVoucherByIdempotencyKey(
  q: Executor,
  tenantId: string,
  key: string,
  opts: { forUpdate?: boolean } = {},
): Promise<VoucherRecord | null> {
  return one(
    q,
    `SELECT v.* FROM vouchers v WHERE tenant_id = $1 AND idempotency_key = $2 ${lockClause(opts.forUpdate)}`,
    [tenantId, key],
  );
}

export function findVoucherByPlatformPaymentId(
  q: Executor,
  tenantId: string,
  platformPaymentId: string,
  opts: { forUpdate?: boolean } = {},
): Promise<VoucherRecord | null> {
  return one(
    q,
    `SELECT v.* FROM vouchers v WHERE tenant_id = $1 AND platform_payment_id = $2 ${lockClause(opts.forUpdate)}`,
    [tenantId, platformPaymentId],
  );
}

/** By any CIP ever issued for the voucher (voucher_cips), not only the current one. */
export function findVoucherByCip(
  q: Executor,
  tenantId: string,
  cip: string,
  opts: { forUpdate?: boolean } = {},
): Promise<VoucherRecord | null> {
  return one(
    q,
    `SELECT v.* FROM voucher_cips c JOIN vouchers v ON v.id = c.voucher_id
     WHERE c.tenant_id = $1 AND c.cip = $2 ${lockClause(opts.forUpdate)}`,
    [tenantId, cip],
  );
}

export function findVoucherByTransactionCode(
  q: Executor,
  tenantId: string,
  transactionCode: string,
  opts: { forUpdate?: boolean } = {},
): Promise<VoucherRecord | null> {
  return one(
    q,
    `SELECT v.* FROM vouchers v WHERE tenant_id = $1 AND transaction_code = $2 ${lockClause(opts.forUpdate)}`,
    [tenantId, transactionCode],
  );
}

export async function listVouchersByGroup(
  q: Executor,
  tenantId: string,
  groupKey: string,
): Promise<VoucherRecord[]> {
  const { rows } = await q.query(
    "SELECT * FROM vouchers WHERE tenant_id = $1 AND group_key = $2 ORDER BY created_at",
    [tenantId, groupKey],
  );
  return rows.map(mapVoucher);
}

/** Every CIP recorded for a voucher, oldest first (the extra ones must be deleted at expiry). */
export async function listVoucherCips(q: Executor, voucherId: string): Promise<string[]> {
  const { rows } = await q.query<{ cip: string }>(
    "SELECT cip FROM voucher_cips WHERE voucher_id = $1 ORDER BY created_at, cip",
    [voucherId],
  );
  return rows.map((r) => r.cip);
}

/** Records an extra CIP for a voucher without making it the current one. Idempotent. */
export async function addVoucherCip(
  q: Executor,
  tenantId: string,
  voucherId: string,
  cip: string,
): Promise<void> {
  await q.query(
    `INSERT INTO voucher_cips (tenant_id, cip, voucher_id) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING`,
    [tenantId, cip, voucherId],
  );
}

export interface VoucherPatch {
  status?: string;
  /** Setting the current CIP also records it in voucher_cips, in the same statement. */
  cip?: string | null;
  cipUrl?: string | null;
  expiresAt?: Date;
  paidAt?: Date | null;
  paidAmount?: Money | null;
  paymentOperationNumber?: string | null;
  cancelledAt?: Date | null;
  platformData?: Record<string, unknown>;
  createAttempts?: number;
  lastError?: string | null;
  nextPollAt?: Date | null;
  lastPolledAt?: Date | null;
  expiryLeaseUntil?: Date | null;
}

const VOUCHER_COLUMNS: ColumnMap = {
  status: col("status"),
  cip: col("cip"),
  cipUrl: col("cip_url"),
  expiresAt: col("expires_at"),
  paidAt: col("paid_at"),
  paidAmount: (v) => {
    const m = v as Money | null;
    return { paid_amount_minor: m?.minor ?? null, paid_currency: m?.currency ?? null };
  },
  paymentOperationNumber: col("payment_operation_number"),
  cancelledAt: col("cancelled_at"),
  platformData: jsonCol("platform_data"),
  createAttempts: col("create_attempts"),
  lastError: col("last_error"),
  nextPollAt: col("next_poll_at"),
  lastPolledAt: col("last_polled_at"),
  expiryLeaseUntil: col("expiry_lease_until"),
};

/**
 * Guarded update: applies `patch` only if the voucher is still in `guard.expectedStatus`
 * (and/or at `guard.expectedVersion`); returns the new row, or null when the guard failed
 * (someone else moved it first — re-read and decide again, never overwrite).
 */
export async function updateVoucher(
  q: Executor,
  id: string,
  guard: UpdateGuard,
  patch: VoucherPatch,
): Promise<VoucherRecord | null> {
  const suffix =
    typeof patch.cip === "string"
      ? `WITH u AS (%UPDATE%), c AS (
           INSERT INTO voucher_cips (tenant_id, cip, voucher_id)
           SELECT tenant_id, cip, id FROM u ON CONFLICT DO NOTHING
         ) SELECT * FROM u`
      : undefined;
  const row = await guardedUpdate(
    q,
    "vouchers",
    VOUCHER_COLUMNS,
    id,
    guard,
    patch as Record<string, unknown>,
    { suffix },
  );
  return row ? mapVoucher(row) : null;
}

export interface CipIssued {
  voucherId: string;
  cip: string;
  cipUrl: string | null;
  nextPollAt: Date;
  /**
   * Enqueued in the same statement when this CIP became the voucher's current one. The payload
   * is `{ voucher: <view> }` as the caller expects the moved row to be; its `voucher.platformData`
   * is taken from the row itself (the adapter may have added a key while the voucher was
   * `created`), so the stored view is exactly the committed row's.
   */
  message?: { kind: string; dedupeKey: string; payload: { voucher: unknown } };
}

/** A CIP number PagoEfectivo issued that another voucher of the same tenant already holds. */
export interface CipTaken {
  voucherId: string;
  cip: string;
}

/**
 * createVoucher's last write for several vouchers in ONE statement: each voucher still `created`
 * becomes `pending` with its CIP (lease and last error cleared, polling scheduled), and every
 * given CIP is recorded in voucher_cips, moved or not, so later events about it still find the
 * voucher. `moved` holds the rows that moved; a voucher absent from it had left `created`
 * meanwhile (or its CIP was taken). Given the same voucher twice, at most one of its CIPs becomes
 * the current one.
 *
 * A CIP number another voucher of the tenant already holds (current or in voucher_cips) is
 * neither recorded nor made current: it is answered in `taken` instead. CIP numbers are unique
 * per PagoEfectivo environment only, so a tenant that moved from sandbox to production (or a
 * restarted sandbox) can be handed a number it already stores; recording it would map that
 * CIP's payments to the old voucher, and making it current would break vouchers_cip. Two
 * statements racing with the same new number for two vouchers both pass this check, and the
 * later one fails with a unique violation on vouchers_cip: that number is taken too (createVoucher
 * runs such a voucher on its own and answers it as taken).
 *
 * With `message`s, the moved vouchers' outbox messages are enqueued by the same statement
 * (OUTBOX_ENQUEUE_CTES): one statement is one transaction, so the transition and its message
 * commit together without BEGIN and COMMIT round trips, and a voucher that did not move (or a
 * CIP that did not become the current one) enqueues nothing.
 */
export async function markVouchersPendingOrTaken(
  q: Executor,
  issued: readonly CipIssued[],
): Promise<{ moved: VoucherRecord[]; taken: CipTaken[] }> {
  if (issued.length === 0) return { moved: [], taken: [] };
  const withMessages = issued.some((i) => i.message);
  const { rows } = await q.query(
    `WITH a AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[],
                            $6::text[], $7::text[])
         AS a(id, cip, cip_url, next_poll_at, kind, dedupe_key, payload)
     ), t AS (
       SELECT a.id, a.cip FROM a JOIN vouchers v ON v.id = a.id
       WHERE EXISTS (SELECT 1 FROM voucher_cips c
                     WHERE c.tenant_id = v.tenant_id AND c.cip = a.cip AND c.voucher_id <> a.id)
          OR EXISTS (SELECT 1 FROM vouchers o
                     WHERE o.tenant_id = v.tenant_id AND o.cip = a.cip AND o.id <> a.id)
     ), d AS (
       SELECT a.* FROM a WHERE NOT EXISTS (SELECT 1 FROM t WHERE t.id = a.id AND t.cip = a.cip)
     ), u AS (
       UPDATE vouchers v SET status = 'pending', cip = d.cip, cip_url = d.cip_url,
         next_poll_at = d.next_poll_at, expiry_lease_until = NULL, last_error = NULL,
         updated_at = now(), version = v.version + 1
       FROM d WHERE v.id = d.id AND v.status = 'created'
       RETURNING v.*
     ), c AS (
       INSERT INTO voucher_cips (tenant_id, cip, voucher_id)
       SELECT v.tenant_id, d.cip, d.id FROM d JOIN vouchers v ON v.id = d.id
       ON CONFLICT DO NOTHING
     )${
       withMessages
         ? `, i AS (
       SELECT DISTINCT ON (u.id) u.tenant_id, 'voucher'::text AS aggregate_type,
         u.id::text AS aggregate_id, d.kind,
         jsonb_set(d.payload::jsonb, '{voucher,platformData}',
           COALESCE(u.platform_data->'platform', '{}'::jsonb)) AS payload,
         d.dedupe_key, NULL::text AS available_at
       FROM u JOIN d ON d.id = u.id AND d.cip = u.cip
       WHERE d.kind IS NOT NULL
       ORDER BY u.id
     ), ${OUTBOX_ENQUEUE_CTES}`
         : ""
     }
     SELECT u.*, NULL::uuid AS taken_id, NULL::text AS taken_cip FROM u
     UNION ALL
     SELECT v.*, t.id, t.cip FROM t JOIN vouchers v ON v.id = t.id`,
    [
      issued.map((i) => i.voucherId),
      issued.map((i) => i.cip),
      issued.map((i) => i.cipUrl),
      issued.map((i) => i.nextPollAt),
      issued.map((i) => i.message?.kind ?? null),
      issued.map((i) => i.message?.dedupeKey ?? null),
      issued.map((i) => (i.message ? json(i.message.payload) : null)),
    ],
  );
  const moved: VoucherRecord[] = [];
  const taken: CipTaken[] = [];
  for (const r of rows) {
    if (r.taken_id === null) moved.push(mapVoucher(r));
    else taken.push({ voucherId: String(r.taken_id), cip: String(r.taken_cip) });
  }
  return { moved, taken };
}

/** Several vouchers by id, as they are now (no lock). */
export async function getVouchers(q: Executor, ids: readonly string[]): Promise<VoucherRecord[]> {
  if (ids.length === 0) return [];
  const { rows } = await q.query("SELECT * FROM vouchers WHERE id = ANY($1::uuid[])", [[...ids]]);
  return rows.map(mapVoucher);
}

/** Row locks on several vouchers in the caller's transaction (in id order: no deadlocks). */
export async function lockVouchers(tx: Tx, ids: readonly string[]): Promise<VoucherRecord[]> {
  if (ids.length === 0) return [];
  const { rows } = await tx.query(
    "SELECT * FROM vouchers WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE",
    [[...ids]],
  );
  return rows.map(mapVoucher);
}

/** `updateVoucher` with the status guard spelled out: from → to. */
export function transitionVoucher(
  q: Executor,
  id: string,
  from: string | readonly string[],
  to: string,
  patch: Omit<VoucherPatch, "status"> = {},
): Promise<VoucherRecord | null> {
  return updateVoucher(q, id, { expectedStatus: from }, { ...patch, status: to });
}

export type ClaimOptions = ClaimOptionsBase;

function byTime(key: "expiresAt" | "nextPollAt") {
  return (a: VoucherRecord, b: VoucherRecord) =>
    (a[key]?.getTime() ?? 0) - (b[key]?.getTime() ?? 0) || a.id.localeCompare(b.id);
}

/**
 * Claims up to `limit` vouchers in `statuses` whose expiry (+ grace) has passed, taking an
 * expiry lease on each. `FOR UPDATE SKIP LOCKED` makes concurrent claimers split the work
 * instead of waiting or overlapping; the lease keeps a claimed row away from other instances
 * while the caller talks to PagoEfectivo outside any transaction. The caller finishes each row
 * with a guarded `updateVoucher` (and clears `expiryLeaseUntil` if it leaves the row pending).
 */
export async function claimVouchersDueForExpiry(
  q: Executor,
  opts: ClaimOptions & { statuses: readonly string[]; graceMs?: number },
): Promise<VoucherRecord[]> {
  const { rows } = await q.query(
    `WITH due AS (
       SELECT id FROM vouchers
       WHERE status = ANY($1::text[])
         AND expires_at <= $2::timestamptz - $3::interval
         AND (expiry_lease_until IS NULL OR expiry_lease_until <= $2)
       ORDER BY expires_at
       LIMIT $4
       FOR UPDATE SKIP LOCKED
     )
     UPDATE vouchers v SET expiry_lease_until = $2::timestamptz + $5::interval
     FROM due WHERE v.id = due.id
     RETURNING v.*`,
    [[...opts.statuses], opts.now, interval(opts.graceMs ?? 0), opts.limit, interval(opts.leaseMs)],
  );
  return rows.map(mapVoucher).sort(byTime("expiresAt"));
}

/**
 * Claims vouchers whose `next_poll_at` has come (polling fallback for lost notifications). The
 * claim moves `next_poll_at` forward by the lease, so a crashed poller's rows come back by
 * themselves; the caller then sets the real next time (or null once the voucher is final).
 */
export async function claimVouchersDueForPoll(
  q: Executor,
  opts: ClaimOptions & { statuses?: readonly string[] },
): Promise<VoucherRecord[]> {
  const { rows } = await q.query(
    `WITH due AS (
       SELECT id FROM vouchers
       WHERE next_poll_at <= $1 AND ($4::text[] IS NULL OR status = ANY($4::text[]))
       ORDER BY next_poll_at
       LIMIT $2
       FOR UPDATE SKIP LOCKED
     )
     UPDATE vouchers v SET next_poll_at = $1::timestamptz + $3::interval, last_polled_at = $1,
       poll_count = poll_count + 1
     FROM due WHERE v.id = due.id
     RETURNING v.*`,
    [opts.now, opts.limit, interval(opts.leaseMs), opts.statuses ? [...opts.statuses] : null],
  );
  return rows.map(mapVoucher).sort(byTime("nextPollAt"));
}

/** Counts by status for dashboards and alerts. */
export async function countVouchersByStatus(
  q: Executor,
  tenantId: string,
): Promise<Record<string, number>> {
  const { rows } = await q.query<{ status: string; n: number }>(
    "SELECT status, count(*)::int AS n FROM vouchers WHERE tenant_id = $1 GROUP BY status",
    [tenantId],
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/**
 * Marks a batch of vouchers expired in ONE guarded statement (the expiry scheduler calls it once
 * their CIPs are gone at PagoEfectivo). Only rows still in `from` move: a voucher a payment or
 * another instance finished first is simply not returned. Clears the expiry lease and polling.
 */
export async function markVouchersExpired(
  q: Executor,
  ids: readonly string[],
  from: readonly string[],
): Promise<VoucherRecord[]> {
  if (ids.length === 0) return [];
  const { rows } = await q.query(
    `UPDATE vouchers SET status = 'expired', expiry_lease_until = NULL, next_poll_at = NULL,
       updated_at = now(), version = version + 1
     WHERE id = ANY($1::uuid[]) AND status = ANY($2::text[])
     RETURNING *`,
    [[...ids], [...from]],
  );
  return rows.map(mapVoucher);
}
