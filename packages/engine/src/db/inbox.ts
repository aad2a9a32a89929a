import { createHash } from "node:crypto";
import type { Executor, Row, Tx } from "./database";
import { interval, json, optDate, optString, type ClaimOptionsBase } from "./sql-helpers";

export interface InboxMessage {
  id: number;
  tenantId: string;
  dedupeKey: string;
  rawBody: Buffer;
  headers: Record<string, string>;
  signatureValid: boolean;
  eventType: string | null;
  operationNumber: string | null;
  cip: string | null;
  receivedAt: Date;
  processedAt: Date | null;
  result: string | null;
  resultDetail: unknown;
  attempts: number;
  lastError: string | null;
}

function mapInbox(r: Row): InboxMessage {
  return {
    id: Number(r.id),
    tenantId: String(r.tenant_id),
    dedupeKey: String(r.dedupe_key),
    rawBody: r.raw_body as Buffer,
    headers: r.headers as Record<string, string>,
    signatureValid: Boolean(r.signature_valid),
    eventType: optString(r.event_type),
    operationNumber: optString(r.operation_number),
    cip: optString(r.cip),
    receivedAt: r.received_at as Date,
    processedAt: optDate(r.processed_at),
    result: optString(r.result),
    resultDetail: r.result_detail ?? null,
    attempts: Number(r.attempts),
    lastError: optString(r.last_error),
  };
}

/**
 * Dedupe key of a notification. Verified bodies collapse on their exact bytes (PagoEfectivo
 * retries resend the same body). An unverified delivery gets a key of its own that includes the
 * signature: otherwise someone who guessed a body could post it unsigned first and make the
 * genuine notification look like a duplicate.
 */
export function notificationDedupeKey(input: {
  rawBody: Buffer;
  signatureValid: boolean;
  signature?: string | null;
}): string {
  const h = createHash("sha256");
  if (input.signatureValid) return `body:${h.update(input.rawBody).digest("hex")}`;
  h.update(input.signature ?? "")
    .update("\n")
    .update(input.rawBody);
  return `unverified:${h.digest("hex")}`;
}

/** Headers never worth keeping in the inbox (credentials of some proxy in front of us). */
const DROP_HEADERS = new Set(["authorization", "cookie", "proxy-authorization", "x-api-key"]);

function keptHeaders(raw: NewInboxMessage["headers"]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined || DROP_HEADERS.has(k.toLowerCase())) continue;
    headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  }
  return headers;
}

export interface NewInboxMessage {
  tenantId: string;
  dedupeKey: string;
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
  signatureValid: boolean;
  eventType?: string | null;
  operationNumber?: string | null;
  cip?: string | null;
  receivedAt?: Date;
}

/**
 * Stores a notification durably; `inserted` is false for a duplicate (the stored row comes
 * back). Answer PagoEfectivo 2xx only after this resolves.
 */
export async function insertInboxMessage(
  q: Executor,
  m: NewInboxMessage,
): Promise<{ message: InboxMessage; inserted: boolean }> {
  const headers = keptHeaders(m.headers);
  const { rows } = await q.query(
    `INSERT INTO notification_inbox (tenant_id, dedupe_key, raw_body, headers, signature_valid,
       event_type, operation_number, cip, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, COALESCE($9, now()))
     ON CONFLICT (tenant_id, dedupe_key) DO NOTHING
     RETURNING *`,
    [
      m.tenantId,
      m.dedupeKey,
      m.rawBody,
      json(headers),
      m.signatureValid,
      m.eventType ?? null,
      m.operationNumber ?? null,
      m.cip ?? null,
      m.receivedAt ?? null,
    ],
  );
  if (rows[0]) return { message: mapInbox(rows[0]), inserted: true };
  const existing = await q.query(
    "SELECT * FROM notification_inbox WHERE tenant_id = $1 AND dedupe_key = $2",
    [m.tenantId, m.dedupeKey],
  );
  return { message: mapInbox(existing.rows[0]!), inserted: false };
}

/**
 * Stores a notification that was applied in the caller's transaction, already marked processed
 * (one statement instead of an insert and an update). A stored row nobody finished (an earlier
 * delivery whose apply failed or crashed) is taken over and marked with this outcome. Returns
 * the row's id, or null when the message was already processed: a duplicate, whose effects the
 * caller must roll back. Conflicts wait for a concurrent inserter, so of N concurrent
 * deliveries exactly one gets an id.
 */
export async function storeProcessedInboxMessage(
  tx: Tx,
  m: NewInboxMessage,
  outcome: ProcessedOutcome,
): Promise<number | null> {
  const [id] = await storeProcessedInboxMessages(tx, [{ message: m, outcome }]);
  return id ?? null;
}

export interface ProcessedOutcome {
  result: string;
  detail?: unknown;
  at: Date;
}

/**
 * `storeProcessedInboxMessage` for several messages in one statement; the ids come back in the
 * order of `items` (null: already processed). Two items must not share a (tenant, dedupe key):
 * one INSERT … ON CONFLICT DO UPDATE cannot touch a row twice.
 */
