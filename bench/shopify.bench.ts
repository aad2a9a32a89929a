/**
 * Shopify app under payment-session load, everything local, over real HTTP, each party in its
 * own process: the app (bench/shopify-app-child.ts: the production wiring with schedulers,
 * outbox nudges, SMTP mail and info-level logs, against a throwaway PostgreSQL database, and
 * again against embedded PGlite), the PagoEfectivo sandbox (bench/engine-sandbox-child.ts, ~0
 * latency of its own), Shopify's GraphQL endpoint and an SMTP sink
 * (bench/shopify-outside-child.ts), and this process as the load generator (node:http,
 * keep-alive).
 *
 * - shopify_payment_session_p50_ms / _p99_ms: open loop at 100 requests/s (a new request every
 *   10 ms, whether or not earlier ones finished), each a new payment session → CIP created in
 *   the sandbox → 200 with redirect_url. Latency = request sent → response body read.
 * - shopify_payment_session_serial_p50_ms: the same request one at a time, each one's deferred
 *   work done before the next (service time, no queueing).
 * - shopify_payment_session_request_cpu_ms / _after_2xx_cpu_ms: in that serial run, the app's CPU
 *   per session up to the 200, and after it (paymentSessionPending, the voucher e-mail, the
 *   outbox bookkeeping).
 * - shopify_payment_session_cpu_ms: CPU time of the app process per payment session over the
 *   open-loop run until the outbox is drained, so it includes what runs after the 200 (the
 *   paymentSessionPending mutation, the voucher e-mail, the schedulers' rounds meanwhile).
 * - shopify_payment_session_statements: SQL statements the app sent per payment session over the
 *   same window (BEGIN and COMMIT counted); a breakdown by statement is printed.
 * - shopify_paid_to_resolve_p50_ms / _p99_ms: PagoEfectivo's paid notification entering the app
 *   (engine.ingestNotification, before verification) → paymentSessionResolve arriving at the
 *   Shopify stand-in (one loopback hop after it left the app), both stamped with
 *   performance.timeOrigin + now() (one clock for all processes of the machine); CIPs are paid
 *   one at a time.
 * - Suffix _pglite: the same with the app on embedded PGlite (the local default).
 *
 * On this 2-core VM the processes and PostgreSQL still share the cores with each other and with
 * whatever else runs, so wall-clock figures are noisy; CPU ms and statements per session are the
 * figures to compare changes by. BENCH_CPU_PROF=<dir> writes a CPU profile of every child (whole
 * life), BENCH_WINDOW_PROF=<dir> profiles of the app over the open-loop run and the serial run only;
 * BENCH_SHOPIFY_DB=pg|pglite picks the storage, BENCH_SHOPIFY_MEASURED the number of sessions.
 */
import { Agent } from "node:http";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { DEMO_MERCHANT } from "../apps/sandbox/src/index";
import type { DriverKind } from "../packages/engine/src/index";
import { round, startChild, type ChildHandle } from "./engine-bench-support";
import { keepAlivePost } from "./keep-alive-post";
import { percentile } from "./measure";

const RATE_PER_S = 100;
const WARMUP = 300;
const MEASURED: Record<DriverKind, number> = { pg: 1000, pglite: 500 };
const SERIAL = 100;
const PAID_SAMPLES = 60;
const SHOP = "bench-shop.myshopify.com";

interface Window {
  cpuMs: number;
  logLines: number;
  statements: number;
  transactions: number;
  kinds: Record<string, number>;
}

