/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are walked dynamically in assertions */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningDemoStore } from "../src";
import { pluginHeaders, webhookSignature } from "../src";
import { addKey, basic, form, startReceiver, startStore, type Receiver } from "./helpers";

const WEBHOOK_SECRET = "pe_whsec_7Qm2Vx9LkR4tZ8bN3cHs6Jd1Fw5Gy0Ua";
const PLUGIN_SECRET = "a3f1c9e27b5d4086f1e2d3c4b5a69788a3f1c9e27b5d4086f1e2d3c4b5a69788";

let bridge: Receiver;
let store: RunningDemoStore;
let callbackStatus = 200;

beforeAll(async () => {
  bridge = await startReceiver((req) => {
    if (req.url === "/plugin/v1/vouchers") {
      return {
        status: 201,
        body: {
          voucher_id: "v1",
          status: "pending",
          cip: "2875319",
          cip_url: "https://pagos.example.pe/cip/2875319",
          voucher_url: `${bridge.url}/voucher/tok`,
          amount: "100.30",
          currency: "PEN",
          expires_at: "2030-01-01T00:00:00.000Z",
          paid_at: null,
        },
      };
    }
    if (req.url === "/plugin/v1/refunds")
      return { status: 202, body: { refund_id: "r", status: "requested" } };
    if (req.url === "/wc-auth/callback") return { status: callbackStatus, body: { outcome: "x" } };
    if (req.url === "/wc-auth/v1/claim")
      return { status: 200, body: { store_id: "wc_claimed", shared_secret: PLUGIN_SECRET } };
    if (req.url?.startsWith("/wc-auth/v1/start"))
      return { status: 302, headers: { Location: "/x" } };
    return { status: 200, body: "ok" };
  });
  store = await startStore({
    wooBridgeUrl: bridge.url,
    wooPlugin: { storeId: "wc_7f3a9c2e1b4d6a8c0e2f4a6b", sharedSecret: PLUGIN_SECRET },
  });
});
afterAll(async () => {
  await store.close();
  await bridge.close();
});

const api = (path: string) => `${store.url}/woo/wp-json/wc/v3${path}`;

async function checkout(): Promise<number> {
  const res = await fetch(
    `${store.url}/woo/finalizar-compra`,
    form({
      first_name: "María José",
      last_name: "Quispe Huamán",
      email: "mj@example.pe",
      phone: "+51 987 654 321",
      qty_cafe: "2",
      qty_chocolate: "1",
    }),
  );
  expect(res.status).toBe(303);
  return Number(/pedido-recibido\/(\d+)/.exec(res.headers.get("location")!)![1]);
}

