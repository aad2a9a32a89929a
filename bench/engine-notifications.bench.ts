/**
 * Notifications end to end over HTTP on loopback: signed `cip.paid` bodies POSTed to the Express
 * notification router, verified, stored in the inbox and applied (voucher paid + outbox message)
 * — on PostgreSQL and on PGlite.
 *   engine_notifications_per_s_<db>: closed loop, 32 requests in flight, distinct CIPs.
 *   engine_notification_p99_ms_<db>: open loop at 300 requests/s for 10 s.
 * The load generator runs in the same process as the server (2-core machine): the figures
 * include its CPU cost.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { signNotification, systemClock } from "../packages/core/src/index";
import {
  createEngineHttpApp,
  createPaymentEngine,
  type DriverKind,
} from "../packages/engine/src/index";
import {
  benchContext,
  benchTenant,
  openBenchDatabase,
  PE,
  seedPendingVouchers,
} from "./engine-bench-support";
import { peakRssMb, percentile } from "./measure";

const THROUGHPUT_N = 4000;
const LATENCY_RATE = 300;
const LATENCY_SECONDS = 10;

async function run(kind: DriverKind): Promise<Record<string, number>> {
  const { db, drop } = await openBenchDatabase(kind);
  const ctx = benchContext(db, systemClock, "http://127.0.0.1:9");
  const tenant = await benchTenant(db);
  const total = THROUGHPUT_N + LATENCY_RATE * LATENCY_SECONDS + 200;
  await seedPendingVouchers(db, tenant.id, total, 3_000_000, new Date(Date.now() + 86_400_000));
  const engine = createPaymentEngine(ctx);
  const server = createServer(createEngineHttpApp(engine, db));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notifications/pagoefectivo/${tenant.notificationToken}`;

  let next = 3_000_000;
  const send = async (): Promise<void> => {
    const cip = ++next;
    const body = `{"eventType":"cip.paid","operationNumber":"${cip}","data":{"cip":${cip},"currency":"PEN","amount":150.50,"paymentDate":"2026-11-22T10:15:30-05:00","transactionCode":"T${cip}"}}`;
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "pe-signature": signNotification(body, PE.secretKey),
      },
      body,
    });
    const text = await res.text();
    if (res.status !== 200 || !text.includes("applied")) {
      throw new Error(`unexpected answer ${res.status} ${text}`);
    }
  };

  // Warm-up (JIT, pools, tenant cache).
  for (let i = 0; i < 100; i++) await send();

  // Closed loop throughput.
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (done < THROUGHPUT_N) {
        done++;
        await send();
      }
    }),
  );
  const perSecond = Math.round((THROUGHPUT_N / (performance.now() - start)) * 1000);
  const cpu = process.cpuUsage(cpu0);
  const cpuMsPerNotification = (cpu.user + cpu.system) / 1000 / THROUGHPUT_N;
  process.stdout.write(
    `  ${kind}: ${perSecond} notifications/s (closed loop), ${cpuMsPerNotification.toFixed(2)} ms CPU each in this process\n`,
  );

  // Open loop at a fixed rate: latency under a realistic load, not at saturation. Latency is
  // measured from each request's scheduled time (no coordinated omission), with at most 256 in
  // flight so an overloaded server shows up as latency rather than as connect timeouts.
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  let inFlight = 0;
  const t0 = performance.now();
  for (let i = 0; i < LATENCY_RATE * LATENCY_SECONDS; i++) {
    const due = t0 + (i * 1000) / LATENCY_RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    while (inFlight >= 256) await new Promise((r) => setTimeout(r, 1));
    inFlight++;
    pending.push(
      send().then(() => {
        inFlight--;
        latencies.push(performance.now() - due);
      }),
    );
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);

  const { rows } = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM vouchers WHERE tenant_id = $1 AND status = 'paid'",
    [tenant.id],
  );
  const expected = 100 + THROUGHPUT_N + LATENCY_RATE * LATENCY_SECONDS;
  if (rows[0]!.n !== expected) throw new Error(`paid ${rows[0]!.n}, expected ${expected}`);

  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await drop();
  return {
    [`engine_notifications_per_s_${kind === "pg" ? "pg" : "pglite"}`]: perSecond,
    [`engine_notification_p50_ms_${kind}`]: Math.round(percentile(latencies, 50) * 10) / 10,
    [`engine_notification_p99_ms_${kind}`]: Math.round(percentile(latencies, 99) * 10) / 10,
    [`engine_notification_cpu_ms_${kind}`]: Math.round(cpuMsPerNotification * 100) / 100,
    [`engine_notifications_peak_rss_mb_${kind}`]: peakRssMb(),
  };
}

export default async function (): Promise<Record<string, number>> {
  const pgFigures = await run("pg");
  const pgliteFigures = await run("pglite");
  return { ...pgFigures, ...pgliteFigures };
}
