import { Worker } from "node:worker_threads";
import { parseInt8 } from "./database";

/**
 * PGlite in a worker thread, for hosts where dynamic `import()` is unavailable (Jest runs code
 * in a vm sandbox that refuses it, and PGlite needs it to load its wasm). Values cross the thread
 * boundary as tagged JSON and are rebuilt here, so Dates, Buffers and numbers belong to the
 * caller's realm and int8 gets the same safety check as everywhere else.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { PGlite } = require(workerData.entry);
const tag = (t) => ({ __pe_i8__: t });
const db = new PGlite(workerData.dataDir, { parsers: { 20: tag } });
function replacer(key, value) {
  const raw = this[key];
  if (typeof raw === "bigint") return { __pe_i8__: raw.toString() };
  if (raw instanceof Date) return { __pe_date__: isNaN(raw) ? null : raw.toISOString() };
  if (raw instanceof Uint8Array) return { __pe_bytes__: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("base64") };
  return value;
}
let chain = db.waitReady;
parentPort.on("message", (msg) => {
  chain = chain.then(async () => {
    try {
      if (msg.op === "query") {
        const r = await db.query(msg.sql, msg.params);
        parentPort.postMessage({ id: msg.id, rows: JSON.stringify(r.rows, replacer),
          fields: r.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
          affectedRows: r.affectedRows ?? 0 });
      } else if (msg.op === "exec") {
        await db.exec(msg.sql);
        parentPort.postMessage({ id: msg.id });
      } else if (msg.op === "close") {
        await db.close();
        parentPort.postMessage({ id: msg.id });
      } else {
        parentPort.postMessage({ id: msg.id });
      }
    } catch (e) {
      parentPort.postMessage({ id: msg.id, error: { message: String(e && e.message), code: e && e.code,
        detail: e && e.detail, constraint: e && e.constraint, table: e && e.table } });
    }
  });
});
`;

export interface WorkerResult {
  rows: Record<string, unknown>[];
  fields: { name: string; dataTypeID: number }[];
  affectedRows: number;
}

/** Error carrying the server's SQLSTATE on `code`, like the errors of both drivers. */
export class PgliteWorkerError extends Error {
  code?: string;
  detail?: string;
  constraint?: string;
  table?: string;
}

function revive(_key: string, value: unknown): unknown {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    if ("__pe_i8__" in v) return parseInt8(String(v.__pe_i8__));
    if ("__pe_date__" in v) return v.__pe_date__ === null ? null : new Date(String(v.__pe_date__));
    if ("__pe_bytes__" in v) return Buffer.from(String(v.__pe_bytes__), "base64");
  }
  return value;
}

export interface PgliteWorkerBackend {
  ready: Promise<void>;
  query(sql: string, params?: readonly unknown[]): Promise<WorkerResult>;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export function startPgliteWorker(entry: string, dataDir: string | undefined): PgliteWorkerBackend {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { entry, dataDir } });
  let seq = 0;
  const waiting = new Map<number, { resolve: (m: never) => void; reject: (e: Error) => void }>();
  worker.on("message", (msg: { id: number; error?: Record<string, string> }) => {
    const w = waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id);
    if (msg.error) {
      const err = new PgliteWorkerError(msg.error.message);
      Object.assign(err, msg.error);
      w.reject(err);
    } else w.resolve(msg as never);
  });
  worker.on("error", (err) => {
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  });
  const call = <T>(msg: Record<string, unknown>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++seq;
      waiting.set(id, { resolve: resolve as (m: never) => void, reject });
      worker.postMessage({ ...msg, id });
    });
  return {
    ready: call<void>({ op: "ping" }),
    async query(sql, params) {
      const r = await call<{ rows: string; fields: WorkerResult["fields"]; affectedRows: number }>({
        op: "query",
        sql,
        params: params ? [...params] : undefined,
      });
      return {
        rows: JSON.parse(r.rows, revive) as Record<string, unknown>[],
        fields: r.fields,
        affectedRows: r.affectedRows,
      };
    },
    async exec(sql) {
      await call({ op: "exec", sql });
    },
    async close() {
      await call({ op: "close" });
      await worker.terminate();
    },
  };
}