describe("plugin checkout (process_payment)", () => {
  it("signs the voucher request like the PHP plugin and stores CIP meta, on-hold, thank-you page", async () => {
    const before = bridge.requests.length;
    const id = await checkout();
    const sent = bridge.requests.slice(before).find((r) => r.url === "/plugin/v1/vouchers")!;
    const body = sent.body.toString("utf8");
    const { orderKey } = store.store.woo.orders.get(id)!;
    expect(JSON.parse(body)).toEqual({
      order_id: id,
      attempt: 1,
      order_number: String(id),
      amount: "100.30",
      currency: "PEN",
      email: "mj@example.pe",
      first_name: "María José",
      last_name: "Quispe Huamán",
      phone: "+51 987 654 321",
      // A guest goes back to the order's thank-you page, as with the PHP plugin.
      return_url: `${store.url}/woo/finalizar-compra/pedido-recibido/${id}?key=${orderKey}`,
    });
    // The same fields as WC_Gateway_PagoEfectivo::process_payment sends, no more, no fewer.
    const php = readFileSync(
      join(
        __dirname,
        "../../../extensions/woocommerce-pagoefectivo/includes/class-wc-gateway-pagoefectivo.php",
      ),
      "utf8",
    );
    const phpArray = /->create_voucher\(\s*array\(([\s\S]*?)\)\s*\)\s*;/.exec(php)![1]!;
    const phpKeys = [...phpArray.matchAll(/'([a-z_]+)'\s*=>/g)].map((m) => m[1]);
    expect(phpKeys).toContain("return_url");
    expect(Object.keys(JSON.parse(body))).toEqual(phpKeys);
    expect(body).toContain("Mar\\u00eda Jos\\u00e9"); // wp_json_encode escaping
    const h = sent.headers;
    expect(h["content-type"]).toBe("application/json");
    expect(h["x-pe-store"]).toBe("wc_7f3a9c2e1b4d6a8c0e2f4a6b");
    const expected = createHmac("sha256", PLUGIN_SECRET)
      .update(`${String(h["x-pe-timestamp"])}\nPOST\n/plugin/v1/vouchers\n${body}`)
      .digest("hex");
    expect(h["x-pe-signature"]).toBe(expected);
    expect(String(h["x-pe-nonce"])).toMatch(/^[0-9a-f]{32}$/);

    const order = store.store.woo.orders.get(id)!;
    expect(order.status).toBe("on-hold");
    expect(store.store.woo.meta(order, "_pagoefectivo_cip")).toBe("2875319");
    expect(store.store.woo.meta(order, "_pagoefectivo_attempt")).toBe("1");
    expect(order.notes.map((n) => n.note).join(" ")).toContain(
      "Esperando el pago en PagoEfectivo (CIP 2875319).",
    );
    const page = await (
      await fetch(`${store.url}/woo/finalizar-compra/pedido-recibido/${id}?key=${order.orderKey}`)
    ).text();
    expect(page).toContain("2875319");
    expect(page).toContain(`${bridge.url}/voucher/tok`);
    expect(
      (await fetch(`${store.url}/woo/finalizar-compra/pedido-recibido/${id}?key=wrong`)).status,
    ).toBe(403);
    const mails = store.store.mail.messages.filter((m) => m.to === "mj@example.pe");
    expect(mails.at(-1)!.text).toContain("2875319");
  });

  it("reproduces the PHP signer's vectors byte for byte", () => {
    const vectors = JSON.parse(
      readFileSync(join(__dirname, "fixtures/woocommerce/plugin-signed-requests.json"), "utf8"),
    ) as Array<any>;
    expect(vectors.length).toBeGreaterThan(0);
    for (const v of vectors) {
      expect(
        pluginHeaders({
          storeId: v.store_id,
          secret: v.secret,
          method: v.method,
          path: v.path,
          body: v.body,
          timestamp: v.timestamp,
          nonce: v.nonce,
        }),
      ).toEqual(v.headers);
    }
  });

  it("refuses a bad checkout with 400", async () => {
    const res = await fetch(
      `${store.url}/woo/finalizar-compra`,
      form({ email: "x", qty_cafe: "99" }),
    );
    expect(res.status).toBe(400);
  });
});

describe("order admin", () => {
  it("Reembolsar calls the bridge like process_refund and records an api refund; Cancelar cancels", async () => {
    const id = await checkout();
    const order = store.store.woo.orders.get(id)!;
    order.transactionId = "2875319";
    order.status = "processing";
    const before = bridge.requests.length;
    const res = await fetch(
      `${store.url}/woo/wp-admin/pedidos/${id}/reembolsar`,
      form({ amount: "18.50", reason: "Agotado" }),
    );
    expect(res.status).toBe(303);
    expect(decodeURIComponent(res.headers.get("location")!)).toContain("registrado");
    const call = bridge.requests.slice(before).find((r) => r.url === "/plugin/v1/refunds")!;
    const refundId = order.refundIds[0]!;
    expect(JSON.parse(call.body.toString())).toEqual({
      order_id: id,
      wc_refund_id: refundId,
      amount: "18.50",
      currency: "PEN",
      reason: "Agotado",
    });
    expect(store.store.woo.refunds.get(refundId)!.refundedPayment).toBe(true);
    const bad = await fetch(
      `${store.url}/woo/wp-admin/pedidos/${id}/reembolsar`,
      form({ amount: "abc" }),
    );
    expect(bad.status).toBe(400);
    const over = await fetch(
      `${store.url}/woo/wp-admin/pedidos/${id}/reembolsar`,
      form({ amount: "999.00" }),
    );
    expect(decodeURIComponent(over.headers.get("location")!)).toContain(
      "cantidad de reembolso no válida (S/ 999.00; disponible S/ 81.80)",
    );
    await fetch(`${store.url}/woo/wp-admin/pedidos/${id}/cancelar`, form({}));
    expect(order.status).toBe("cancelled");
    const page = await (await fetch(`${store.url}/woo/wp-admin/pedidos/${id}`)).text();
    expect(page).toContain("Cancelado");
  });
});

