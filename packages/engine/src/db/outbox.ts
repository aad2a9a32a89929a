import { StorageUsageError, type Executor, type Row, type Tx } from "./database";
import { interval, json, optDate, optString, type ClaimOptionsBase } from "./sql-helpers";
import { OUTBOX_ENQUEUE_CTES, platformContextStampSql } from "./sql-fragments";
import type { Platform } from "./tenants";

export type OutboxStatus = "pending" | "delivered" | "dead";

export interface OutboxMessage {
  id: number;
  tenantId: string;
  aggregateType: string;
  aggregateId: string;
  seq: number;
  kind: string;
  payload: unknown;
  dedupeKey: string | null;
  status: OutboxStatus;
  /** Claims so far (incremented by each claim, i.e. delivery attempts started). */
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  deadAt: Date | null;
}

/** A message as claimOutboxBatch returns it, with what the claim statement also read. */
export interface ClaimedOutboxMessage extends OutboxMessage {
  /**
   * The tenant's platformContextStampSql when claimed (null if the tenant is gone), so a
   * dispatcher can tell whether the delivery context it holds is still the stored one.
   */
  tenantStamp: string | null;
  /**
   * With `withVouchers` and a UUID aggregate id only (undefined otherwise: read it on its own):
   * the row of the voucher the message is about as the claim read it (to_jsonb: map it with
   * mapVoucherJson), or null if there is none.
   */
  claimedVoucher?: Record<string, unknown> | null;
  /**
   * Whether the claim saw a later pending message of the same aggregate, which becomes claimable
   * once this one is delivered or dead.
   */
  pendingSuccessor: boolean;
}

/** Aggregate ids the claim can look a voucher up by (anything else is not a voucher id). */
const UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";
const UUID = new RegExp(UUID_PATTERN, "i");

function mapOutbox(r: Row): OutboxMessage {
  return {
    id: Number(r.id),
    tenantId: String(r.tenant_id),
    aggregateType: String(r.aggregate_type),
    aggregateId: String(r.aggregate_id),
    seq: Number(r.seq),
    kind: String(r.kind),
    payload: r.payload,
    dedupeKey: optString(r.dedupe_key),
    status: r.status as OutboxStatus,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at as Date,
    lastError: optString(r.last_error),
    createdAt: r.created_at as Date,
    deliveredAt: optDate(r.delivered_at),
    deadAt: optDate(r.dead_at),
  };
}

function mapClaimed(r: Row): ClaimedOutboxMessage {
  return {
    ...mapOutbox(r),
    tenantStamp: optString(r.tenant_stamp__),
    pendingSuccessor: r.successor__ === true,
    ...(r.voucher__ !== undefined && UUID.test(String(r.aggregate_id))
      ? { claimedVoucher: (r.voucher__ as Record<string, unknown> | null) ?? null }
      : {}),
  };
}

export interface NewOutboxMessage {
  tenantId: string;
  aggregateType?: string;
  aggregateId: string;
  kind: string;
  payload: unknown;
  /** One message per (tenant, dedupeKey): a replayed event enqueues nothing the second time. */
  dedupeKey?: string;
  /** Earliest delivery time; default now (DB clock). */
  availableAt?: Date;
}

/**
 * Enqueues a message in the caller's transaction (so it exists iff the state change committed).
 * Returns null when `dedupeKey` was already used. See `enqueueOutboxMany` for the ordering rule.
 */
export async function enqueueOutbox(tx: Tx, m: NewOutboxMessage): Promise<OutboxMessage | null> {
  const [inserted] = await enqueueOutboxMany(tx, [m]);
  return inserted ?? null;
}

/**
 * Enqueues messages for several aggregates in one statement, in the caller's transaction.
 * Each message's `seq` is the next number for its aggregate from its `outbox_sequences` row,
 * bumped by an upsert in the same statement: the upsert's row lock (held to commit) makes
 * concurrent enqueuers of one aggregate queue instead of colliding, so seq order is commit
 * order. Counters are upserted in aggregate order, so two batches can never lock the same
 * counters in opposite orders. GREATEST with the stored maximum keeps numbers increasing even if
 * a row was ever written without the counter (an instance of the previous release during a
 * rollout). A message whose `dedupeKey` was already used is skipped (its counter may then skip
 * a number: gaps are harmless, only the order matters). At most one message per aggregate per
 * call: one statement cannot bump the same counter twice.
 * Returns the inserted messages.
 */
