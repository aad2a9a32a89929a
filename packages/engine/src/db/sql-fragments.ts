/**
 * SQL fragments shared by the storage modules. Internal: db/index.ts does not re-export this
 * file, so they are not part of the engine's public API.
 */

/**
 * enqueueOutboxMany's writes as CTEs (`s`, the counters, and `enqueued`, the inserted rows), for
 * a statement that also changes the state the messages report, so both commit together without
 * a transaction of their own. The statement defines the messages first as a CTE named `i` with
 * the columns (tenant_id uuid, aggregate_type text, aggregate_id text, kind text, payload text
 * or jsonb, dedupe_key text, available_at text), at most one per aggregate.
 */
export const OUTBOX_ENQUEUE_CTES = `s AS (
       INSERT INTO outbox_sequences (aggregate_type, aggregate_id, seq)
       SELECT aggregate_type, aggregate_id, 1 FROM i ORDER BY aggregate_type, aggregate_id
       ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE SET seq = outbox_sequences.seq + 1
       RETURNING aggregate_type, aggregate_id, seq
     ), enqueued AS (
       INSERT INTO outbox (tenant_id, aggregate_type, aggregate_id, seq, kind, payload,
         dedupe_key, next_attempt_at)
       SELECT i.tenant_id, i.aggregate_type, i.aggregate_id,
         GREATEST(s.seq, (SELECT COALESCE(max(o.seq), 0) + 1 FROM outbox o
                          WHERE o.aggregate_type = i.aggregate_type
                            AND o.aggregate_id = i.aggregate_id)),
         i.kind, i.payload::jsonb, i.dedupe_key, COALESCE(i.available_at::timestamptz, now())
       FROM i JOIN s ON s.aggregate_type = i.aggregate_type AND s.aggregate_id = i.aggregate_id
       ORDER BY i.aggregate_type, i.aggregate_id
       ON CONFLICT (tenant_id, dedupe_key) DO NOTHING
       RETURNING *
     )`;

/**
 * A digest of what a delivery's TenantContext is made of (platform, shop domain and the sealed
 * platform credentials) for the row aliased `alias`: equal digests, equal context, since the
 * same ciphertext always opens to the same credentials. Any write of those columns changes it
 * (a re-seal too: a new nonce), whoever made it and whether or not it bumped updated_at.
 */
export function platformContextStampSql(alias: string): string {
  return `md5(convert_to(${alias}.platform || ' ' || ${alias}.shop_domain, 'UTF8') || COALESCE(${alias}.platform_credentials, '\\x'::bytea))`;
}
