import { mkdirSync } from "node:fs";
import {
  beginStatement,
  parseInt8,
  type Database,
  type QueryResult,
  type Row,
  type TransactionOptions,
  type Tx,
} from "./database";
import { Mutex } from "./mutex";
import { startPgliteWorker } from "./pglite-worker";
import { assertOpen, TxGuard } from "./tx-guard";

const INT8_OID = 20;
const BYTEA_OID = 17;
const JSON_OID = 114;
const JSONB_OID = 3802;
const TIMESTAMP_OID = 1114;
const TIMESTAMPTZ_OID = 1184;

interface Backend {
  query(sql: string, params?: unknown[]): Promise<PgliteResult>;
  exec(sql: string): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * In-process PGlite normally. Where dynamic import is refused (PGlite loads its wasm with it),
 * i.e. under Jest, the same PGlite runs in a worker thread instead (see pglite-worker.ts).
 */
async function startBackend(dataDir: string | undefined): Promise<Backend> {
  if (!(await dynamicImportWorks()) && typeof require === "function") {
    const worker = startPgliteWorker(require.resolve("@electric-sql/pglite"), dataDir);
    await worker.ready;
    return worker;
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const pglite = new PGlite(dataDir, { parsers: PARSERS });
  await pglite.waitReady;
  return pglite as unknown as Backend;
}

/** Whether this host supports dynamic `import()` (a Jest vm sandbox does not). */
async function dynamicImportWorks(): Promise<boolean> {
  try {
    await (new Function("s", "return import(s)") as (s: string) => Promise<unknown>)("node:path");
    return true;
  } catch {
    return false;
  }
}

/** "2026-11-22 15:02:13.5+00" (Postgres text form) → Date. */
function parseTimestamp(text: string, withZone: boolean): Date | string {
  const m =
    /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)(?:([+-]\d\d)(?::?(\d\d))?(?::?(\d\d))?)?$/.exec(
      text,
    );
  if (!m) return text; // infinity / BC dates: leave the text for the caller to notice
  const zone = withZone && m[3] ? `${m[3]}:${m[4] ?? "00"}` : "Z";
  return new Date(`${m[1]}T${m[2]}${zone}`);
}

/**
 * Parsers are created here rather than left to PGlite so every value is built in this module's
 * realm (under Jest PGlite lives outside the sandbox, and its Dates would fail `instanceof`).
 */
const PARSERS = {
  [INT8_OID]: parseInt8,
  [JSON_OID]: (text: string) => JSON.parse(text) as unknown,
  [JSONB_OID]: (text: string) => JSON.parse(text) as unknown,
  [TIMESTAMP_OID]: (text: string) => parseTimestamp(text, false),
  [TIMESTAMPTZ_OID]: (text: string) => parseTimestamp(text, true),
};

export interface PgliteOptions {
  /** Directory of the embedded database; undefined = in memory (tests). One process per directory. */
  dataDir?: string;
}

interface PgliteResult {
  rows: Row[];
  affectedRows?: number;
  fields: { name: string; dataTypeID: number }[];
}

/** PGlite returns bytea as Uint8Array; the repositories (and pg) use Buffer. */
function normalise<T>(r: PgliteResult): QueryResult<T> {
  const byteaFields = r.fields.filter((f) => f.dataTypeID === BYTEA_OID).map((f) => f.name);
  if (byteaFields.length > 0) {
    for (const row of r.rows) {
      for (const name of byteaFields) {
        const v = row[name];
        if (ArrayBuffer.isView(v) && !Buffer.isBuffer(v)) {
          row[name] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
        }
      }
    }
  }
  return { rows: r.rows as T[], rowCount: Math.max(r.affectedRows ?? 0, r.rows.length) };
}

export async function createPgliteDatabase(opts: PgliteOptions = {}): Promise<Database> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const pglite = await startBackend(opts.dataDir);
  const mutex = new Mutex();
  const guard = new TxGuard();
  const run = async <T>(sql: string, params?: readonly unknown[]) =>
    normalise<T>((await pglite.query(sql, params as unknown[] | undefined)) as PgliteResult);

  return {
    kind: "pglite",
    inTransaction: false,
    query<T = Row>(sql: string, params?: readonly unknown[]) {
      guard.assertOutside("db.query");
      return mutex.run(() => run<T>(sql, params));
    },
    async exec(sql: string) {
      guard.assertOutside("db.exec");
      await mutex.run(() => pglite.exec(sql));
    },
    transaction<T>(fn: (tx: Tx) => Promise<T>, txOpts?: TransactionOptions): Promise<T> {
      guard.assertOutside("db.transaction");
      return mutex.run(async () => {
        const state = { done: false };
        const tx: Tx = {
          kind: "pglite",
          inTransaction: true,
          async query<R = Row>(sql: string, params?: readonly unknown[]) {
            assertOpen(state);
            return run<R>(sql, params);
          },
          async exec(sql: string) {
            assertOpen(state);
            await pglite.exec(sql);
          },
        };
        try {
          await pglite.query(beginStatement(txOpts));
          const result = await guard.run(() => fn(tx));
          await pglite.query("COMMIT");
          return result;
        } catch (err) {
          await pglite.query("ROLLBACK").catch(() => undefined);
          throw err;
        } finally {
          state.done = true;
        }
      });
    },
    async close() {
      await mutex.run(() => pglite.close());
    },
  };
}