async function run(kind: DriverKind): Promise<Record<string, number>> {
  const sandbox = startChild("engine-sandbox-child.ts");
  const outside = startChild("shopify-outside-child.ts");
  const app = startChild("shopify-app-child.ts");
  const children: ChildHandle[] = [app, sandbox, outside];
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  try {
    const { url: sandboxUrl } = await sandbox.call<{ url: string }>("start");
    const { shopifyOrigin, smtpUrl } = await outside.call<{
      shopifyOrigin: string;
      smtpUrl: string;
    }>("start");
    const { url, notificationUrl } = await app.call<{ url: string; notificationUrl: string }>(
      "start",
      { kind, sandboxUrl, shopifyOrigin, smtpUrl, shop: SHOP },
    );
    const put = await fetch(`${sandboxUrl}/_sandbox/merchants/${DEMO_MERCHANT.idService}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ notificationUrl }),
    });
    if (!put.ok) throw new Error(`sandbox merchant: HTTP ${put.status}`);

    const target = new URL(`${url}/shopify/payment-session`);
    const headers = {
      "content-type": "application/json",
      "shopify-shop-domain": SHOP,
      "shopify-request-id": "bench",
      "shopify-api-version": "2026-07",
    };
    let n = 0;
    const runTag = Date.now().toString(36);
    const one = async (): Promise<{ ms: number; id: string; ok: boolean }> => {
      n += 1;
      const id = `bench${n}x${runTag}`;
      const body = JSON.stringify({
        id,
        gid: `gid://shopify/PaymentSession/${id}`,
        group: `g-${id}`,
        amount: "149.90",
        currency: "PEN",
        test: true,
        merchant_locale: "es",
        kind: "sale",
        proposed_at: new Date().toISOString(),
        payment_method: { type: "offsite", data: { cancel_url: `https://${SHOP}/checkouts/x` } },
        customer: { email: "rosa.quispe@example.pe", locale: "es-PE" },
      });
      const start = performance.now();
      const res = await keepAlivePost(agent, target, headers, body).catch(() => null);
      const ms = performance.now() - start;
      return { ms, id, ok: res?.status === 200 && res.text.includes("redirect_url") };
    };
    // Open loop: requests are launched on schedule regardless of earlier ones finishing.
    const openLoop = async (count: number) => {
      const started: Promise<{ ms: number; id: string; ok: boolean }>[] = [];
      const t0 = performance.now();
      for (let i = 0; i < count; i++) {
        const wait = t0 + (i * 1000) / RATE_PER_S - performance.now();
        if (wait > 0) await sleep(wait);
        started.push(one());
      }
      return Promise.all(started);
    };
    const idle = async () => {
      const { pending } = await app.call<{ pending: number }>("outboxIdle", { timeoutMs: 120_000 });
      if (pending) throw new Error(`${pending} outbox messages still pending`);
    };

    await openLoop(WARMUP);
    await idle();
    await app.call("profileStart");
    await Promise.all(children.map((c) => c.call("startWindow")));
    const measured = await openLoop(Number(process.env.BENCH_SHOPIFY_MEASURED) || MEASURED[kind]);
    await idle();
    const [w, sw, ow] = await Promise.all([
      app.call<Window>("endWindow"),
      sandbox.call<{ cpuMs: number }>("endWindow"),
      outside.call<{ cpuMs: number; mutations: number; mails: number }>("endWindow"),
    ]);
    await app.call("profileStop", { label: "open-loop" });
    const count = measured.length;
    const failures = measured.filter((r) => !r.ok).length;
    const latencies = measured.map((r) => r.ms).sort((a, b) => a - b);
    console.log(
      `  [${kind}] per session: app ${round(w.cpuMs / count)} ms CPU, ${round(w.statements / count)} statements, ` +
        `${round(w.transactions / count)} transactions, ${round(w.logLines / count)} log lines; sandbox ${round(sw.cpuMs / count)} ms CPU; ` +
        `${ow.mutations} mutations, ${ow.mails} mails`,
    );
    for (const [k, v] of Object.entries(w.kinds)) {
      console.log(
        `    ${round(v / count, 3)
          .toFixed(3)
          .padStart(7)}  ${k}`,
      );
    }

    // One session at a time, its deferred work (mutation, e-mail) finished before the next:
    // service time, and the app's CPU split at the 200. Marks are read over IPC, which costs
    // the app a little CPU itself: measured back to back and subtracted.
    const cpuNow = () => app.call<number>("cpuNow");
    let markCost = 0;
    for (let i = 0; i < 20; i++) markCost -= (await cpuNow()) - (await cpuNow());
    markCost /= 20;
    await app.call("profileStart");
    const serial: number[] = [];
    let requestCpu = 0;
    let afterCpu = 0;
    for (let i = 0; i < SERIAL; i++) {
      const before = await outside.call<{ mutations: number; mails: number }>("counts");
      const c0 = await cpuNow();
      const r = await one();
      const c1 = await cpuNow();
      for (;;) {
        const now = await outside.call<{ mutations: number; mails: number }>("counts");
        if (now.mutations > before.mutations && now.mails > before.mails) break;
        await sleep(2);
      }
      await sleep(20); // the outbox row marked delivered
      const c2 = await cpuNow();
      serial.push(r.ms);
      requestCpu += c1 - c0 - markCost;
      afterCpu += c2 - c1 - markCost;
    }
    await app.call("profileStop", { label: "serial" });
    serial.sort((a, b) => a - b);
    await idle();

    // Paid → resolve, one CIP at a time so each measurement is undisturbed.
    const sample = measured.filter((x) => x.ok).slice(0, PAID_SAMPLES);
    const cips = await app.call<Record<string, string | null>>("cips", {
      ids: sample.map((s) => s.id),
    });
    const paid: number[] = [];
    for (const s of sample) {
      const cip = cips[s.id];
      if (!cip) continue;
      const gid = `gid://shopify/PaymentSession/${s.id}`;
      const res = await fetch(`${sandboxUrl}/_sandbox/cips/${cip}/pay`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      if (!res.ok) throw new Error(`sandbox pay ${cip}: HTTP ${res.status}`);
      const deadline = Date.now() + 10_000;
      for (;;) {
        const b = await outside.call<number | null>("resolvedAt", { gid });
        if (b !== null) {
          const a = await app.call<number | null>("notifiedAt", { cip });
          if (a !== null) paid.push(b - a);
          break;
        }
        if (Date.now() > deadline) break;
        await sleep(5);
      }
    }
    paid.sort((a, b) => a - b);

    const sfx = kind === "pg" ? "" : `_${kind}`;
    return {
      [`shopify_payment_session_p50_ms${sfx}`]: round(percentile(latencies, 50), 1),
      [`shopify_payment_session_p99_ms${sfx}`]: round(percentile(latencies, 99), 1),
      [`shopify_payment_session_serial_p50_ms${sfx}`]: round(percentile(serial, 50), 1),
      [`shopify_payment_session_request_cpu_ms${sfx}`]: round(requestCpu / SERIAL),
      [`shopify_payment_session_after_2xx_cpu_ms${sfx}`]: round(afterCpu / SERIAL),
      [`shopify_payment_session_failures${sfx}`]: failures,
      [`shopify_payment_session_cpu_ms${sfx}`]: round(w.cpuMs / count),
      [`shopify_payment_session_statements${sfx}`]: round(w.statements / count),
      [`shopify_paid_to_resolve_p50_ms${sfx}`]: round(percentile(paid, 50), 1),
      [`shopify_paid_to_resolve_p99_ms${sfx}`]: round(percentile(paid, 99), 1),
      [`shopify_paid_to_resolve_samples${sfx}`]: paid.length,
    };
  } finally {
    agent.destroy();
    await Promise.allSettled(children.map((c) => c.call("close")));
    await Promise.all(children.map((c) => c.exit()));
  }
}

export default async function shopifyBench(): Promise<Record<string, number>> {
  const kinds = (process.env.BENCH_SHOPIFY_DB ?? "pg,pglite").split(",") as DriverKind[];
  const figures: Record<string, number> = {};
  for (const kind of kinds) Object.assign(figures, await run(kind));
  return figures;
}
