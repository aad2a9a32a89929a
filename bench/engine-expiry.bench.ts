/**
 * Expiry (and voucher creation) against the local PagoEfectivo sandbox over HTTP on loopback,
 * on PostgreSQL. The engine (bench/engine-child.ts) and the sandbox
 * (bench/engine-sandbox-child.ts) each run in a process of their own; this one only directs.
 *   engine_create_voucher_p50_ms / _p99_ms: createVoucher latency, 16 at a time.
 *   engine_create_voucher_cpu_ms / _queries: engine CPU and statements per createVoucher.
 *   engine_expiry_per_s: vouchers expired per second (search + delete + transition + outbox).
 *   engine_expiry_cpu_ms / _queries: engine CPU and statements per expired voucher.
 *   engine_expiry_sandbox_cpu_ms: the sandbox's CPU per expired voucher (for comparison).
 *   engine_expiry_peak_rss_mb: peak RSS of the engine process.
 */
import { round, startChild, type ProcessWindow } from "./engine-bench-support";
import { percentile } from "./measure";

const N = 2000;

export default async function (): Promise<Record<string, number>> {
  const sandbox = startChild("engine-sandbox-child.ts");
  const engine = startChild("engine-child.ts");
  try {
    const { url } = await sandbox.call<{ url: string }>("start");
    await engine.call("sandbox", { kind: "pg", sandboxUrl: url, expiryBatchSize: 500 });
    await engine.call("createVouchers", { n: 100, concurrency: 16, from: 1_000_000 }); // warm-up

    await engine.call("startWindow");
    const latencies = await engine.call<number[]>("createVouchers", {
      n: N,
      concurrency: 16,
      from: 0,
    });
    const created = await engine.call<ProcessWindow>("endWindow");
    latencies.sort((a, b) => a - b);
    const createP50 = round(percentile(latencies, 50), 1);
    const createP99 = round(percentile(latencies, 99), 1);
    process.stdout.write(
      `  createVoucher: p50 ${createP50} ms, p99 ${createP99} ms; engine ${(created.cpuMs / N).toFixed(2)} ms CPU, ${(created.statements / N).toFixed(2)} statements each\n`,
    );

    const offset = { ms: 49 * 3_600_000 };
    await sandbox.call("setOffset", offset);
    await engine.call("setOffset", offset);
    await engine.call("startWindow");
    await sandbox.call("startWindow");
    const start = performance.now();
    const { expired } = await engine.call<{ expired: number }>("expireAll");
    const seconds = (performance.now() - start) / 1000;
    const w = await engine.call<ProcessWindow>("endWindow");
    const sw = await sandbox.call<{ cpuMs: number }>("endWindow");
    const total = N + 100;
    if (expired !== total) throw new Error(`expired ${expired} of ${total}`);
    const perSecond = Math.round(total / seconds);
    process.stdout.write(
      `  expiry: ${perSecond}/s; engine ${(w.cpuMs / total).toFixed(2)} ms CPU, ${(w.statements / total).toFixed(2)} statements each; sandbox ${(sw.cpuMs / total).toFixed(2)} ms CPU each\n`,
    );
    const { peakRssMb } = await engine.call<{ peakRssMb: number }>("close");
    await sandbox.call("close");
    return {
      engine_create_voucher_p50_ms: createP50,
      engine_create_voucher_p99_ms: createP99,
      engine_create_voucher_cpu_ms: round(created.cpuMs / N),
      engine_create_voucher_queries: round(created.statements / N),
      engine_expiry_per_s: perSecond,
      engine_expiry_cpu_ms: round(w.cpuMs / total),
      engine_expiry_queries: round(w.statements / total),
      engine_expiry_sandbox_cpu_ms: round(sw.cpuMs / total),
      engine_expiry_peak_rss_mb: peakRssMb,
    };
  } finally {
    await engine.exit();
    await sandbox.exit();
  }
}
