import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { ConflictError, fixedClock } from "@pe-pay/core";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { createWooBridgeApp } from "../src/http/app";
import {
  InMemoryPendingAuthorizations,
  InMemoryReplayGuard,
  InMemoryTenantStore,
} from "../src/memory";
import { signPluginRequest } from "../src/plugin-auth";
import { createWcAuthFlow } from "../src/wc-auth";
import { WooClient } from "../src/woo-client/client";
import { wooWebhookSignature } from "../src/webhooks/signature";
import type { BridgeEngine, OrderVoucherLookup, WooStoreRecord } from "../src/ports";
import type { CreateVoucherCommand, RequestRefundCommand } from "../src/engine-ports";
import { API, STORE, fixtureBytes, fixtureJson, noSleepRetry, voucher } from "./support/woo-fakes";

const NOW = new Date("2025-03-14T15:22:40Z");
const clock = fixedClock(NOW);
const KEY = Buffer.alloc(32, 7);
const store: WooStoreRecord = {
  storeId: "wc_store1",
  storeUrl: STORE,
  consumerKey: "ck_x",
  consumerSecret: "cs_x",
  keyId: 14,
  webhookSecret: "pe_whsec_7Qm2Vx9LkR4tZ8bN3cHs6Jd1Fw5Gy0Ua",
  webhookId: 7,
  pluginSecret: "plugin-secret-1",
  connectedAt: NOW,
};

const engine = {
  createVoucher: jest.fn(async (cmd: CreateVoucherCommand) =>
    voucher({ tenantId: cmd.tenantId, amount: cmd.amount }),
  ),
  cancelVoucher: jest.fn(async () => voucher({ status: "cancelled" })),
  requestRefund: jest.fn(async (cmd: RequestRefundCommand) => ({
    id: "rf_1",
    voucherId: "vch_1",
    platformRefundId: cmd.platformRefundId,
    status: "requested" as const,
    amount: cmd.amount,
    failureReason: null,
  })),
  getVoucherByIdempotencyKey: jest.fn(async () => null),
} satisfies BridgeEngine;
const vouchers = {
  latestVoucherForOrder: jest.fn(async (_t: string, orderId: number) =>
    orderId === 4821 ? voucher() : null,
  ),
} satisfies OrderVoucherLookup;

const tenants = new InMemoryTenantStore(KEY);
const pending = new InMemoryPendingAuthorizations();
let n = 0;
const wcAuth = createWcAuthFlow({
  publicUrl: "https://bridge.example.pe",
  appName: "PagoEfectivo",
  stateTtlSeconds: 1800,
  pending,
  tenants,
  clock,
  wooClientFor: (c) => new WooClient({ ...c, retry: noSleepRetry }),
  siteNameOf: async (url) => (url === STORE ? "Bodega Rosa" : null),
  randomToken: (bytes) => (++n).toString(16).padStart(bytes * 2, "0"),
});
const app = createWooBridgeApp({
  engine,
  vouchers,
  tenants,
  replayGuard: new InMemoryReplayGuard(clock),
  wcAuth,
  clock,
  voucherPageUrl: (t) => `https://bridge.example.pe/v/${t}`,
});

const msw = setupServer();
let server: Server;
let base: string;
beforeAll(async () => {
  msw.listen({ onUnhandledRequest: "bypass" });
  await tenants.saveWooStore(store);
  server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  msw.resetHandlers();
  jest.clearAllMocks();
});
afterAll(async () => {
  msw.close();
  await new Promise((r) => server.close(r));
});

let nonce = 0;
function signed(
  method: string,
  path: string,
  body = "",
  opts: { secret?: string; nonce?: string; ts?: number } = {},
) {
  const headers = signPluginRequest({
    storeId: "wc_store1",
    secret: opts.secret ?? store.pluginSecret,
    method,
    path,
    body,
    timestamp: opts.ts ?? Math.floor(NOW.getTime() / 1000),
    nonce: opts.nonce ?? `nonce-${String(++nonce).padStart(12, "0")}`,
  });
  return fetch(`${base}${path}`, {
    method,
    headers: { ...headers, "content-type": "application/json" },
    ...(method === "GET" ? {} : { body }),
    redirect: "manual",
  });
}
const voucherBody = (o: Record<string, unknown> = {}) =>
  JSON.stringify({
    order_id: 4821,
    attempt: 1,
    order_number: "4821",
    amount: "100.30",
    currency: "PEN",
    email: "mariajose.quispe@example.pe",
    first_name: "María José",
    ...o,
  });

