/**
 * The whole Shopify app on a real database, against the local PagoEfectivo sandbox over HTTP,
 * with msw playing Shopify (Payments Apps GraphQL and the OAuth token endpoint). Schedulers are
 * off: tests run the outbox, expiry and refund work themselves, so "no mutation before the 2xx"
 * holds by construction and can be asserted.
 */
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import type { Clock } from "@pe-pay/core";
import {
  createLogger,
  getVoucher,
  updateSettings,
  type Database,
  type VoucherView,
} from "@pe-pay/engine";
import { DEMO_MERCHANT, startSandbox, type RunningSandbox } from "../../sandbox/src/index";
import { testKeyring } from "../../../packages/engine/test/support/databases";
import { computeWebhookHmac } from "../src/webhooks/hmac";
import { memoryTransport } from "../src/mail/transport";
import { startShopifyServer, type RunningShopify } from "../src/wiring/server";
import { fixture, SECRET, testRuntimeConfig } from "./helpers";

export const APP_URL = "https://pay.pe-pay.test";
export const API_VERSION = "2026-07";

export function offsetClock(): Clock & { offsetMs: number } {
  const c = { offsetMs: 0, now: () => new Date(Date.now() + c.offsetMs) };
  return c;
}

export interface RecordedMutation {
  shop: string;
  name: string;
  variables: Record<string, unknown>;
  token: string | null;
  at: number;
}

/** msw handlers for every shop: records each mutation, answers success. */
export function fakeShopify() {
  const mutations: RecordedMutation[] = [];
  const thankYou = (shop: string, gid: string) =>
    `https://${shop}/checkouts/thank-you/${encodeURIComponent(gid.split("/").pop()!)}`;
  const server = setupServer(
    http.post(
      `https://:shop/payments_apps/api/${API_VERSION}/graphql.json`,
      async ({ request, params }) => {
        const shop = String(params.shop);
        const body = (await request.json()) as {
          query: string;
          variables: Record<string, unknown>;
        };
        const name = /mutation\s+(\w+)/.exec(body.query)?.[1] ?? "unknown";
        const field = name.charAt(0).toLowerCase() + name.slice(1);
        mutations.push({
          shop,
          name: field,
          variables: body.variables,
          token: request.headers.get("x-shopify-access-token"),
          at: Date.now(),
        });
        const id = String(body.variables.id ?? "");
        const payload: Record<string, unknown> = { userErrors: [] };
        if (field.startsWith("paymentSession")) {
          payload.paymentSession = {
            id,
            state: { code: "PENDING" },
            nextAction: { action: "REDIRECT", context: { redirectUrl: thankYou(shop, id) } },
          };
        } else if (field.startsWith("refundSession")) {
          payload.refundSession = { id, state: { code: "RESOLVED" } };
        } else {
          payload.paymentsAppConfiguration = {
            externalHandle: body.variables.externalHandle ?? null,
            ready: body.variables.ready,
          };
        }
        return HttpResponse.json({ data: { [field]: payload } });
      },
    ),
    http.post("https://:shop/admin/oauth/access_token", async ({ request }) => {
      const body = (await request.json()) as { code?: string; client_secret?: string };
      if (body.client_secret !== SECRET || body.code !== "good-code") {
        return HttpResponse.json({ error: "invalid_request" }, { status: 400 });
      }
      return HttpResponse.json({
        access_token: `shpat_${randomBytes(8).toString("hex")}`,
        scope: "write_payment_gateways,write_payment_sessions",
      });
    }),
  );
  return {
    server,
    mutations,
    thankYou,
    of: (name: string) => mutations.filter((m) => m.name === name),
  };
}

export function silentLogger() {
  if (process.env.SHOPIFY_TEST_LOG) return createLogger({ name: "shopify-test", level: "debug" });
  return createLogger({
    name: "shopify-test",
    level: "warn",
    destination: new Writable({ write: (_c, _e, cb) => cb() }),
  });
}

