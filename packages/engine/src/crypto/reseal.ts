import type { Executor, Row } from "../db/database";
import type { Keyring } from "./keyring";

/**
 * A column of keyring blobs (see keyring.ts), described for re-encryption under the primary key.
 * Names are SQL identifiers written in code, never input.
 */
export interface SealedColumn {
  table: string;
  column: string;
  /** The table's (single-column) primary key: rows are read in its order, in batches. */
  idColumn: string;
  /** A column repeating the blob's key id, rewritten with it. Omit when there is none. */
  keyIdColumn?: string;
  /** Further columns the associated data is built from. */
  aadColumns?: readonly string[];
  /** The associated data the blob was sealed with; `row` holds `id` and the `aadColumns`. */
  aad: (row: Row) => string | undefined;
  /**
   * SQL expression naming a row in logs, when the primary key must not be logged (it is, for
   * example, a bearer token). Default: the primary key.
   */
  labelSql?: string;
}

/** Why a row could not be re-sealed: it was left exactly as it was. */
export type UnreadableReason = "unknown_key" | "failed_authentication" | "malformed";

export interface UnreadableRow {
  /** The row's label (primary key, or `labelSql`): never the secret. */
  row: string;
  keyId: string | null;
  reason: UnreadableReason;
}

export interface ResealReport {
  /** `<table>.<column>`. */
  column: string;
  /** Rows rewritten under the primary key by this pass. */
  resealed: number;
  /**
   * Rows that changed between read and write (another instance re-sealed them first, or the app
   * wrote a new value): the other writer's blob stands.
   */
  changedMeanwhile: number;
  /** Rows no key of the keyring opens (at most `MAX_REPORTED_ROWS` listed). */
  unreadable: UnreadableRow[];
  unreadableCount: number;
  /** Rows still not under the primary key after the pass (counted again at the end). */
  remaining: number;
}

const MAX_REPORTED_ROWS = 20;
const DEFAULT_BATCH = 200;

/**
 * SQL that is true when the blob in `col` was NOT sealed with key id `$1`. The key id is read
 * from the blob itself (version | idLength | id …, see keyring.ts), which is authoritative and
 * works for columns without a key-id copy. CASE keeps get_byte from running on a short blob.
 */
function notUnderKey(col: string): string {
  return `CASE WHEN length(${col}) < 2 THEN true
    WHEN get_byte(${col}, 0) <> 1 THEN true
    ELSE substring(${col} FROM 3 FOR get_byte(${col}, 1)) <> convert_to($1, 'UTF8') END`;
}

/**
 * Rewrites every blob of `spec` that is not under the keyring's primary key, in batches of
 * `batchSize` rows read in primary-key order and written back by one statement per batch. Each
 * row is written back only if it still holds the blob that was read (`AND col = old`): two
 * instances starting together, or a request updating the row meanwhile, never lose a write —
 * the later writer simply finds nothing to do. A row no key opens is left untouched and
 * reported; it does not stop the pass.
 */
export async function resealColumn(
  q: Executor,
  keyring: Keyring,
  spec: SealedColumn,
  opts: { batchSize?: number } = {},
): Promise<ResealReport> {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH;
  const { table, column, idColumn } = spec;
  const extra = (spec.aadColumns ?? []).map((c) => `, ${c}`).join("");
  const label = spec.labelSql ? `, (${spec.labelSql})::text AS label` : "";
  const select = (after: boolean) =>
    `SELECT ${idColumn} AS id, ${column} AS blob${extra}${label} FROM ${table}
     WHERE ${column} IS NOT NULL AND ${notUnderKey(column)}
     ${after ? `AND ${idColumn} > $3` : ""}
     ORDER BY ${idColumn} LIMIT $2`;
  // Ids, old and new blobs travel as text arrays (hex), which both drivers pass the same way;
  // the id is cast back to the key's own type so the primary-key index is used.
  const { rows: types } = await q.query<{ t: string }>(
    `SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute
     WHERE attrelid = $1::regclass AND attname = $2`,
    [table, idColumn],
  );
  const idType = types[0]?.t ?? "text";
  // The rows are locked in key order first: two instances re-sealing overlapping batches then
  // queue behind each other instead of deadlocking.
  const update = `WITH v AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS v(id, old_hex, new_hex)
     ), locked AS (
       SELECT t.${idColumn} AS id FROM ${table} t JOIN v ON t.${idColumn} = v.id::${idType}
       ORDER BY t.${idColumn} FOR UPDATE OF t
     )
     UPDATE ${table} AS t SET ${column} = decode(v.new_hex, 'hex')
       ${spec.keyIdColumn ? `, ${spec.keyIdColumn} = $4` : ""}
     FROM v, locked
     WHERE t.${idColumn} = locked.id AND t.${idColumn} = v.id::${idType}
       AND t.${column} = decode(v.old_hex, 'hex')
     RETURNING t.${idColumn}`;

  const report: ResealReport = {
    column: `${table}.${column}`,
    resealed: 0,
    changedMeanwhile: 0,
    unreadable: [],
    unreadableCount: 0,
    remaining: 0,
  };
  let last: unknown;
  for (;;) {
    const page: unknown[] = [keyring.primaryKeyId, batchSize];
    if (last !== undefined) page.push(last);
    const { rows } = await q.query(select(last !== undefined), page);
    const ids: string[] = [];
    const olds: string[] = [];
    const news: string[] = [];
    for (const row of rows) {
      const blob = row.blob as Buffer;
      let plaintext: Buffer;
      try {
        plaintext = keyring.decrypt(blob, spec.aad(row));
      } catch {
        report.unreadableCount += 1;
        if (report.unreadable.length < MAX_REPORTED_ROWS) {
          report.unreadable.push(describeUnreadable(keyring, row, blob));
        }
        continue;
      }
      ids.push(String(row.id));
      olds.push(blob.toString("hex"));
      news.push(keyring.encrypt(plaintext, spec.aad(row)).toString("hex"));
      plaintext.fill(0);
    }
    if (ids.length > 0) {
      const params: unknown[] = [ids, olds, news];
      if (spec.keyIdColumn) params.push(keyring.primaryKeyId);
      const { rows: written } = await q.query(update, params);
      report.resealed += written.length;
      report.changedMeanwhile += ids.length - written.length;
    }
    if (rows.length < batchSize) break;
    last = rows[rows.length - 1]!.id;
  }
  const { rows } = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table} WHERE ${column} IS NOT NULL AND ${notUnderKey(column)}`,
    [keyring.primaryKeyId],
  );
  report.remaining = Number(rows[0]?.n ?? 0);
  return report;
}

function describeUnreadable(keyring: Keyring, row: Row, blob: Buffer): UnreadableRow {
  const name = String(row.label ?? row.id);
  let keyId: string;
  try {
    keyId = keyring.keyIdOf(blob);
  } catch {
    return { row: name, keyId: null, reason: "malformed" };
  }
  return {
    row: name,
    keyId,
    reason: keyring.keyIds.includes(keyId) ? "failed_authentication" : "unknown_key",
  };
}