describe("plugin API", () => {
  test("POST /plugin/v1/vouchers creates the voucher, idempotent on store:order:attempt", async () => {
    const res = await signed("POST", "/plugin/v1/vouchers", voucherBody());
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      cip: "2875319",
      amount: "100.30",
      currency: "PEN",
      voucher_url: "https://bridge.example.pe/v/tok_abc",
      expires_at: "2025-03-15T15:22:35.000Z",
    });
    expect(engine.createVoucher).toHaveBeenCalledWith(
      expect.objectContaining({
        tenantId: "wc_store1",
        idempotencyKey: "wc_store1:4821:1",
        groupKey: "4821",
        amount: { minor: 10030, currency: "PEN" },
        platformData: { orderId: 4821, attempt: 1 },
      }),
    );
  });

  test.each([
    ["malformed JSON", "{oops"],
    ["missing email", voucherBody({ email: undefined })],
    ["float amount", voucherBody({ amount: 100.3 })],
    ["three decimals", voucherBody({ amount: "100.301" })],
    ["unsupported currency", voucherBody({ currency: "EUR" })],
  ])("%s → 400 with issues, engine not called", async (_name, body) => {
    const res = await signed("POST", "/plugin/v1/vouchers", body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "validation_error" });
    expect(engine.createVoucher).not.toHaveBeenCalled();
  });

  test("bad signature, replay, stale timestamp, no headers → 401, engine not called", async () => {
    expect(
      (await signed("POST", "/plugin/v1/vouchers", voucherBody(), { secret: "wrong" })).status,
    ).toBe(401);
    expect(
      (
        await signed("POST", "/plugin/v1/vouchers", voucherBody(), {
          ts: Math.floor(NOW.getTime() / 1000) - 301,
        })
      ).status,
    ).toBe(401);
    expect(
      (await fetch(`${base}/plugin/v1/vouchers`, { method: "POST", body: voucherBody() })).status,
    ).toBe(401);
    const first = await signed("POST", "/plugin/v1/vouchers", voucherBody(), {
      nonce: "replayed-nonce-000001",
    });
    expect(first.status).toBe(201);
    const again = await signed("POST", "/plugin/v1/vouchers", voucherBody(), {
      nonce: "replayed-nonce-000001",
    });
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual({ code: "invalid_signature", reason: "replayed" });
    expect(engine.createVoucher).toHaveBeenCalledTimes(1);
  });

  test("GET /plugin/v1/vouchers/:orderId → voucher, 404 when none, 400 for a bad id", async () => {
    expect((await signed("GET", "/plugin/v1/vouchers/4821")).status).toBe(200);
    expect((await signed("GET", "/plugin/v1/vouchers/99")).status).toBe(404);
    expect((await signed("GET", "/plugin/v1/vouchers/abc")).status).toBe(400);
  });

  test("POST /plugin/v1/refunds → 202 pending; an engine refusal → 409 with the exact reason", async () => {
    const body = JSON.stringify({
      order_id: 4821,
      wc_refund_id: 4833,
      amount: "18.50",
      currency: "PEN",
      reason: "Producto agotado",
    });
    const ok = await signed("POST", "/plugin/v1/refunds", body);
    expect(ok.status).toBe(202);
    expect(engine.requestRefund).toHaveBeenCalledWith(
      expect.objectContaining({
        platformRefundId: "4833",
        voucher: { voucherId: "vch_1" },
        amount: { minor: 1850, currency: "PEN" },
      }),
    );
    engine.requestRefund.mockRejectedValueOnce(
      new ConflictError("above balance", {
        merchantMessage: "El monto supera el saldo reembolsable.",
      }),
    );
    const refused = await signed("POST", "/plugin/v1/refunds", body);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({
      merchant_message: "El monto supera el saldo reembolsable.",
    });
  });
});