export async function enqueueOutboxMany(
  tx: Tx,
  messages: readonly NewOutboxMessage[],
): Promise<OutboxMessage[]> {
  if (messages.length === 0) return [];
  const aggregates = messages.map((m) => `${m.aggregateType ?? "voucher"}\u0000${m.aggregateId}`);
  if (new Set(aggregates).size !== aggregates.length) {
    throw new StorageUsageError("enqueueOutboxMany takes at most one message per aggregate");
  }
  const { rows } = await tx.query(
    `WITH i AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                            $7::text[])
         AS i(tenant_id, aggregate_type, aggregate_id, kind, payload, dedupe_key, available_at)
     ), ${OUTBOX_ENQUEUE_CTES}
     SELECT * FROM enqueued`,
    [
      messages.map((m) => m.tenantId),
      messages.map((m) => m.aggregateType ?? "voucher"),
      messages.map((m) => m.aggregateId),
      messages.map((m) => m.kind),
      messages.map((m) => json(m.payload)),
      messages.map((m) => m.dedupeKey ?? null),
      messages.map((m) => m.availableAt?.toISOString() ?? null),
    ],
  );
  return rows.map(mapOutbox);
}

/**
 * Claims due messages for delivery. Only the HEAD of each aggregate (its oldest pending
 * message) is claimable, so per-aggregate order holds even with many dispatchers: the next
 * message becomes claimable only once its predecessor is delivered or dead. SKIP LOCKED splits
 * heads among dispatchers; the claim pushes `next_attempt_at` forward by the lease, which also
 * brings the message back if the dispatcher dies mid-delivery (delivery is at-least-once, so
 * consumers must be idempotent). `attempts` counts claims. Each message comes with its tenant's
 * `tenantStamp`, whether its aggregate has a later pending message (`pendingSuccessor`) and,
 * asked for, its voucher row, all read by this same statement.
 *
 * `platforms` restricts the claim to messages of tenants on those platforms, so a dispatcher
 * never takes, and then has to hand back, a message it has no deliverer for when the apps of
 * both platforms share one database. The platform is the message's copy of tenants.platform
 * (`tenant_platform`, set on insert by a trigger, migration 022), so the claim walks the due
 * index of its own platform only, however many messages of the other one are due. An aggregate
 * belongs to one tenant, so the filter never splits an aggregate: the head rule is unaffected.
 * Absent, every platform.
 */
export async function claimOutboxBatch(
  q: Executor,
  opts: ClaimOptionsBase & {
    /** Also read each message's voucher row (`claimedVoucher`) in the same statement. */
    withVouchers?: boolean;
    /** Only messages of tenants on these platforms (none: claim nothing). Default: any. */
    platforms?: readonly Platform[];
  },
): Promise<ClaimedOutboxMessage[]> {
  if (opts.platforms && opts.platforms.length === 0) return [];
  const params: unknown[] = [opts.now, opts.limit, interval(opts.leaseMs)];
  let platformFilter = "";
  if (opts.platforms?.length === 1) {
    // Equality, not = ANY: the index on (tenant_platform, next_attempt_at) then yields the rows
    // in claim order and the scan stops at the limit.
    params.push(opts.platforms[0]);
    platformFilter = " AND o.tenant_platform = $4::text";
  } else if (opts.platforms) {
    params.push([...opts.platforms]);
    platformFilter = " AND o.tenant_platform = ANY ($4::text[])";
  }
  const { rows } = await q.query(
    `WITH due AS (
       SELECT o.id FROM outbox o
       WHERE o.status = 'pending' AND o.next_attempt_at <= $1${platformFilter}
         AND NOT EXISTS (
           SELECT 1 FROM outbox p
           WHERE p.aggregate_type = o.aggregate_type AND p.aggregate_id = o.aggregate_id
             AND p.status = 'pending' AND p.seq < o.seq)
       ORDER BY o.next_attempt_at, o.id
       LIMIT $2
       FOR UPDATE SKIP LOCKED
     )
     UPDATE outbox SET next_attempt_at = $1::timestamptz + $3::interval, attempts = attempts + 1
     FROM due WHERE outbox.id = due.id
     RETURNING outbox.*, (SELECT ${platformContextStampSql("t")} FROM tenants t
                          WHERE t.id = outbox.tenant_id) AS tenant_stamp__,
       EXISTS (SELECT 1 FROM outbox s
               WHERE s.aggregate_type = outbox.aggregate_type
                 AND s.aggregate_id = outbox.aggregate_id
                 AND s.status = 'pending' AND s.seq > outbox.seq) AS successor__${
                   opts.withVouchers
                     ? `,
       (SELECT to_jsonb(v) FROM vouchers v
        WHERE v.id = CASE WHEN outbox.aggregate_id ~* '${UUID_PATTERN}'
                          THEN outbox.aggregate_id::uuid END) AS voucher__`
                     : ""
                 }`,
    params,
  );
  return rows.map(mapClaimed).sort((a, b) => a.id - b.id);
}