describe("webhooks", () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver(() => ({ status: 200, body: "ok" }));
  });
  afterAll(() => receiver.close());

  it("REST creation pings unsigned, then order saves deliver signed PHP-JSON snapshots", async () => {
    const key = addKey(store);
    const created = await fetch(api("/webhooks"), {
      method: "POST",
      headers: { ...basic(key), "Content-Type": "application/json" },
      body: JSON.stringify({
        name: "bridge",
        topic: "order.updated",
        delivery_url: `${receiver.url}/webhooks/woocommerce/s1`,
        secret: WEBHOOK_SECRET,
        status: "active",
      }),
    });
    expect(created.status).toBe(201);
    const hook = (await created.json()) as { id: number; status: string };
    expect(hook.status).toBe("active");
    const ping = receiver.requests[0]!;
    expect(ping.body.toString()).toBe(`webhook_id=${hook.id}`);
    expect(ping.headers["x-wc-webhook-signature"]).toBeUndefined();
    expect(ping.headers["content-type"]).toBe("application/x-www-form-urlencoded");

    const id = await checkout(); // create + meta save + on-hold: coalesced into one delivery
    await store.store.flushWebhooks();
    const deliveries = receiver.requests.slice(1);
    expect(deliveries).toHaveLength(1);
    const d = deliveries[0]!;
    expect(d.headers).toMatchObject({
      "content-type": "application/json",
      "x-wc-webhook-source": `${store.url}/woo/`,
      "x-wc-webhook-topic": "order.updated",
      "x-wc-webhook-resource": "order",
      "x-wc-webhook-event": "updated",
      "x-wc-webhook-id": String(hook.id),
    });
    expect(String(d.headers["x-wc-webhook-delivery-id"])).toMatch(/^[0-9a-f]{32}$/);
    expect(String(d.headers["user-agent"])).toMatch(
      /^WooCommerce\/[\d.]+ Hookshot \(WordPress\/[\d.]+\)$/,
    );
    // The contract's verification algorithm over the raw bytes, with the fixture secret.
    const sig = createHmac("sha256", WEBHOOK_SECRET).update(d.body).digest("base64");
    expect(d.headers["x-wc-webhook-signature"]).toBe(sig);
    expect(webhookSignature(d.body, WEBHOOK_SECRET)).toBe(sig);
    const text = d.body.toString("utf8");
    expect([...text].every((c) => c.charCodeAt(0) < 0x80)).toBe(true);
    expect(text).toContain("Mar\\u00eda");
    expect(text).toContain("http:\\/\\/127.0.0.1");
    const payload = JSON.parse(text) as any;
    expect(payload).toMatchObject({ id, status: "on-hold" }); // built at delivery time: latest state

    const put = await fetch(api(`/orders/${id}`), {
      method: "PUT",
      headers: { ...basic(key), "Content-Type": "application/json" },
      body: JSON.stringify({ status: "processing", transaction_id: "2875319" }),
    });
    expect(put.status).toBe(200);
    await store.store.flushWebhooks();
    expect(JSON.parse(receiver.requests.at(-1)!.body.toString()).status).toBe("processing");
    // A note does not save the order: no delivery.
    const count = receiver.requests.length;
    await fetch(api(`/orders/${id}/notes`), {
      method: "POST",
      headers: { ...basic(key), "Content-Type": "application/json" },
      body: JSON.stringify({ note: "x" }),
    });
    await store.store.flushWebhooks();
    expect(receiver.requests.length).toBe(count);
  });

  it("never retries and disables the webhook on the 7th consecutive failure", async () => {
    const failing = await startReceiver(() => ({ status: 500, body: "no" }));
    try {
      const key = addKey(store);
      const res = await fetch(api("/webhooks"), {
        method: "POST",
        headers: { ...basic(key), "Content-Type": "application/json" },
        body: JSON.stringify({
          topic: "order.updated",
          delivery_url: `${failing.url}/h`,
          secret: "abc123abc123abc123abc123",
        }),
      });
      const hook = store.store.woo.webhooks.get(((await res.json()) as { id: number }).id)!;
      const id = await checkout();
      const order = store.store.woo.orders.get(id)!;
      for (let i = 0; i < 7; i++) {
        await fetch(api(`/orders/${id}`), {
          method: "PUT",
          headers: { ...basic(key), "Content-Type": "application/json" },
          body: JSON.stringify({ meta_data: [{ key: "n", value: String(i) }] }),
        });
        await store.store.flushWebhooks();
      }
      expect(order.meta.find((m) => m.key === "n")?.value).toBe("6");
      const deliveries = failing.requests.filter((r) => r.headers["x-wc-webhook-signature"]);
      // checkout + 7 PUTs = 8 events; one attempt each, and the 7th failure disables the hook.
      expect(deliveries).toHaveLength(7);
      expect(hook.status).toBe("disabled");
    } finally {
      await failing.close();
    }
  });
});