describe("webhook route", () => {
  test("signed fixture delivery → 200; ping → 200; tampered → 401", async () => {
    const headers = fixtureJson<Record<string, string>>("webhook.order-updated.headers.json");
    delete headers["Content-Length"];
    const post = (body: Uint8Array, h: Record<string, string>) =>
      fetch(`${base}/webhooks/woocommerce/wc_store1`, {
        method: "POST",
        body: new Uint8Array(body),
        headers: h,
      });
    expect((await post(fixtureBytes("webhook.order-updated.body.json"), headers)).status).toBe(200);
    const ping = await post(fixtureBytes("webhook.ping.body.txt"), {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(ping.status).toBe(200);
    const tampered = Buffer.from(
      fixtureBytes("webhook.order-updated.body.json").toString().replace("4821", "4822"),
    );
    expect((await post(tampered, headers)).status).toBe(401);
    const cancelled = Buffer.from(
      fixtureBytes("webhook.order-updated.body.json")
        .toString()
        .replace('"status":"processing"', '"status":"cancelled"'),
    );
    expect(
      (
        await post(cancelled, {
          ...headers,
          "X-WC-Webhook-Signature": wooWebhookSignature(cancelled, store.webhookSecret),
        })
      ).status,
    ).toBe(200);
    expect(engine.cancelVoucher).toHaveBeenCalledWith({
      tenantId: "wc_store1",
      voucherId: "vch_1",
      reason: "admin_cancelled",
    });
  });
});

describe("wc-auth connection flow", () => {
  /** start → callback for STORE with msw as WooCommerce; what the bridge sent to /webhooks. */
  async function connect(newWebhookId: number, onDelete: (id: number) => Response | object) {
    const start = await fetch(
      `${base}/wc-auth/v1/start?store_url=${encodeURIComponent(STORE)}&return_url=${encodeURIComponent(`${STORE}/wp-admin/admin-post.php?action=pagoefectivo_connected`)}`,
      { redirect: "manual" },
    );
    const state = new URL(start.headers.get("location")!).searchParams.get("user_id")!;
    const calls: string[] = [];
    msw.use(
      http.get(`${API}/orders`, () => HttpResponse.json([])),
      http.post(`${API}/webhooks`, () => {
        calls.push(`POST /webhooks`);
        return HttpResponse.json(
          { id: newWebhookId, status: "active", topic: "order.updated" },
          { status: 201 },
        );
      }),
      http.delete(`${API}/webhooks/:id`, ({ params, request }) => {
        calls.push(
          `DELETE /webhooks/${String(params.id)}?${new URL(request.url).searchParams.get("force") === "true" ? "force" : ""}`,
        );
        const answer = onDelete(Number(params.id));
        return answer instanceof Response ? answer : HttpResponse.json(answer);
      }),
    );
    const cb = await fetch(`${base}/wc-auth/v1/callback`, {
      method: "POST",
      body: JSON.stringify({
        ...fixtureJson("wc-auth.callback.json"),
        user_id: state,
      }),
    });
    return { status: cb.status, calls };
  }

  test("a reconnect deletes the previous order.updated webhook after creating the new one", async () => {
    const gone = (id: number) => ({ id, status: "active", topic: "order.updated" });
    const first = await connect(21, gone);
    expect(first.status).toBe(200);
    const storeId = await tenants.storeIdFor(STORE);
    expect((await tenants.getWooStore(storeId))?.webhookId).toBe(21);

    const again = await connect(22, gone);
    expect(again).toEqual({
      status: 200,
      calls: ["POST /webhooks", "DELETE /webhooks/21?force"],
    });
    expect((await tenants.getWooStore(storeId))?.webhookId).toBe(22);

    // Already deleted by the merchant: 404 is done.
    const notFound = await connect(23, () =>
      HttpResponse.json(
        {
          code: "woocommerce_rest_webhook_invalid_id",
          message: "ID no válido.",
          data: { status: 404 },
        },
        { status: 404 },
      ),
    );
    expect(notFound).toEqual({
      status: 200,
      calls: ["POST /webhooks", "DELETE /webhooks/22?force"],
    });

    // Refused: the connection still succeeds (WooCommerce would drop the new keys otherwise).
    const refused = await connect(24, () =>
      HttpResponse.json(
        { code: "woocommerce_rest_cannot_delete", message: "No.", data: { status: 403 } },
        { status: 403 },
      ),
    );
    expect(refused.status).toBe(200);
    expect(refused.calls).toEqual(["POST /webhooks", "DELETE /webhooks/23?force"]);
    expect((await tenants.getWooStore(storeId))?.webhookId).toBe(24);
  });

  test("start → authorize URL, callback stores keys + creates webhook (exactly 200), return → claim → secret", async () => {
    const pluginReturn = `${STORE}/wp-admin/admin-post.php?action=pagoefectivo_connected&_wpnonce=abc`;
    const start = await fetch(
      `${base}/wc-auth/v1/start?store_url=${encodeURIComponent(STORE)}&return_url=${encodeURIComponent(pluginReturn)}`,
      { redirect: "manual" },
    );
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get("location")!);
    expect(authorize.origin + authorize.pathname).toBe(`${STORE}/wc-auth/v1/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toEqual({
      app_name: "PagoEfectivo",
      scope: "read_write",
      user_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      return_url: "https://bridge.example.pe/wc-auth/v1/return",
      callback_url: "https://bridge.example.pe/wc-auth/v1/callback",
    });
    const state = authorize.searchParams.get("user_id")!;

    let webhookBody: Record<string, unknown> | undefined;
    msw.use(
      http.get(`${API}/orders`, () => HttpResponse.json([])),
      // The store was connected by the test above: its previous webhook is deleted.
      http.delete(`${API}/webhooks/:id`, ({ params }) =>
        HttpResponse.json({ id: Number(params.id), status: "active", topic: "order.updated" }),
      ),
      http.post(`${API}/webhooks`, async ({ request }) => {
        webhookBody = (await request.json()) as Record<string, unknown>;
        return HttpResponse.json(
          { id: 7, status: "active", topic: "order.updated" },
          { status: 201 },
        );
      }),
    );
    const callbackBody = {
      ...fixtureJson<{ consumer_key: string; consumer_secret: string }>("wc-auth.callback.json"),
      user_id: state,
    };
    const cb = await fetch(`${base}/wc-auth/v1/callback`, {
      method: "POST",
      body: JSON.stringify(callbackBody),
      headers: { "content-type": "application/json;charset=UTF-8" },
    });
    expect(cb.status).toBe(200);
    expect(webhookBody).toMatchObject({
      topic: "order.updated",
      status: "active",
      secret: expect.stringMatching(/^[A-Za-z0-9]+$/),
      delivery_url: expect.stringMatching(
        /^https:\/\/bridge\.example\.pe\/webhooks\/woocommerce\/wc_/,
      ),
    });

    // The same callback again (or any unknown state) is refused so WooCommerce deletes the key.
    expect(
      (
        await fetch(`${base}/wc-auth/v1/callback`, {
          method: "POST",
          body: JSON.stringify(callbackBody),
        })
      ).status,
    ).toBe(400);
    expect(
      (await fetch(`${base}/wc-auth/v1/callback`, { method: "POST", body: "{}" })).status,
    ).toBe(400);

    const back = await fetch(`${base}/wc-auth/v1/return?success=1&user_id=${state}`, {
      redirect: "manual",
    });
    expect(back.status).toBe(302);
    const location = new URL(back.headers.get("location")!);
    expect(location.searchParams.get("_wpnonce")).toBe("abc");
    const claimCode = location.searchParams.get("pe_claim")!;
    const claim = await fetch(`${base}/wc-auth/v1/claim`, {
      method: "POST",
      body: JSON.stringify({ claim: claimCode }),
    });
    const creds = (await claim.json()) as { store_id: string; shared_secret: string };
    expect(creds.store_id).toMatch(/^wc_/);
    const saved = await tenants.getWooStore(creds.store_id);
    expect(saved).toMatchObject({
      consumerKey: callbackBody.consumer_key,
      pluginSecret: creds.shared_secret,
      webhookId: 7,
    });
    // The name shoppers see on the voucher page: the site's, read at connect time.
    expect(tenants.displayNames.get(creds.store_id)).toBe("Bodega Rosa");
    expect(JSON.stringify(tenants.rawRow(creds.store_id))).not.toContain(
      callbackBody.consumer_secret,
    );
    expect(
      (
        await fetch(`${base}/wc-auth/v1/claim`, {
          method: "POST",
          body: JSON.stringify({ claim: claimCode }),
        })
      ).status,
    ).toBe(404);
  });

  test("a return_url on another host is refused (no open redirect)", async () => {
    const res = await fetch(
      `${base}/wc-auth/v1/start?store_url=${encodeURIComponent(STORE)}&return_url=${encodeURIComponent("https://evil.example/x")}`,
      { redirect: "manual" },
    );
    expect(res.status).toBe(400);
  });

  test("keys that fail the verification GET → 400", async () => {
    const { state } = await wcAuth.start({
      storeUrl: STORE,
      pluginReturnUrl: `${STORE}/wp-admin/x`,
    });
    msw.use(
      http.get(`${API}/orders`, () =>
        HttpResponse.json(
          { code: "woocommerce_rest_authentication_error", message: "x", data: { status: 401 } },
          { status: 401 },
        ),
      ),
    );
    const res = await fetch(`${base}/wc-auth/v1/callback`, {
      method: "POST",
      body: JSON.stringify({ ...fixtureJson("wc-auth.callback.json"), user_id: state }),
    });
    expect(res.status).toBe(400);
  });
});

test("unknown route → 404 JSON", async () => {
  expect((await fetch(`${base}/nope`)).status).toBe(404);
});