export interface AppHarness {
  app: RunningShopify;
  sandbox: RunningSandbox;
  clock: ReturnType<typeof offsetClock>;
  mail: ReturnType<typeof memoryTransport>;
  /** Installs a shop (as the OAuth callback would), with the sandbox demo credentials. */
  install(shop?: string): Promise<{ tenantId: string; shop: string; notificationToken: string }>;
  control(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** A payment session posted for `shop` (answered 200) and the voucher it created. */
  startPayment(
    shop: string,
    tenantId: string,
    overrides?: Record<string, unknown>,
  ): Promise<{
    body: ReturnType<typeof paymentSessionBody>;
    res: Awaited<ReturnType<typeof postJson>>;
    voucher: VoucherView;
  }>;
  /**
   * A payment (S/ 149.90) whose CIP was delivered to Shopify; `paid`: paid at the sandbox and
   * that delivered too. Resolves to its payment session id.
   */
  payment(shop: string, tenantId: string, paid: boolean): Promise<string>;
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function startAppHarness(
  db: Database,
  env: Record<string, string> = {},
): Promise<AppHarness> {
  const clock = offsetClock();
  const sandbox = await startSandbox({
    // Its own clock: time is moved with PUT /_sandbox/clock (which also sweeps expired CIPs).
    port: 0,
    expirySweepMs: 0,
    notificationRetry: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 100 },
  });
  const mail = memoryTransport();
  const config = testRuntimeConfig({ APP_URL, PE_API_BASE_URL: sandbox.url, ...env });
  const app = await startShopifyServer({
    config,
    db,
    keyring: testKeyring(),
    clock,
    logger: silentLogger(),
    mail,
    schedulers: false,
    graphql: { sleep: async () => {}, baseDelayMs: 1, maxDelayMs: 2 },
    peRetry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
  });
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  };
  const startPayment: AppHarness["startPayment"] = async (shop, tenantId, overrides = {}) => {
    const body = paymentSessionBody(overrides);
    const res = await postJson(`${app.url}/shopify/payment-session`, body, sessionHeaders(shop));
    expect(res.status).toBe(200);
    const voucher = await app.engine.getVoucherByIdempotencyKey(tenantId, body.id);
    return { body, res, voucher: voucher! };
  };
  return {
    app,
    sandbox,
    clock,
    mail,
    control,
    startPayment,
    async payment(shop, tenantId, paid) {
      const { body, voucher } = await startPayment(shop, tenantId);
      await app.dispatcher.runOnce();
      if (paid) {
        expect((await control("POST", `/_sandbox/cips/${voucher.cip}/pay`, {})).status).toBe(200);
        await eventually(async () => (await getVoucher(db, voucher.id))?.status === "paid");
        await app.dispatcher.runOnce();
      }
      return body.id;
    },
    async install(shop = `shop-${randomBytes(4).toString("hex")}.myshopify.com`) {
      const t = await app.shops.upsertShopifyTenant({
        shopDomain: shop,
        accessToken: `shpat_${randomBytes(8).toString("hex")}`,
        scope: "write_payment_gateways,write_payment_sessions",
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
      await updateSettings(db, t.tenantId, {
        creditNotePolicy: "series",
        creditNoteSeries: "F001",
      });
      const { rows } = await db.query<{ notification_token: string }>(
        "SELECT notification_token FROM tenants WHERE id = $1",
        [t.tenantId],
      );
      const notificationToken = rows[0]!.notification_token;
      await control("PUT", `/_sandbox/merchants/${DEMO_MERCHANT.idService}`, {
        notificationUrl: `${app.url}/notifications/pagoefectivo/${notificationToken}`,
      });
      return { tenantId: t.tenantId, shop, notificationToken };
    },
    async advance(ms) {
      clock.offsetMs += ms;
      await control("PUT", "/_sandbox/clock", { offsetMs: clock.offsetMs });
    },
    async close() {
      await app.close();
      await sandbox.close();
    },
  };
}

let sessionCounter = 0;

/** A payment session request body with unique id/gid/group. */
export function paymentSessionBody(overrides: Record<string, unknown> = {}): Record<
  string,
  unknown
> & {
  id: string;
  gid: string;
} {
  sessionCounter += 1;
  const id = `ps${process.pid}x${Date.now().toString(36)}x${sessionCounter}`;
  const base = fixture<Record<string, unknown>>("payment-session.request.json");
  return {
    ...base,
    id,
    gid: `gid://shopify/PaymentSession/${id}`,
    group: `group-${id}`,
    ...overrides,
  };
}

export function refundSessionBody(paymentId: string, amount: string, id?: string) {
  sessionCounter += 1;
  const rid = id ?? `rs${process.pid}x${Date.now().toString(36)}x${sessionCounter}`;
  return {
    id: rid,
    gid: `gid://shopify/RefundSession/${rid}`,
    payment_id: paymentId,
    amount,
    currency: "PEN",
    test: true,
    merchant_locale: "en",
    proposed_at: "2026-03-14T15:04:05Z",
  };
}

export function sessionHeaders(shop: string): Record<string, string> {
  return {
    "Content-Type": "application/json",
    "Shopify-Shop-Domain": shop,
    "Shopify-Request-Id": `req-${randomBytes(6).toString("hex")}`,
    "Shopify-Api-Version": API_VERSION,
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string>) {
  const res = await fetch(url, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, json, text };
}

/** Signed compliance / uninstall webhook. */
export async function postWebhook(
  baseUrl: string,
  path: string,
  topic: string,
  shop: string,
  payload: unknown,
  webhookId = `wh-${randomBytes(6).toString("hex")}`,
) {
  const raw = Buffer.from(JSON.stringify(payload));
  return fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": topic,
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-Webhook-Id": webhookId,
      "X-Shopify-Hmac-Sha256": computeWebhookHmac(raw, SECRET),
    },
    body: raw,
  });
}

export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
