/**
 * Notifications end to end over HTTP on loopback: signed `cip.paid` bodies POSTed to the Express
 * notification router, verified, stored in the inbox and applied (voucher paid + outbox message)
 * — on PostgreSQL and on PGlite.
 *   engine_notifications_per_s_<db>: closed loop, 32 requests in flight, distinct CIPs.
 *   engine_notification_p50/p99_ms_<db>: open loop at 300 requests/s for 10 s.
 *   engine_notification_cpu_ms_<db>: CPU time of the engine process per notification.
 *   engine_notification_queries_<db>: statements sent to the database per notification
 *     (BEGIN and COMMIT included), engine_notification_tx_<db>: transactions per notification.
 *   engine_notifications_peak_rss_mb_<db>: peak RSS of the engine process.
 * The engine runs in a child process of its own (bench/engine-child.ts); this process is only
 * the load generator (node:http with keep-alive), so its CPU is not counted as the engine's. On
 * a 2-core machine they (and PostgreSQL) still compete for the same cores.
 */
import { Agent } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { signNotification } from "../packages/core/src/index";
import type { DriverKind } from "../packages/engine/src/index";
import { PE, round, startChild, type ProcessWindow } from "./engine-bench-support";
import { keepAlivePost } from "./keep-alive-post";
import { percentile } from "./measure";

const THROUGHPUT_N = 4000;
const LATENCY_RATE = 300;
const LATENCY_SECONDS = 10;
const WARM_UP = 200;
const FIRST_CIP = 3_000_000;

async function run(kind: DriverKind): Promise<Record<string, number>> {
  const child = startChild("engine-child.ts");
  try {
    const total = WARM_UP + THROUGHPUT_N + LATENCY_RATE * LATENCY_SECONDS + 200;
    const { url } = await child.call<{ url: string }>("notifications", {
      kind,
      total,
      firstCip: FIRST_CIP,
    });
    const target = new URL(url);
    const agent = new Agent({ keepAlive: true, maxSockets: 256 });

    let next = FIRST_CIP;
    const send = async (): Promise<void> => {
      const cip = ++next;
      const body = `{"eventType":"cip.paid","operationNumber":"${cip}","data":{"cip":${cip},"currency":"PEN","amount":150.50,"paymentDate":"2026-11-22T10:15:30-05:00","transactionCode":"T${cip}"}}`;
      const answer = await keepAlivePost(
        agent,
        target,
        {
          "content-type": "application/json",
          "pe-signature": signNotification(body, PE.secretKey),
        },
        body,
      );
      if (answer.status !== 200 || !answer.text.includes("applied"))
        throw new Error(`unexpected answer ${answer.status} ${answer.text}`);
    };

    // Warm-up (JIT, pools, tenant cache).
    for (let i = 0; i < WARM_UP; i++) await send();

    // Closed loop throughput.
    await child.call("startWindow");
    const start = performance.now();
    let started = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (started < THROUGHPUT_N) {
          started++;
          await send();
        }
      }),
    );
    const perSecond = Math.round((THROUGHPUT_N / (performance.now() - start)) * 1000);
    const w = await child.call<ProcessWindow>("endWindow");
    const cpuMs = w.cpuMs / THROUGHPUT_N;
    const queries = w.statements / THROUGHPUT_N;
    const txs = w.transactions / THROUGHPUT_N;
    process.stdout.write(
      `  ${kind}: ${perSecond} notifications/s (closed loop); engine process: ${cpuMs.toFixed(2)} ms CPU, ${queries.toFixed(2)} statements, ${txs.toFixed(2)} transactions each\n`,
    );

    // Open loop at a fixed rate: latency under a realistic load, not at saturation. Latency is
    // measured from each request's scheduled time (no coordinated omission), with at most 256 in
    // flight so an overloaded server shows up as latency rather than as connect timeouts.
    const latencies: number[] = [];
    const pending: Promise<void>[] = [];
    const failures: unknown[] = [];
    let inFlight = 0;
    const t0 = performance.now();
    for (let i = 0; i < LATENCY_RATE * LATENCY_SECONDS; i++) {
      const due = t0 + (i * 1000) / LATENCY_RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      while (inFlight >= 256) await sleep(1);
      inFlight++;
      pending.push(
        send().then(
          () => {
            inFlight--;
            latencies.push(performance.now() - due);
          },
          (e: unknown) => {
            inFlight--;
            failures.push(e);
          },
        ),
      );
    }
    await Promise.all(pending);
    if (failures.length)
      throw new Error(`${failures.length} notifications failed; first: ${String(failures[0])}`);
    latencies.sort((a, b) => a - b);
    agent.destroy();

    const paid = await child.call<number>("count", { status: "paid" });
    const expected = WARM_UP + THROUGHPUT_N + LATENCY_RATE * LATENCY_SECONDS;
    if (paid !== expected) throw new Error(`paid ${paid}, expected ${expected}`);
    const { peakRssMb } = await child.call<{ peakRssMb: number }>("close");
    const p50 = round(percentile(latencies, 50), 1);
    const p99 = round(percentile(latencies, 99), 1);
    process.stdout.write(
      `  ${kind}: at ${LATENCY_RATE}/s p50 ${p50} ms, p99 ${p99} ms; engine peak RSS ${peakRssMb} MB\n`,
    );
    return {
      [`engine_notifications_per_s_${kind}`]: perSecond,
      [`engine_notification_p50_ms_${kind}`]: p50,
      [`engine_notification_p99_ms_${kind}`]: p99,
      [`engine_notification_cpu_ms_${kind}`]: round(cpuMs),
      [`engine_notification_queries_${kind}`]: round(queries),
      [`engine_notification_tx_${kind}`]: round(txs),
      [`engine_notifications_peak_rss_mb_${kind}`]: peakRssMb,
    };
  } finally {
    await child.exit();
  }
}

/** BENCH_DB=pg (or pglite) measures one database only, for quicker iterations. */
export default async function (): Promise<Record<string, number>> {
  const only = process.env.BENCH_DB;
  const kinds: DriverKind[] = only === "pg" || only === "pglite" ? [only] : ["pg", "pglite"];
  const figures: Record<string, number> = {};
  for (const kind of kinds) Object.assign(figures, await run(kind));
  return figures;
}