export async function markOutboxDelivered(q: Executor, id: number, at: Date): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE outbox SET status = 'delivered', delivered_at = $2, last_error = NULL
     WHERE id = $1 AND status = 'pending' RETURNING id`,
    [id, at],
  );
  return rowCount === 1;
}

/**
 * markOutboxDelivered for several messages in ONE statement, each with its own delivery time and
 * the same guard (still pending). Returns the ids that moved.
 */
export async function markOutboxDeliveredMany(
  q: Executor,
  items: readonly { id: number; at: Date }[],
): Promise<Set<number>> {
  if (items.length === 0) return new Set();
  const { rows } = await q.query<{ id: string | number }>(
    `UPDATE outbox o SET status = 'delivered', delivered_at = d.at, last_error = NULL
     FROM unnest($1::bigint[], $2::timestamptz[]) AS d(id, at)
     WHERE o.id = d.id AND o.status = 'pending'
     RETURNING o.id`,
    [items.map((i) => i.id), items.map((i) => i.at)],
  );
  return new Set(rows.map((r) => Number(r.id)));
}

/** A failed attempt: keep it pending, retry at `nextAttemptAt` (the dispatcher's backoff). */
export async function rescheduleOutbox(
  q: Executor,
  id: number,
  failure: { nextAttemptAt: Date; error: string },
): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE outbox SET next_attempt_at = $2, last_error = $3
     WHERE id = $1 AND status = 'pending' RETURNING id`,
    [id, failure.nextAttemptAt, failure.error.slice(0, 2000)],
  );
  return rowCount === 1;
}

/** Parks a message as a dead letter (visible to the merchant); unblocks its aggregate. */
export async function markOutboxDead(
  q: Executor,
  id: number,
  failure: { at: Date; error: string },
): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE outbox SET status = 'dead', dead_at = $2, last_error = $3
     WHERE id = $1 AND status = 'pending' RETURNING id`,
    [id, failure.at, failure.error.slice(0, 2000)],
  );
  return rowCount === 1;
}

/** Merchant action "retry": a dead letter goes back to pending with a fresh attempt count. */
export async function requeueDeadLetter(q: Executor, id: number, at: Date): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE outbox SET status = 'pending', dead_at = NULL, attempts = 0, next_attempt_at = $2
     WHERE id = $1 AND status = 'dead' RETURNING id`,
    [id, at],
  );
  return rowCount === 1;
}

export async function listOutbox(
  q: Executor,
  filter: { tenantId?: string; aggregateId?: string; status?: OutboxStatus; limit?: number },
): Promise<OutboxMessage[]> {
  const { rows } = await q.query(
    `SELECT * FROM outbox
     WHERE ($1::uuid IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR aggregate_id = $2)
       AND ($3::text IS NULL OR status = $3)
     ORDER BY id LIMIT $4`,
    [
      filter.tenantId ?? null,
      filter.aggregateId ?? null,
      filter.status ?? null,
      filter.limit ?? 1000,
    ],
  );
  return rows.map(mapOutbox);
}
