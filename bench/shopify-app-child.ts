/**
 * The Shopify app process of bench/shopify.bench.ts (not a bench file itself): the app as
 * main.ts runs it (schedulers, outbox nudges, SMTP mail, info-level logging) against a throwaway
 * PostgreSQL database (or embedded PGlite). The PagoEfectivo sandbox, Shopify's GraphQL stand-in,
 * the SMTP sink and the load generator are other processes, so the CPU time and statements this
 * process reports are the app's alone.
 */
import { openSync, writeFileSync, writeSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { DEMO_MERCHANT } from "../apps/sandbox/src/index";
import { loadRuntimeConfig } from "../apps/shopify/src/config/runtime";
import { startShopifyServer, type RunningShopify } from "../apps/shopify/src/wiring/server";
import {
  createKeyring,
  createLogger,
  updateSettings,
  type Database,
  type DriverKind,
} from "../packages/engine/src/index";
import {
  countingDatabase,
  cpuMsSince,
  openBenchDatabase,
  peakRssMbOfThisProcess,
  serveParent,
  type QueryCounter,
} from "./engine-bench-support";

let raw: Database | undefined;
let drop: (() => Promise<void>) | undefined;
let counter: QueryCounter | undefined;
let app: RunningShopify | undefined;
let tenantId = "";
let window0 = process.cpuUsage();
/** BENCH_WINDOW_PROF=<dir>: a CPU profile of the measured window only (no start-up, no warm-up). */
const windowProfDir = process.env.BENCH_WINDOW_PROF;
let profiler: Session | undefined;
/** Statements by kind (first words of the SQL), for the breakdown printed by the bench. */
const kinds = new Map<string, number>();
/**
 * Paid notification received (before verification), by CIP, on a clock other processes share
 * (the epoch in ms, at sub-ms resolution): the Shopify stand-in stamps the resolve with it.
 */
const notifiedAt = new Map<string, number>();

function kindOf(sql: string): string {
  const s = sql.replace(/\s+/g, " ").trim();
  const m =
    /^(WITH \w+ AS \(\s*\w+ \w*\s*\w*|INSERT INTO \w+|UPDATE \w+|DELETE FROM \w+|SELECT .{0,40}?FROM \w+|\w+)/i.exec(
      s,
    );
  return (m?.[0] ?? s.slice(0, 40)).slice(0, 60);
}

/** Counts a statement under its kind, for the breakdown. */
function tally(sql: string): void {
  const k = kindOf(sql);
  kinds.set(k, (kinds.get(k) ?? 0) + 1);
}

/**
 * Production logs JSON lines to stdout with one synchronous write each (pino's default): the same
 * here, to /dev/null, counted.
 */
const devNull = openSync("/dev/null", "w");
let logLines = 0;
const logSink = {
  write(line: string) {
    logLines += 1;
    writeSync(devNull, line);
  },
};

serveParent({
  async start(args: {
    kind: DriverKind;
    sandboxUrl: string;
    shopifyOrigin: string;
    smtpUrl: string;
    shop: string;
    /** false: no schedulers and no outbox nudges (profiling the request path alone). */
    schedulers?: boolean;
  }) {
    const opened = await openBenchDatabase(args.kind);
    raw = opened.db;
    drop = opened.drop;
    const counted = countingDatabase(opened.db, tally);
    counter = counted.counter;
    const config = loadRuntimeConfig({
      SHOPIFY_API_KEY: "bench-client-id",
      SHOPIFY_API_SECRET: "bench-secret",
      SHOPIFY_API_ORIGIN: args.shopifyOrigin,
      APP_URL: "https://pay.bench.test",
      MTLS_MODE: "off",
      PORT: "0",
      PE_API_BASE_URL: args.sandboxUrl,
      SMTP_URL: args.smtpUrl,
      LOG_LEVEL: "info",
    });
    app = await startShopifyServer({
      config,
      db: counted.db,
      keyring: createKeyring({ keys: { b: Buffer.alloc(32, 3) }, primary: "b" }),
      // Production writes JSON lines to stdout; /dev/null costs the same formatting and syscalls.
      logger: createLogger({ name: "shopify", level: "info", destination: logSink }),
      schedulers: args.schedulers ?? true,
    });
    const ingest = app.engine.ingestNotification.bind(app.engine);
    app.engine.ingestNotification = (req) => {
      const at = performance.timeOrigin + performance.now();
      const cip = /"cip"\s*:\s*"?(\d+)/.exec(Buffer.from(req.rawBody).toString("utf8"))?.[1];
      if (cip && !notifiedAt.has(cip)) notifiedAt.set(cip, at);
      return ingest(req);
    };
    const t = await app.shops.upsertShopifyTenant({
      shopDomain: args.shop,
      accessToken: "shpat_bench",
      scope: "write_payment_sessions",
    });
    tenantId = t.tenantId;
    await app.shops.savePeCredentials(t.tenantId, {
      environment: "sandbox",
      sets: {
        sandbox: {
          idService: DEMO_MERCHANT.idService,
          accessKey: DEMO_MERCHANT.accessKey,
          secretKey: DEMO_MERCHANT.secretKey,
        },
      },
    });
    await updateSettings(raw, t.tenantId, { creditNotePolicy: "series", creditNoteSeries: "F001" });
    const { rows } = await raw.query<{ notification_token: string }>(
      "SELECT notification_token FROM tenants WHERE id = $1",
      [t.tenantId],
    );
    return {
      url: app.url,
      notificationUrl: `${app.url}/notifications/pagoefectivo/${rows[0]!.notification_token}`,
    };
  },

  /** Resolves once no outbox message is pending (every voucher.pending delivered). */
  async outboxIdle(args: { timeoutMs: number }) {
    const deadline = Date.now() + args.timeoutMs;
    for (;;) {
      const { rows } = await raw!.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM outbox WHERE status = 'pending'",
      );
      if (rows[0]!.n === 0) return { pending: 0 };
      if (Date.now() > deadline) return { pending: rows[0]!.n };
      await new Promise((r) => setTimeout(r, 50));
    }
  },

  /** BENCH_WINDOW_PROF=<dir>: starts a CPU profile (written by profileStop). */
  async profileStart() {
    if (!windowProfDir) return {};
    profiler = new Session();
    profiler.connect();
    await profiler.post("Profiler.enable");
    await profiler.post("Profiler.start");
    return {};
  },

  async profileStop(args: { label: string }) {
    if (!profiler) return {};
    const { profile } = await profiler.post("Profiler.stop");
    writeFileSync(
      join(windowProfDir!, `shopify-app-${app!.db.kind}-${args.label}.cpuprofile`),
      JSON.stringify(profile),
    );
    profiler.disconnect();
    profiler = undefined;
    return {};
  },

  startWindow() {
    counter!.reset();
    kinds.clear();
    logLines = 0;
    window0 = process.cpuUsage();
    return {};
  },

  endWindow() {
    const cpuMs = cpuMsSince(window0);
    return {
      cpuMs,
      logLines,
      statements: counter!.statements,
      transactions: counter!.transactions,
      kinds: Object.fromEntries([...kinds].sort((a, b) => b[1] - a[1])),
    };
  },

  /** This process's CPU time so far, in ms. */
  cpuNow() {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },

  /** The CIP of each payment session id. */
  async cips(args: { ids: string[] }) {
    const { rows } = await raw!.query<{ k: string; cip: string | null }>(
      "SELECT idempotency_key AS k, cip FROM vouchers WHERE tenant_id = $1 AND idempotency_key = ANY($2::text[])",
      [tenantId, args.ids],
    );
    return Object.fromEntries(rows.map((r) => [r.k, r.cip]));
  },

  /** When the paid notification of `cip` came in (null: not yet). */
  notifiedAt(args: { cip: string }) {
    return notifiedAt.get(args.cip) ?? null;
  },

  async close() {
    await app?.close();
    await drop?.();
    return { peakRssMb: peakRssMbOfThisProcess() };
  },
});

// A normal exit (not a signal) so that --cpu-prof can write its profile.
process.on("SIGTERM", () => process.exit(0));
process.on("disconnect", () => process.exit(0));
