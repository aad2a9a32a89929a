/**
 * WooCommerce bridge, end to end over real HTTP on one machine: the bridge (PGlite in memory,
 * production schedulers), the PagoEfectivo sandbox and a minimal WooCommerce stand-in.
 *
 * - woocommerce_create_voucher_*: plugin-signed POST /plugin/v1/vouchers at a steady 100
 *   requests/s (open loop: requests are sent on schedule whether or not earlier ones finished),
 *   one new order each; latency = send → response. It INCLUDES the local sandbox's CIP creation
 *   (the target excludes PagoEfectivo; `woocommerce_sandbox_create_cip_p50_ms` shows
 *   what a bare sandbox round trip costs for comparison).
 * - woocommerce_paid_to_order_update_p50_ms: the sandbox sends cip.paid to the bridge (t0 =
 *   the notification request leaves the sandbox) → the WooCommerce stand-in receives the
 *   `PUT /orders/{id} {status: processing}` (t1). One payment at a time.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import {
  createKeyring,
  createLogger,
  createPgDatabase,
  createPgliteDatabase,
  getTenant,
  setTenantCredentials,
  type Database,
} from "../packages/engine/src/index";
import { DEMO_MERCHANT, startSandbox } from "../apps/sandbox/src/index";
import { loadConfig } from "../apps/woocommerce/src/config/index";
import { signPluginRequest } from "../apps/woocommerce/src/plugin-auth";
import { startBridge } from "../apps/woocommerce/src/wiring/bridge";
import { percentile } from "./measure";

const RATE = 100;
const SECONDS = 10;
const PAYMENTS = 40;

/**
 * PostgreSQL like production (BENCH_DATABASE_URL, default the test server), in a throw-away
 * database; BENCH_DATABASE=pglite measures the embedded single-connection mode instead.
 */
async function openBenchDatabase(): Promise<{ db: Database; drop(): Promise<void> }> {
  if (process.env.BENCH_DATABASE === "pglite") {
    const db = await createPgliteDatabase();
    return { db, drop: () => db.close() };
  }
  const url = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const name = `bench_${randomBytes(6).toString("hex")}`;
  const admin = async (sql: string) => {
    const c = createPgDatabase({ connectionString: url, max: 1 });
    try {
      await c.query(sql);
    } finally {
      await c.close();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const db = createPgDatabase({ connectionString: u.toString(), max: 10 });
  return {
    db,
    async drop() {
      await db.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

function fakeWoo(onPut: (orderId: number, body: Record<string, unknown>) => void) {
  const orders = new Map<number, Record<string, unknown>>();
  const order = (id: number) =>
    orders.get(id) ?? {
      id,
      status: "on-hold",
      currency: "PEN",
      total: "100.30",
      number: String(id),
      payment_method: "pagoefectivo",
      transaction_id: "",
      meta_data: [],
      refunds: [],
    };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://x").pathname.replace("/wp-json/wc/v3", "");
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(json));
      };
      const m = /^\/orders\/(\d+)(\/notes)?$/.exec(path);
      if (!m) return send(404, { code: "rest_no_route", message: "", data: { status: 404 } });
      const id = Number(m[1]);
      if (m[2]) return send(201, { id: 1, note: "", customer_note: false });
      const o = order(id);
      if (req.method === "PUT") {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
        Object.assign(o, { status: body.status, transaction_id: body.transaction_id ?? "" });
        orders.set(id, o);
        onPut(id, body);
      }
      send(200, o);
    });
  });
  return server;
}