describe("wc-auth app authorization", () => {
  const authorizeUrl = (over: Record<string, string> = {}) => {
    const q = new URLSearchParams({
      app_name: "PagoEfectivo",
      scope: "read_write",
      user_id: "state-1042",
      return_url: `${bridge.url}/wc-auth/return`,
      callback_url: `${bridge.url}/wc-auth/callback`,
      ...over,
    });
    return `${store.url}/woo/wc-auth/v1/authorize?${q.toString()}`;
  };
  const approve = async (url: string) => {
    const page = await (await fetch(url)).text();
    const nonce = /name="nonce" value="([0-9a-f]+)"/.exec(page)![1]!;
    expect(page).toContain("Aprobar");
    return fetch(`${store.url}/woo/wc-auth/v1/access_granted`, form({ nonce }));
  };

  it("posts the keys to callback_url and redirects to return_url?success=1; the keys work", async () => {
    callbackStatus = 200;
    const before = bridge.requests.length;
    const res = await approve(authorizeUrl());
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get("location")!);
    expect(back.searchParams.get("success")).toBe("1");
    expect(back.searchParams.get("user_id")).toBe("state-1042");
    const cb = bridge.requests.slice(before).find((r) => r.url === "/wc-auth/callback")!;
    expect(cb.headers["content-type"]).toBe("application/json;charset=UTF-8");
    const keys = JSON.parse(cb.body.toString()) as Record<string, unknown>;
    expect(Object.keys(keys)).toEqual([
      "key_id",
      "user_id",
      "consumer_key",
      "consumer_secret",
      "key_permissions",
    ]);
    expect(keys).toMatchObject({
      user_id: "state-1042",
      key_permissions: "read_write",
      key_id: expect.any(Number),
    });
    expect(keys.consumer_key).toMatch(/^ck_[0-9a-f]{40}$/);
    expect(keys.consumer_secret).toMatch(/^cs_[0-9a-f]{40}$/);
    const auth = `Basic ${Buffer.from(`${String(keys.consumer_key)}:${String(keys.consumer_secret)}`).toString("base64")}`;
    expect(
      (await fetch(api("/orders?per_page=1"), { headers: { Authorization: auth } })).status,
    ).toBe(200);
  });

  it("deletes the new key and shows an error when the callback does not answer exactly 200", async () => {
    callbackStatus = 201;
    const keysBefore = store.store.woo.keys.size;
    const res = await approve(authorizeUrl({ user_id: "state-2" }));
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("HTTP 201");
    expect(store.store.woo.keys.size).toBe(keysBefore);
    callbackStatus = 200;
  });

  it("validates parameters (401 HTML pages) and supports Denegar", async () => {
    expect((await fetch(authorizeUrl({ scope: "admin" }))).status).toBe(401);
    const noCb = new URL(authorizeUrl());
    noCb.searchParams.delete("callback_url");
    expect((await fetch(noCb)).status).toBe(401);
    expect(
      (await fetch(authorizeUrl({ callback_url: "http://tienda.example.pe/cb" }))).status,
    ).toBe(401);
    const page = await (await fetch(authorizeUrl())).text();
    const nonce = /name="nonce" value="([0-9a-f]+)"/.exec(page)![1]!;
    const denied = await fetch(`${store.url}/woo/wc-auth/v1/denied`, form({ nonce }));
    expect(new URL(denied.headers.get("location")!).searchParams.get("success")).toBe("0");
    expect(
      (await fetch(`${store.url}/woo/wc-auth/v1/access_granted`, form({ nonce }))).status,
    ).toBe(401);
  });

  it("Conectar con PagoEfectivo goes through the bridge and claims the plugin credentials", async () => {
    const start = await fetch(
      `${store.url}/woo/wp-admin/admin-post.php?action=pagoefectivo_connect`,
      { redirect: "manual" },
    );
    const target = new URL(start.headers.get("location")!);
    expect(`${target.origin}${target.pathname}`).toBe(`${bridge.url}/wc-auth/v1/start`);
    expect(target.searchParams.get("store_url")).toBe(`${store.url}/woo`);
    const back = new URL(target.searchParams.get("return_url")!);
    expect(back.host).toBe(new URL(store.url).host);
    back.searchParams.set("pe_claim", "c".repeat(48));
    const done = await fetch(back, { redirect: "manual" });
    expect(done.headers.get("location")).toBe("/woo/wp-admin/ajustes?pe_connected=1");
    expect(store.store.woo.plugin).toEqual({ storeId: "wc_claimed", sharedSecret: PLUGIN_SECRET });
  });
});

