/**
 * Shopify app latency, everything local and over real HTTP: the app (embedded PGlite, the local
 * default), the PagoEfectivo sandbox (~0 latency of its own) and a stand-in for Shopify's
 * Payments Apps GraphQL endpoint. Schedulers and outbox nudges run as in production.
 *
 * - shopify_payment_session_p99_ms: open loop at 100 requests/s (a new request every 10 ms,
 *   whether or not earlier ones finished), each a new payment session → CIP created in the
 *   sandbox → 200 with redirect_url. Latency = request sent → response body read.
 * - shopify_paid_to_resolve_p50_ms: PagoEfectivo's paid notification entering the app (the
 *   engine's ingestNotification is wrapped to timestamp it) → paymentSessionResolve arriving at
 *   the Shopify stand-in. Same process, same monotonic clock.
 *
 * Everything shares one process (and one CPU): the sandbox, the load generator and the app. In
 * that setting the request path saturates well below 100 requests/s (see the p50), so the p99
 * at 100/s is queueing time, not service time — reported as measured.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { Writable } from "node:stream";
import { DEMO_MERCHANT, startSandbox } from "../apps/sandbox/src/index";
import { loadRuntimeConfig } from "../apps/shopify/src/config/runtime";
import { memoryTransport } from "../apps/shopify/src/mail/transport";
import { startShopifyServer } from "../apps/shopify/src/wiring/server";
import {
  createKeyring,
  createLogger,
  createPgliteDatabase,
  updateSettings,
} from "../packages/engine/src/index";
import { percentile } from "./measure";

const RATE_PER_S = 100;
const WARMUP = 50;
const MEASURED = 500;
const PAID_SAMPLES = 60;

async function fakeShopify(onResolve: (gid: string, at: number) => void) {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        query: string;
        variables: { id?: string };
      };
      const name = /mutation\s+(\w+)/.exec(body.query)?.[1] ?? "";
      const field = name.charAt(0).toLowerCase() + name.slice(1);
      if (field === "paymentSessionResolve" && body.variables.id) onResolve(body.variables.id, at);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          data: {
            [field]: {
              paymentSession: { id: body.variables.id, nextAction: null },
              userErrors: [],
            },
          },
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export default async function shopifyBench(): Promise<Record<string, number>> {
  const resolvedAt = new Map<string, number>();
  const shopify = await fakeShopify((gid, at) => {
    if (!resolvedAt.has(gid)) resolvedAt.set(gid, at);
  });
  const sandbox = await startSandbox({ port: 0, expirySweepMs: 0 });
  const db = await createPgliteDatabase();
  const config = loadRuntimeConfig({
    SHOPIFY_API_KEY: "bench-client-id",
    SHOPIFY_API_SECRET: "bench-secret",
    SHOPIFY_API_ORIGIN: shopify.origin,
    APP_URL: "https://pay.bench.test",
    MTLS_MODE: "off",
    PORT: "0",
    PE_API_BASE_URL: sandbox.url,
    OUTBOX_INTERVAL_MS: "1000",
  });
  const app = await startShopifyServer({
    config,
    db,
    keyring: createKeyring({ keys: { b: Buffer.alloc(32, 3) }, primary: "b" }),
    logger: createLogger({
      name: "bench",
      level: "error",
      destination: new Writable({ write: (_c, _e, cb) => cb() }),
    }),
    mail: memoryTransport(),
  });
  const shop = "bench-shop.myshopify.com";
  const t = await app.shops.upsertShopifyTenant({
    shopDomain: shop,
    accessToken: "shpat_bench",
    scope: "write_payment_sessions",
  });
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
  await updateSettings(db, t.tenantId, { creditNotePolicy: "series", creditNoteSeries: "F001" });
  const { rows } = await db.query<{ notification_token: string }>(
    "SELECT notification_token FROM tenants WHERE id = $1",
    [t.tenantId],
  );
  await fetch(`${sandbox.url}/_sandbox/merchants/${DEMO_MERCHANT.idService}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      notificationUrl: `${app.url}/notifications/pagoefectivo/${rows[0]!.notification_token}`,
    }),
  });

  let n = 0;
  const session = () => {
    n += 1;
    const id = `bench${n}x${Date.now().toString(36)}`;
    return {
      id,
      body: JSON.stringify({
        id,
        gid: `gid://shopify/PaymentSession/${id}`,
        group: `g-${id}`,
        amount: "149.90",
        currency: "PEN",
        test: true,
        merchant_locale: "es",
        kind: "sale",
        proposed_at: new Date().toISOString(),
        payment_method: { type: "offsite", data: { cancel_url: `https://${shop}/checkouts/x` } },
        customer: { email: "rosa.quispe@example.pe", locale: "es-PE" },
      }),
    };
  };
  const headers = {
    "content-type": "application/json",
    "shopify-shop-domain": shop,
    "shopify-request-id": "bench",
    "shopify-api-version": "2026-07",
  };
  const one = async (): Promise<{ ms: number; id: string; ok: boolean }> => {
    const s = session();
    const start = performance.now();
    const res = await fetch(`${app.url}/shopify/payment-session`, {
      method: "POST",
      headers,
      body: s.body,
    });
    await res.text();
    return { ms: performance.now() - start, id: s.id, ok: res.status === 200 };
  };

  // Open loop: requests are launched on schedule regardless of earlier ones finishing.
  const run = async (count: number) => {
    const started: Promise<{ ms: number; id: string; ok: boolean }>[] = [];
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      const due = t0 + (i * 1000) / RATE_PER_S;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      started.push(one());
    }
    return Promise.all(started);
  };
  await run(WARMUP);
  const measured = await run(MEASURED);
  const failures = measured.filter((r) => !r.ok).length;
  const latencies = measured.map((r) => r.ms).sort((a, b) => a - b);

  // Paid → resolve: pay CIPs one at a time so each measurement is undisturbed.
  const notifiedAt = new Map<string, number>();
  const ingest = app.engine.ingestNotification.bind(app.engine);
  app.engine.ingestNotification = async (req) => {
    const at = performance.now();
    try {
      const cip = String(
        (JSON.parse(Buffer.from(req.rawBody).toString("utf8")) as { data?: { cip?: unknown } }).data
          ?.cip ?? "",
      );
      if (!notifiedAt.has(cip)) notifiedAt.set(cip, at);
    } catch {
      // not JSON: not ours to time
    }
    return ingest(req);
  };
  const paidDurations: number[] = [];
  for (const r of measured.filter((x) => x.ok).slice(0, PAID_SAMPLES)) {
    const v = (await app.engine.getVoucherByIdempotencyKey(t.tenantId, r.id))!;
    const gid = `gid://shopify/PaymentSession/${r.id}`;
    await fetch(`${sandbox.url}/_sandbox/cips/${v.cip}/pay`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    const deadline = Date.now() + 10_000;
    while (!resolvedAt.has(gid) && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 2));
    }
    const a = notifiedAt.get(v.cip!);
    const b = resolvedAt.get(gid);
    if (a !== undefined && b !== undefined) paidDurations.push(b - a);
  }
  paidDurations.sort((a, b) => a - b);

  await app.close();
  await sandbox.close();
  await db.close();
  await new Promise<void>((r) => shopify.server.close(() => r()));

  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    shopify_payment_session_p50_ms: round(percentile(latencies, 50)),
    shopify_payment_session_p99_ms: round(percentile(latencies, 99)),
    shopify_payment_session_failures: failures,
    shopify_paid_to_resolve_p50_ms: round(percentile(paidDurations, 50)),
    shopify_paid_to_resolve_p99_ms: round(percentile(paidDurations, 99)),
    shopify_paid_to_resolve_samples: paidDurations.length,
  };
}
