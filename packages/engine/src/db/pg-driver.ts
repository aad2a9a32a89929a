import pg from "pg";
import type { Logger } from "pino";
import {
  beginStatement,
  parseInt8,
  type Database,
  type QueryResult,
  type Row,
  type TransactionOptions,
  type Tx,
} from "./database";
import { assertOpen, TxGuard } from "./tx-guard";

const INT8_OID = 20;

/**
 * Per-pool type parsers (not the process-global `pg.types`), so int8 (amounts in minor units,
 * bigserial ids, counts) arrives as a number, and a value beyond 2^53 throws instead of rounding.
 */
const typeParsers = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8_OID) return parseInt8;
    return format === "binary"
      ? pg.types.getTypeParser(oid, "binary")
      : pg.types.getTypeParser(oid, "text");
  },
} as pg.CustomTypesConfig;

export interface PgOptions {
  connectionString: string;
  /** Pool size; the default 10 suits one app instance on a small machine. */
  max?: number;
  logger?: Logger;
}

function normalise<T>(r: pg.QueryResult): QueryResult<T> {
  return { rows: r.rows as T[], rowCount: Math.max(r.rowCount ?? 0, r.rows.length) };
}

export function createPgDatabase(opts: PgOptions): Database {
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.max ?? 10,
    types: typeParsers,
  });
  // An idle client losing its connection emits 'error' on the pool; unhandled, it kills the process.
  pool.on("error", (err) => opts.logger?.error({ err: { message: err.message } }, "pg pool error"));
  const guard = new TxGuard();

  return {
    kind: "pg",
    inTransaction: false,
    async query<T = Row>(sql: string, params?: readonly unknown[]) {
      guard.assertOutside("db.query");
      return normalise<T>(await pool.query(sql, params as unknown[] | undefined));
    },
    async exec(sql: string) {
      guard.assertOutside("db.exec");
      await pool.query(sql);
    },
    async transaction<T>(fn: (tx: Tx) => Promise<T>, txOpts?: TransactionOptions): Promise<T> {
      guard.assertOutside("db.transaction");
      const client = await pool.connect();
      const state = { done: false };
      const tx: Tx = {
        kind: "pg",
        inTransaction: true,
        async query<R = Row>(sql: string, params?: readonly unknown[]) {
          assertOpen(state);
          return normalise<R>(await client.query(sql, params as unknown[] | undefined));
        },
        async exec(sql: string) {
          assertOpen(state);
          await client.query(sql);
        },
      };
      let broken: Error | undefined;
      try {
        await client.query(beginStatement(txOpts));
        const result = await guard.run(() => fn(tx));
        await client.query("COMMIT");
        return result;
      } catch (err) {
        try {
          await client.query("ROLLBACK");
        } catch (rollbackErr) {
          // The connection is in an unknown state: destroy it rather than return it to the pool.
          broken = rollbackErr as Error;
        }
        throw err;
      } finally {
        state.done = true;
        client.release(broken);
      }
    },
    async close() {
      await pool.end();
    },
  };
}
