/**
 * Expiry against the local PagoEfectivo sandbox (over HTTP on loopback) on PostgreSQL: N pending
 * vouchers with real sandbox CIPs pass their expiry; the scheduler searches them (100 per call),
 * deletes each CIP and marks each batch expired with its outbox messages in one transaction.
 *   engine_expiry_per_s: vouchers expired per second (search + delete + transition + outbox).
 * The sandbox runs in the same process (its CPU is included).
 */
import { startSandbox } from "../apps/sandbox/src/index";
import { createPaymentEngine } from "../packages/engine/src/index";
import { benchContext, benchTenant, openBenchDatabase } from "./engine-bench-support";
import { peakRssMb } from "./measure";

const N = 2000;

export default async function (): Promise<Record<string, number>> {
  const offset = { ms: 0 };
  const clock = { now: () => new Date(Date.now() + offset.ms) };
  const sandbox = await startSandbox({ port: 0, clock, expirySweepMs: 0 });
  const { db, drop } = await openBenchDatabase("pg");
  const ctx = benchContext(db, clock, sandbox.url, { expiryBatchSize: 500 });
  const tenant = await benchTenant(db);
  const engine = createPaymentEngine(ctx, { concurrency: 16 });
  let made = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (made < N) {
        const i = made++;
        await engine.createVoucher({
          tenantId: tenant.id,
          idempotencyKey: `bench-${i}`,
          groupKey: `order-${i}`,
          platformReference: `#${i}`,
          amount: { minor: 15050, currency: "PEN" },
          shopper: { email: "rosa.quispe@example.pe" },
          paymentConcept: `Pedido #${i}`,
          test: true,
        });
      }
    }),
  );
  offset.ms = 49 * 3_600_000;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let expired = 0;
  for (;;) {
    const r = await engine.runExpiryOnce();
    expired += r.expired;
    if (r.claimed === 0) break;
  }
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (expired !== N) throw new Error(`expired ${expired} of ${N}`);
  const perSecond = Math.round(N / seconds);
  process.stdout.write(
    `  expiry: ${perSecond}/s, ${((cpu.user + cpu.system) / 1000 / N).toFixed(2)} ms CPU each\n`,
  );
  await sandbox.close();
  await drop();
  return {
    engine_expiry_per_s: perSecond,
    engine_expiry_cpu_ms: Math.round(((cpu.user + cpu.system) / 1000 / N) * 100) / 100,
    engine_expiry_peak_rss_mb: peakRssMb(),
  };
}