describe("mail inbox", () => {
  it("captures POST /mail/messages, lists and shows them escaped; bad input → 400", async () => {
    const res = await fetch(`${store.url}/mail/messages`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        to: "rosa@example.pe",
        subject: "Tu CIP <2875319>",
        html: "<p>Paga</p>",
        text: "Paga",
      }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: number };
    const list = (await (await fetch(`${store.url}/mail/messages`)).json()) as Array<{
      id: number;
      subject: string;
    }>;
    expect(list[0]).toMatchObject({ id, subject: "Tu CIP <2875319>" });
    const inbox = await (await fetch(`${store.url}/mail`)).text();
    expect(inbox).toContain("Tu CIP &lt;2875319&gt;");
    const one = await (await fetch(`${store.url}/mail/${id}`)).text();
    expect(one).toContain('srcdoc="&lt;p&gt;Paga&lt;/p&gt;"');
    expect(one).toContain("no es Shopify/WooCommerce real");
    const bad = await fetch(`${store.url}/mail/messages`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ to: "x" }),
    });
    expect(bad.status).toBe(400);
    const broken = await fetch(`${store.url}/mail/messages`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{",
    });
    expect(broken.status).toBe(400);
    expect((await fetch(`${store.url}/mail/99999`)).status).toBe(404);
    expect((await fetch(`${store.url}/healthz`)).status).toBe(200);
  });
});