export default async function woocommerceBench(): Promise<Record<string, number>> {
  const putAt = new Map<number, number>();
  const woo = fakeWoo((id, body) => {
    if (body.status === "processing") putAt.set(id, performance.now());
  });
  await new Promise<void>((r) => woo.listen(0, "127.0.0.1", r));
  const wooUrl = `http://127.0.0.1:${(woo.address() as AddressInfo).port}`;

  let notificationSentAt = 0;
  const sandbox = await startSandbox({
    port: 0,
    fetch: (input, init) => {
      notificationSentAt = performance.now();
      return fetch(input, init);
    },
  });
  const target = await openBenchDatabase();
  const db = target.db;
  const keyring = createKeyring({ keys: { k1: randomBytes(32) }, primary: "k1" });
  const bridge = await startBridge({
    config: loadConfig({ PORT: "0", PE_API_BASE_URL: sandbox.url, LOG_LEVEL: "silent" }),
    db,
    keyring,
    logger: createLogger({ name: "bench", level: "silent" }),
  });
  const storeId = await bridge.tenants.storeIdFor(wooUrl);
  const secret = randomBytes(32).toString("hex");
  await bridge.tenants.saveWooStore({
    storeId,
    storeUrl: wooUrl,
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
  await fetch(`${sandbox.url}/_sandbox/merchants/${DEMO_MERCHANT.idService}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      notificationUrl: `${bridge.url}/notifications/pagoefectivo/${tenant!.notificationToken}`,
    }),
  });

  let orderId = 100_000;
  async function createVoucher(): Promise<{ ms: number; cip: string; orderId: number }> {
    const id = ++orderId;
    const body = JSON.stringify({
      order_id: id,
      attempt: 1,
      order_number: String(id),
      amount: "100.30",
      currency: "PEN",
      email: "ana@example.pe",
    });
    const path = "/plugin/v1/vouchers";
    const headers = signPluginRequest({
      storeId,
      secret,
      method: "POST",
      path,
      body,
      timestamp: Math.floor(Date.now() / 1000),
    });
    const t0 = performance.now();
    const res = await fetch(`${bridge.url}${path}`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body,
    });
    const json = (await res.json()) as { cip?: string };
    const ms = performance.now() - t0;
    if (res.status !== 201 || !json.cip) throw new Error(`create failed: ${res.status}`);
    return { ms, cip: json.cip, orderId: id };
  }

  try {
    // Warm-up: JIT, PagoEfectivo token, connection pools.
    for (let i = 0; i < 30; i++) await createVoucher();
    // One at a time: the latency without queueing.
    const seq: number[] = [];
    for (let i = 0; i < 100; i++) seq.push((await createVoucher()).ms);
    seq.sort((a, b) => a - b);

    // Bare sandbox round trip (authorize once, then POST /v1/cips), for comparison.
    const { createPagoEfectivoClient, jsonDecimal } = await import("../packages/core/src/index");
    const pe = createPagoEfectivoClient({
      baseUrl: sandbox.url,
      idService: DEMO_MERCHANT.idService,
      accessKey: DEMO_MERCHANT.accessKey,
      secretKey: DEMO_MERCHANT.secretKey,
    });
    const peTimes: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t0 = performance.now();
      await pe.createCip({
        transactionCode: `bench${i}${Date.now()}`,
        amount: jsonDecimal(10030),
        currency: "PEN",
        userEmail: "ana@example.pe",
        paymentConcept: "Bench",
        dateExpiry: new Date(Date.now() + 86_400_000).toISOString(),
      } as never);
      if (i >= 10) peTimes.push(performance.now() - t0);
    }
    peTimes.sort((a, b) => a - b);

    // Open loop at RATE requests/s.
    const total = RATE * SECONDS;
    const pending: Array<Promise<{ ms: number }>> = [];
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pending.push(createVoucher());
    }
    const results = await Promise.allSettled(pending);
    const ok = results
      .filter((r): r is PromiseFulfilledResult<{ ms: number }> => r.status === "fulfilled")
      .map((r) => r.value.ms)
      .sort((a, b) => a - b);
    const failed = results.length - ok.length;

    // Let the outbox drain the load phase's voucher.pending messages first: this figure is
    // the steady-state lag, not the time to work through a backlog.
    const drainBy = Date.now() + 120_000;
    for (;;) {
      const { rows } = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM outbox WHERE status = 'pending'",
      );
      if (rows[0]!.n === 0 || Date.now() > drainBy) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    // Paid → order update, one payment at a time.
    const lags: number[] = [];
    for (let i = 0; i < PAYMENTS; i++) {
      const v = await createVoucher();
      await fetch(`${sandbox.url}/_sandbox/cips/${v.cip}/pay`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      const deadline = Date.now() + 10_000;
      while (!putAt.has(v.orderId) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 1));
      const t1 = putAt.get(v.orderId);
      if (t1 !== undefined) lags.push(t1 - notificationSentAt);
    }
    lags.sort((a, b) => a - b);

    const round = (n: number) => Math.round(n * 10) / 10;
    return {
      woocommerce_create_voucher_sequential_p50_ms: round(percentile(seq, 50)),
      woocommerce_create_voucher_p50_ms: round(percentile(ok, 50)),
      woocommerce_create_voucher_p99_ms: round(percentile(ok, 99)),
      woocommerce_create_voucher_failed: failed,
      woocommerce_create_voucher_rps: RATE,
      woocommerce_sandbox_create_cip_p50_ms: round(percentile(peTimes, 50)),
      woocommerce_paid_to_order_update_p50_ms: round(percentile(lags, 50)),
      woocommerce_paid_to_order_update_p99_ms: round(percentile(lags, 99)),
      woocommerce_paid_to_order_update_samples: lags.length,
    };
  } finally {
    await bridge.close();
    await target.drop();
    await sandbox.close();
    await new Promise<void>((r) => woo.close(() => r()));
  }
}
