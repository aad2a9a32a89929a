/** Shared set-up of the engine benchmarks (not a bench file itself: no `.bench.ts` suffix). */
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createPagoEfectivoClient, type Clock } from "../packages/core/src/index";
import {
  createKeyring,
  createLogger,
  createPgDatabase,
  createPgliteDatabase,
  createTenant,
  DEFAULT_ENGINE_CONFIG,
  migrate,
  type Database,
  type DriverKind,
  type EngineConfig,
  type EngineContext,
  type TenantRecord,
} from "../packages/engine/src/index";

export { peakRssMb as peakRssMbOfThisProcess, round } from "./measure";

export const DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export const PE = {
  accessKey: "AK9X2M7Q4T8W1Z5R3P6N",
  secretKey: "sk_demo_4f1c2a9b7e6d5c3b2a1f0e9d8c7b6a5f",
  idService: 1234,
};

async function admin(sql: string): Promise<void> {
  const c = createPgDatabase({ connectionString: DATABASE_URL, max: 1 });
  try {
    await c.query(sql);
  } finally {
    await c.close();
  }
}

export async function openBenchDatabase(
  kind: DriverKind,
): Promise<{ db: Database; drop(): Promise<void> }> {
  if (kind === "pglite") {
    const db = await createPgliteDatabase();
    await migrate(db);
    return { db, drop: () => db.close() };
  }
  const name = `bench_${randomBytes(5).toString("hex")}`;
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(DATABASE_URL);
  u.pathname = `/${name}`;
  const db = createPgDatabase({ connectionString: u.toString(), max: 10 });
  await migrate(db);
  return {
    db,
    async drop() {
      await db.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

export const keyring = createKeyring({ keys: { bench: Buffer.alloc(32, 9) }, primary: "bench" });

export function benchContext(
  db: Database,
  clock: Clock,
  baseUrl: string,
  config: Partial<EngineConfig> = {},
): EngineContext {
  return {
    db,
    clock,
    logger: createLogger({ name: "bench", level: "silent" }),
    keyring,
    random: Math.random,
    config: {
      ...DEFAULT_ENGINE_CONFIG,
      pagoEfectivoBaseUrl: { sandbox: baseUrl, production: baseUrl },
      publicBaseUrl: "http://127.0.0.1",
      ...config,
    },
    pagoEfectivo: ({ credentials, baseUrl: url }) =>
      createPagoEfectivoClient({ baseUrl: url, ...credentials, clock }),
  };
}

export function benchTenant(db: Database): Promise<TenantRecord> {
  return createTenant(db, keyring, {
    platform: "shopify",
    shopDomain: `bench-${randomBytes(4).toString("hex")}.myshopify.com`,
    peCredentials: PE,
  });
}

/** `n` pending vouchers with CIPs from+1 … from+n, inserted in bulk. */
export async function seedPendingVouchers(
  db: Database,
  tenantId: string,
  n: number,
  from: number,
  expiresAt: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO vouchers (tenant_id, platform_payment_id, idempotency_key, request_fingerprint,
       transaction_code, cip, amount_minor, currency, status, expires_at, platform_data, next_poll_at)
     SELECT $1, 'p' || g, 'k' || g, 'fp', 'T' || g, g::text, 15050, 'PEN', 'pending', $2,
       jsonb_build_object('platform', '{}'::jsonb, 'engine', jsonb_build_object(
         'reference', '#' || g, 'tokenSecret', md5(g::text), 'environment', 'sandbox')),
       $2::timestamptz + interval '1 day'
     FROM generate_series($3::bigint + 1, $3::bigint + $4::bigint) g`,
    [tenantId, expiresAt, from, n],
  );
  await db.query(
    `INSERT INTO voucher_cips (tenant_id, cip, voucher_id)
     SELECT tenant_id, cip, id FROM vouchers WHERE tenant_id = $1 ON CONFLICT DO NOTHING`,
    [tenantId],
  );
}

/** Statement and transaction counts (round trips to the database) seen through a `Database`. */
export interface QueryCounter {
  statements: number;
  transactions: number;
  reset(): void;
}

/**
 * Wraps a database so every statement (including BEGIN and COMMIT/ROLLBACK of transactions) is
 * counted: the benches report round trips per operation. `onStatement` sees each one's SQL
 * (BEGIN and COMMIT as those words), for a breakdown by statement.
 */
export function countingDatabase(
  db: Database,
  onStatement: (sql: string) => void = () => {},
): { db: Database; counter: QueryCounter } {
  const counter: QueryCounter = {
    statements: 0,
    transactions: 0,
    reset() {
      this.statements = 0;
      this.transactions = 0;
    },
  };
  const note = (sql: string) => {
    counter.statements++;
    onStatement(sql);
  };
  const wrapped: Database = {
    kind: db.kind,
    inTransaction: false,
    query(sql, params) {
      note(sql);
      return db.query(sql, params);
    },
    exec(sql) {
      note(sql);
      return db.exec(sql);
    },
    transaction(fn, opts) {
      counter.transactions++;
      note("BEGIN");
      note("COMMIT"); // or ROLLBACK
      return db.transaction(
        (tx) =>
          fn({
            kind: tx.kind,
            inTransaction: true,
            query(sql, params) {
              note(sql);
              return tx.query(sql, params);
            },
            exec(sql) {
              note(sql);
              return tx.exec(sql);
            },
          }),
        opts,
      );
    },
    close: () => db.close(),
  };
  return { db: wrapped, counter };
}

/** What an engine child process reports about a measured window. */
export interface ProcessWindow {
  cpuMs: number;
  statements: number;
  transactions: number;
}

/**
 * A child process spoken to by request/response messages over the IPC channel. Children are
 * started with tsx, like bench/run.ts itself.
 */
export interface ChildHandle {
  call<T = unknown>(op: string, args?: unknown): Promise<T>;
  exit(): Promise<void>;
}

export function startChild(
  file: string,
  opts: { stdout?: "inherit" | "ignore" } = {},
): ChildHandle {
  const child = fork(join(process.cwd(), "bench", file), [], {
    // BENCH_CPU_PROF=dir writes a V8 CPU profile of each child there (node --cpu-prof).
    execArgv: [
      "--import",
      "tsx",
      ...(process.env.BENCH_CPU_PROF
        ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
        : []),
    ],
    stdio: ["ignore", opts.stdout ?? "inherit", "inherit", "ipc"],
  });
  let nextId = 0;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  child.on("message", (m: { id: number; ok: boolean; result?: unknown; error?: string }) => {
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if (m.ok) w.resolve(m.result);
    else w.reject(new Error(`${file}: ${m.error}`));
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("exit", (code) => {
    for (const w of waiting.values()) w.reject(new Error(`${file} exited (${code})`));
    waiting.clear();
  });
  return {
    call<T>(op: string, args?: unknown) {
      const id = ++nextId;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, op, args });
      });
    },
    async exit() {
      if (child.exitCode !== null) return;
      if (child.connected) child.disconnect(); // the child exits by itself (profile written)
      const timer = setTimeout(() => child.kill("SIGTERM"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The child side of `startChild`: dispatches requests to `handlers`. */
export function serveParent(
  handlers: Record<string, (args: never) => unknown | Promise<unknown>>,
): void {
  process.on("message", async (m: { id: number; op: string; args: never }) => {
    try {
      const handler = handlers[m.op];
      if (!handler) throw new Error(`unknown op ${m.op}`);
      const result = await handler(m.args);
      process.send!({ id: m.id, ok: true, result });
    } catch (e) {
      process.send!({ id: m.id, ok: false, error: (e as Error).stack ?? String(e) });
    }
  });
}

/** CPU time of this process since `from` (process.cpuUsage), in ms. */
export function cpuMsSince(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}
