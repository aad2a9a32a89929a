/**
 * The WooCommerce bridge process of bench/woocommerce.bench.ts (not a bench file itself). Only
 * the bridge runs here — started as `main.ts` would start it: production schedulers, info-level
 * logs to stdout through main.ts's logger (the parent points stdout at /dev/null), PostgreSQL in a throw-away database —
 * so the CPU time and SQL statements it reports are the bridge's (engine included) alone.
 */
import { randomBytes } from "node:crypto";
import {
  createKeyring,
  getTenant,
  setTenantCredentials,
  type Database,
} from "../packages/engine/src/index";
import { DEMO_MERCHANT } from "../apps/sandbox/src/index";
import { loadConfig } from "../apps/woocommerce/src/config/index";
import { startBridge, type RunningBridge } from "../apps/woocommerce/src/wiring/bridge";
import { bufferedLogger } from "../apps/woocommerce/src/wiring/logger";
import {
  countingDatabase,
  cpuMsSince,
  openBenchDatabase,
  peakRssMbOfThisProcess,
  serveParent,
  type QueryCounter,
} from "./engine-bench-support";

let bridge: RunningBridge | undefined;
let logs: ReturnType<typeof bufferedLogger> | undefined;
let counter: QueryCounter | undefined;
let drop: (() => Promise<void>) | undefined;
/** The database without the counters, for the bench's own bookkeeping queries. */
let uncounted: Database | undefined;
let window0 = process.cpuUsage();
/** Statements in the window, by what they touch (first table named), for the breakdown. */
const byTable = new Map<string, number>();

/** The statement's label in the breakdown: what it touches (first table named). */
function tableOf(sql: string): string {
  const s = sql.trim();
  if (/^(BEGIN|COMMIT|ROLLBACK)/i.test(s)) return "begin/commit";
  // The bridge's own tables first, so its statements stand apart from the engine's.
  const own = /\b(woo_plugin_nonces|woo_stores|woo_pending_authorizations)\b/.exec(s);
  if (own) return `bridge:${own[1]}`;
  const m = /\b(?:FROM|INTO|UPDATE|JOIN)\s+([a-z_]+)/i.exec(s);
  return `${s.split(/\s+/)[0]!.toUpperCase()} ${m?.[1] ?? "?"}`;
}

// Labels are cached per SQL text: the bench must not add much CPU of its own per statement.
const labels = new Map<string, string>();
function tally(sql: string): void {
  let label = labels.get(sql);
  if (label === undefined) labels.set(sql, (label = tableOf(sql)));
  byTable.set(label, (byTable.get(label) ?? 0) + 1);
}

serveParent({
  async start(args: { sandboxUrl: string; wooUrl: string }) {
    const opened = await openBenchDatabase(
      process.env.BENCH_DATABASE === "pglite" ? "pglite" : "pg",
    );
    drop = opened.drop;
    uncounted = opened.db;
    const counted = countingDatabase(opened.db, tally);
    counter = counted.counter;
    const db = counted.db;
    const keyring = createKeyring({ keys: { k1: randomBytes(32) }, primary: "k1" });
    logs = bufferedLogger({ name: "woocommerce", level: "info" });
    bridge = await startBridge({
      config: loadConfig({ PORT: "0", PE_API_BASE_URL: args.sandboxUrl, LOG_LEVEL: "info" }),
      db,
      keyring,
      logger: logs.logger,
    });
    const storeId = await bridge.tenants.storeIdFor(args.wooUrl);
    const secret = randomBytes(32).toString("hex");
    await bridge.tenants.saveWooStore({
      storeId,
      storeUrl: args.wooUrl,
      consumerKey: `ck_${randomBytes(20).toString("hex")}`,
      consumerSecret: `cs_${randomBytes(20).toString("hex")}`,
      keyId: 1,
      webhookSecret: randomBytes(20).toString("hex"),
      webhookId: 1,
      pluginSecret: secret,
      connectedAt: new Date(),
    });
    await setTenantCredentials(db, keyring, storeId, {
      peCredentials: {
        idService: DEMO_MERCHANT.idService,
        accessKey: DEMO_MERCHANT.accessKey,
        secretKey: DEMO_MERCHANT.secretKey,
      },
      environment: "sandbox",
    });
    const tenant = await getTenant(db, storeId);
    return {
      url: bridge.url,
      storeId,
      secret,
      notificationUrl: `${bridge.url}/notifications/pagoefectivo/${tenant!.notificationToken}`,
      database: db.kind,
    };
  },
  async pendingOutbox() {
    const { rows } = await uncounted!.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM outbox WHERE status = 'pending'",
    );
    return rows[0]!.n;
  },
  startWindow() {
    counter!.reset();
    byTable.clear();
    window0 = process.cpuUsage();
    return {};
  },
  endWindow() {
    const used = process.cpuUsage(window0);
    return {
      cpuMs: cpuMsSince(window0),
      // System time (system calls: every statement, request and response) swells when the
      // machine is busy; user time much less, so it is the steadier of the two to compare.
      userMs: used.user / 1000,
      systemMs: used.system / 1000,
      statements: counter!.statements,
      transactions: counter!.transactions,
      byTable: Object.fromEntries([...byTable].sort((a, b) => b[1] - a[1])),
    };
  },
  async close() {
    await bridge?.close();
    logs?.stop();
    await drop?.();
    return { peakRssMb: peakRssMbOfThisProcess() };
  },
});

// A normal exit (not a signal) so that --cpu-prof can write its profile.
process.on("SIGTERM", () => process.exit(0));
process.on("disconnect", () => process.exit(0));