export async function storeProcessedInboxMessages(
  tx: Tx,
  items: readonly { message: NewInboxMessage; outcome: ProcessedOutcome }[],
): Promise<(number | null)[]> {
  if (items.length === 0) return [];
  const { rows } = await tx.query<{ id: number; dedupe_key: string; tenant_id: string }>(
    `INSERT INTO notification_inbox AS t (tenant_id, dedupe_key, raw_body, headers,
       signature_valid, event_type, operation_number, cip, received_at, processed_at, result,
       result_detail)
     SELECT tenant_id, dedupe_key, decode(raw_hex, 'hex'), headers::jsonb, signature_valid, event_type,
       operation_number, cip, COALESCE(received_at, now()), processed_at, result,
       result_detail::jsonb
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::text[],
                 $7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[], $11::text[],
                 $12::text[])
       AS i(tenant_id, dedupe_key, raw_hex, headers, signature_valid, event_type,
            operation_number, cip, received_at, processed_at, result, result_detail)
     ON CONFLICT (tenant_id, dedupe_key) DO UPDATE
       SET processed_at = EXCLUDED.processed_at, result = EXCLUDED.result,
         result_detail = EXCLUDED.result_detail
       WHERE t.processed_at IS NULL
     RETURNING t.id, t.dedupe_key, t.tenant_id`,
    [
      items.map((i) => i.message.tenantId),
      items.map((i) => i.message.dedupeKey),
      // Hex, not bytea[]: both drivers pass text arrays the same way.
      items.map((i) => i.message.rawBody.toString("hex")),
      items.map((i) => json(keptHeaders(i.message.headers))),
      items.map((i) => i.message.signatureValid),
      items.map((i) => i.message.eventType ?? null),
      items.map((i) => i.message.operationNumber ?? null),
      items.map((i) => i.message.cip ?? null),
      items.map((i) => i.message.receivedAt?.toISOString() ?? null),
      items.map((i) => i.outcome.at.toISOString()),
      items.map((i) => i.outcome.result),
      items.map((i) => json(i.outcome.detail ?? null)),
    ],
  );
  const ids = new Map<string, number>();
  for (const r of rows) {
    ids.set(`${r.tenant_id}\u0000${r.dedupe_key}`, Number(r.id));
  }
  return items.map((i) => ids.get(`${i.message.tenantId}\u0000${i.message.dedupeKey}`) ?? null);
}

export async function getInboxMessage(q: Executor, id: number): Promise<InboxMessage | null> {
  const { rows } = await q.query("SELECT * FROM notification_inbox WHERE id = $1", [id]);
  return rows[0] ? mapInbox(rows[0]) : null;
}

/**
 * Marks a message processed with its outcome ("applied", "duplicate", "ignored", "attention",
 * …). Guarded on `processed_at IS NULL`: returns false if another worker already finished it,
 * so the caller can roll back its own effects. Call it in the transaction that applied the event.
 */
export async function markInboxProcessed(
  q: Executor,
  id: number,
  outcome: { result: string; detail?: unknown; at: Date },
): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE notification_inbox SET processed_at = $2, result = $3, result_detail = $4
     WHERE id = $1 AND processed_at IS NULL RETURNING id`,
    [id, outcome.at, outcome.result, json(outcome.detail ?? null)],
  );
  return rowCount === 1;
}

/** Records a failed apply attempt; the row stays unprocessed and is retried after `retryAt`. */
export async function recordInboxFailure(
  q: Executor,
  id: number,
  failure: { error: string; retryAt: Date },
): Promise<void> {
  await q.query(
    `UPDATE notification_inbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3
     WHERE id = $1 AND processed_at IS NULL`,
    [id, failure.error.slice(0, 2000), failure.retryAt],
  );
}

/**
 * Claims stored-but-unprocessed messages (a crash between "stored" and "applied", or a failed
 * apply) whose retry time has come, leasing them for `leaseMs`. Oldest first.
 */
export async function claimUnprocessedInbox(
  q: Executor,
  opts: ClaimOptionsBase,
): Promise<InboxMessage[]> {
  const { rows } = await q.query(
    `WITH due AS (
       SELECT id FROM notification_inbox
       WHERE processed_at IS NULL AND next_attempt_at <= $1
       ORDER BY id
       LIMIT $2
       FOR UPDATE SKIP LOCKED
     )
     UPDATE notification_inbox n SET next_attempt_at = $1::timestamptz + $3::interval
     FROM due WHERE n.id = due.id
     RETURNING n.*`,
    [opts.now, opts.limit, interval(opts.leaseMs)],
  );
  return rows.map(mapInbox).sort((a, b) => a.id - b.id);
}

/** Deletes processed messages received before `olderThan` (raw bodies are not kept forever). */
export async function purgeInbox(q: Executor, olderThan: Date): Promise<number> {
  const { rowCount } = await q.query(
    "DELETE FROM notification_inbox WHERE processed_at IS NOT NULL AND received_at < $1",
    [olderThan],
  );
  return rowCount;
}
