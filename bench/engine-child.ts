/**
 * The engine process of the engine benchmarks (started by engine-*.bench.ts; not a bench file
 * itself). Only the engine runs here — the load generator and the sandbox are other processes —
 * so the CPU time, round trips and peak RSS it reports are the engine's alone.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { systemClock, type Clock } from "../packages/core/src/index";
import {
  createEngineHttpApp,
  createPaymentEngine,
  type Database,
  type DriverKind,
  type TenantRecord,
} from "../packages/engine/src/index";
import {
  benchContext,
  benchTenant,
  countingDatabase,
  cpuMsSince,
  openBenchDatabase,
  peakRssMbOfThisProcess,
  serveParent,
  seedPendingVouchers,
  type ProcessWindow,
  type QueryCounter,
} from "./engine-bench-support";

let db: Database | undefined;
let drop: (() => Promise<void>) | undefined;
let counter: QueryCounter | undefined;
let tenant: TenantRecord | undefined;
let engine: ReturnType<typeof createPaymentEngine> | undefined;
let server: Server | undefined;
const offset = { ms: 0 };
const clock: Clock = { now: () => new Date(Date.now() + offset.ms) };
let window0: NodeJS.CpuUsage = process.cpuUsage();

async function open(kind: DriverKind): Promise<void> {
  const opened = await openBenchDatabase(kind);
  const counted = countingDatabase(opened.db);
  db = counted.db;
  counter = counted.counter;
  drop = opened.drop;
  tenant = await benchTenant(db);
}

serveParent({
  /** Seeds `total` pending vouchers and serves the notification endpoint. */
  async notifications(args: { kind: DriverKind; total: number; firstCip: number }) {
    await open(args.kind);
    await seedPendingVouchers(
      db!,
      tenant!.id,
      args.total,
      args.firstCip,
      new Date(Date.now() + 86_400_000),
    );
    engine = createPaymentEngine(benchContext(db!, systemClock, "http://127.0.0.1:9"));
    server = createServer(createEngineHttpApp(engine, db!));
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    return {
      url: `http://127.0.0.1:${port}/notifications/pagoefectivo/${tenant!.notificationToken}`,
    };
  },

  /** An engine talking to the sandbox at `sandboxUrl` (expiry, create). */
  async sandbox(args: { kind: DriverKind; sandboxUrl: string; expiryBatchSize: number }) {
    await open(args.kind);
    const ctx = benchContext(db!, clock, args.sandboxUrl, {
      expiryBatchSize: args.expiryBatchSize,
    });
    engine = createPaymentEngine(ctx, { concurrency: 16 });
    return {};
  },

  /** `n` createVoucher calls, `concurrency` at a time; latency of each. */
  async createVouchers(args: { n: number; concurrency: number; from: number }) {
    const latencies: number[] = [];
    let made = 0;
    await Promise.all(
      Array.from({ length: args.concurrency }, async () => {
        while (made < args.n) {
          const i = args.from + made++;
          const t = performance.now();
          await engine!.createVoucher({
            tenantId: tenant!.id,
            idempotencyKey: `bench-${i}`,
            groupKey: `order-${i}`,
            platformReference: `#${i}`,
            amount: { minor: 15050, currency: "PEN" },
            shopper: { email: "rosa.quispe@example.pe" },
            paymentConcept: `Pedido #${i}`,
            test: true,
          });
          latencies.push(performance.now() - t);
        }
      }),
    );
    return latencies;
  },

  setOffset(args: { ms: number }) {
    offset.ms = args.ms;
    return {};
  },

  /** Runs the expiry scheduler until nothing is left to claim. */
  async expireAll() {
    let expired = 0;
    for (;;) {
      const r = await engine!.runExpiryOnce();
      expired += r.expired;
      if (r.claimed === 0) break;
    }
    return { expired };
  },

  startWindow() {
    counter!.reset();
    window0 = process.cpuUsage();
    return {};
  },

  endWindow(): ProcessWindow {
    return {
      cpuMs: cpuMsSince(window0),
      statements: counter!.statements,
      transactions: counter!.transactions,
    };
  },

  async count(args: { status: string }) {
    const { rows } = await db!.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM vouchers WHERE tenant_id = $1 AND status = $2",
      [tenant!.id, args.status],
    );
    return rows[0]!.n;
  },

  async close() {
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((r) => server!.close(() => r()));
    }
    await drop?.();
    return { peakRssMb: peakRssMbOfThisProcess() };
  },
});

// A normal exit (not a signal) so that --cpu-prof can write its profile.
process.on("SIGTERM", () => process.exit(0));
process.on("disconnect", () => process.exit(0));
