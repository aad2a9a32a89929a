/* eslint-disable @typescript-eslint/no-explicit-any -- REST JSON is walked dynamically in assertions */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import WooCommerceRestApiModule from "@woocommerce/woocommerce-rest-api";
import type { RunningDemoStore } from "../src";
import type { WooApiKey } from "../src/woo/state";
import { addKey, basic, form, startReceiver, startStore, type Receiver } from "./helpers";

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, "fixtures/woocommerce", name), "utf8")) as Record<
    string,
    any
  >;
const WooApi: typeof WooCommerceRestApiModule =
  (WooCommerceRestApiModule as unknown as { default?: typeof WooCommerceRestApiModule }).default ??
  WooCommerceRestApiModule;

let bridge: Receiver;
let store: RunningDemoStore;
let key: WooApiKey;
let bridgeDown = false;
let cipCounter = 2875319;

beforeAll(async () => {
  bridge = await startReceiver((req) => {
    if (bridgeDown)
      return {
        status: 503,
        body: {
          code: "unavailable",
          merchant_message: "Puente caído",
          shopper_message: "Vuelve a intentarlo.",
        },
      };
    if (req.url === "/plugin/v1/vouchers") {
      const cip = String(cipCounter++);
      return {
        status: 201,
        body: {
          voucher_id: `v_${cip}`,
          status: "pending",
          cip,
          cip_url: `https://pagos.example.pe/cip/${cip}`,
          voucher_url: `${bridge.url}/voucher/tok_${cip}`,
          amount: "100.30",
          currency: "PEN",
          expires_at: "2030-03-15T15:22:35.000Z",
          paid_at: null,
        },
      };
    }
    if (req.url === "/plugin/v1/refunds")
      return {
        status: 202,
        body: { refund_id: "r1", status: "requested", amount: "1.00", failure_reason: null },
      };
    return { status: 404, body: { code: "not_found" } };
  });
  store = await startStore({
    wooBridgeUrl: bridge.url,
    wooPlugin: { storeId: "wc_demo", sharedSecret: "s".repeat(64) },
  });
  key = addKey(store);
});
afterAll(async () => {
  await store.close();
  await bridge.close();
});

const api = (path: string) => `${store.url}/woo/wp-json/wc/v3${path}`;
async function rest(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = basic(key),
) {
  const res = await fetch(api(path), {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: text ? (JSON.parse(text) as any) : undefined,
  };
}

async function checkoutOrder(): Promise<number> {
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
  if (bridgeDown) {
    expect(res.status).toBe(502);
    return Math.max(...store.store.woo.orders.keys());
  }
  expect(res.status).toBe(303);
  return Number(/pedido-recibido\/(\d+)/.exec(res.headers.get("location")!)![1]);
}

async function pendingOrder(): Promise<number> {
  bridgeDown = true;
  try {
    return await checkoutOrder();
  } finally {
    bridgeDown = false;
  }
}

describe("orders", () => {
  it("GET returns the contract's order shape, PHP-escaped on the wire", async () => {
    const id = await checkoutOrder();
    const res = await rest("GET", `/orders/${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(Object.keys(res.json)).toEqual(Object.keys(fixture("order.json")));
    expect(res.json).toMatchObject({
      id,
      status: "on-hold",
      total: "100.30",
      shipping_total: "12.00",
      payment_method: "pagoefectivo",
      needs_payment: false,
      date_paid: null,
      currency_symbol: "S/",
    });
    expect(res.json.meta_data.map((m: any) => m.key)).toEqual(
      expect.arrayContaining([
        "_pagoefectivo_cip",
        "_pagoefectivo_cip_expires_at",
        "_pagoefectivo_cip_url",
        "_pagoefectivo_voucher_url",
      ]),
    );
    expect(res.text).toContain("Mar\\u00eda Jos\\u00e9");
    expect(res.text).toContain("https:\\/\\/pagos.example.pe");
  });

  it("GET of an unknown order is the contract's 404 envelope; PUT of one is 400", async () => {
    const res = await rest("GET", "/orders/999999");
    expect(res.status).toBe(404);
    expect(res.json).toEqual(fixture("error.response.json"));
    const put = await rest("PUT", "/orders/999999", { status: "cancelled" });
    expect(put.status).toBe(400);
    expect(put.json).toEqual({
      code: "woocommerce_rest_shop_order_invalid_id",
      message: "Invalid ID.",
      data: { status: 400 },
    });
  });

  it("on-hold + {status: processing, transaction_id} → processing with date_paid (contract request)", async () => {
    const id = await checkoutOrder();
    const res = await rest("PUT", `/orders/${id}`, fixture("order-update.request.json"));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      status: "processing",
      transaction_id: "2875319",
      needs_payment: false,
    });
    expect(res.json.date_paid).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(res.json.date_paid_gmt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    const meta = Object.fromEntries(res.json.meta_data.map((m: any) => [m.key, m.value]));
    expect(meta).toMatchObject({
      _pagoefectivo_cip_status: "paid",
      _pagoefectivo_paid_at: "2025-03-15T18:46:58-05:00",
    });
  });

  it("on-hold + {set_paid: true} does nothing but store transaction_id", async () => {
    const id = await checkoutOrder();
    const res = await rest("PUT", `/orders/${id}`, { set_paid: true, transaction_id: "111" });
    expect(res.json).toMatchObject({ status: "on-hold", transaction_id: "111", date_paid: null });
  });

  it("pending + set_paid → processing; pending + status + set_paid → status wins once", async () => {
    const a = await pendingOrder();
    expect((await rest("GET", `/orders/${a}`)).json).toMatchObject({
      status: "pending",
      needs_payment: true,
    });
    const paid = await rest("PUT", `/orders/${a}`, { set_paid: true, transaction_id: "222" });
    expect(paid.json).toMatchObject({ status: "processing", transaction_id: "222" });
    expect(paid.json.date_paid).not.toBeNull();
    const b = await pendingOrder();
    const both = await rest("PUT", `/orders/${b}`, { status: "processing", set_paid: true });
    expect(both.json.status).toBe("processing");
    const transitions = store.store.woo.orders
      .get(b)!
      .notes.filter((n) => n.note.includes("Estado del pedido cambiado"));
    expect(transitions).toHaveLength(1);
  });

  it("refuses total-recalculating fields and invalid params with 400", async () => {
    const id = await checkoutOrder();
    const recalc = await rest("PUT", `/orders/${id}`, {
      status: "processing",
      billing: { first_name: "x" },
    });
    expect(recalc.status).toBe(400);
    expect(recalc.json.code).toBe("demo_store_recalculation_refused");
    expect((await rest("GET", `/orders/${id}`)).json.status).toBe("on-hold");
    const status = await rest("PUT", `/orders/${id}`, { status: "paid" });
    expect(status.status).toBe(400);
    expect(status.json).toMatchObject({
      code: "rest_invalid_param",
      data: { status: 400, params: { status: expect.any(String) } },
    });
    const json = await rest("PUT", `/orders/${id}`, "{not json");
    expect(json.status).toBe(400);
    expect(json.json.code).toBe("rest_invalid_json");
  });

  it("meta_data upserts by key, deletes on null, leaves other keys alone", async () => {
    const id = await checkoutOrder();
    await rest("PUT", `/orders/${id}`, {
      meta_data: [
        { key: "x", value: "1" },
        { key: "_pagoefectivo_cip_url", value: null },
      ],
    });
    const res = await rest("PUT", `/orders/${id}`, { meta_data: [{ key: "x", value: "2" }] });
    const keys = res.json.meta_data.map((m: any) => m.key);
    expect(keys.filter((k: string) => k === "x")).toHaveLength(1);
    expect(keys).not.toContain("_pagoefectivo_cip_url");
    expect(keys).toContain("_pagoefectivo_cip");
    expect(res.json.meta_data.find((m: any) => m.key === "x").value).toBe("2");
  });

  it("lists with modified_after/orderby/page/per_page and X-WP-Total headers", async () => {
    const since = new Date(Date.now() - 1000).toISOString().slice(0, 19);
    for (let i = 0; i < 3; i++) await checkoutOrder();
    const all = store.store.woo.orders.size;
    const page1 = await rest("GET", `/orders?per_page=2&page=1`);
    expect(page1.status).toBe(200);
    expect(page1.headers.get("x-wp-total")).toBe(String(all));
    expect(page1.headers.get("x-wp-totalpages")).toBe(String(Math.ceil(all / 2)));
    expect(page1.headers.get("link")).toContain('rel="next"');
    expect(page1.json).toHaveLength(2);
    const recent = await rest(
      "GET",
      `/orders?modified_after=${since}&dates_are_gmt=true&orderby=modified&order=asc&per_page=100`,
    );
    const ids = recent.json.map((o: any) => o.id);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect([...ids].sort((a: number, b: number) => a - b)).toEqual(ids);
    const fields = await rest("GET", `/orders?per_page=1&_fields=id`);
    expect(Object.keys(fields.json[0])).toEqual(["id"]);
    expect((await rest("GET", "/orders?per_page=101")).status).toBe(400);
    expect((await rest("GET", "/orders?modified_after=yesterday")).status).toBe(400);
    expect((await rest("GET", "/orders?status=on-hold,processing")).status).toBe(200);
  });
});

describe("notes", () => {
  it("POST → 201 with the contract's note shape; unknown order → 404", async () => {
    const id = await checkoutOrder();
    const res = await rest("POST", `/orders/${id}/notes`, fixture("order-note.request.json"));
    expect(res.status).toBe(201);
    expect(Object.keys(res.json)).toEqual(Object.keys(fixture("order-note.response.json")));
    expect(res.json).toMatchObject({
      note: fixture("order-note.request.json").note,
      customer_note: false,
    });
    const missing = await rest("POST", `/orders/999999/notes`, { note: "x" });
    expect(missing.status).toBe(404);
    expect(missing.json.code).toBe("woocommerce_rest_order_invalid_id");
    expect((await rest("POST", `/orders/${id}/notes`, {})).status).toBe(400);
  });
});

describe("refunds", () => {
  it("api_refund:false creates the record (contract request) and lists it with pagination headers", async () => {
    const id = await checkoutOrder();
    const order = store.store.woo.orders.get(id)!;
    const body = {
      ...fixture("refund.request.json"),
      line_items: [{ id: order.lines[1]!.id, quantity: 1, refund_total: 18.5 }],
    };
    const before = bridge.requests.length;
    const res = await rest("POST", `/orders/${id}/refunds`, body);
    expect(res.status).toBe(201);
    expect(Object.keys(res.json)).toEqual(Object.keys(fixture("refund.response.json")));
    expect(res.json).toMatchObject({ amount: "18.50", refunded_payment: false, refunded_by: 1 });
    expect(res.json.line_items[0]).toMatchObject({ quantity: -1, total: "-18.50" });
    expect(res.json.line_items[0].meta_data[0]).toMatchObject({
      key: "_refunded_item_id",
      value: String(order.lines[1]!.id),
    });
    expect(bridge.requests.slice(before).some((r) => r.url === "/plugin/v1/refunds")).toBe(false);
    const list = await rest("GET", `/orders/${id}/refunds`);
    expect(list.headers.get("x-wp-total")).toBe("1");
    const o = (await rest("GET", `/orders/${id}`)).json;
    expect(o.refunds).toEqual([
      { id: res.json.id, reason: fixture("refund.request.json").reason, total: "-18.50" },
    ]);
    expect(o.status).toBe("on-hold");
  });

  it("errors use bare-number data with HTTP 500, exactly as the contract", async () => {
    const id = await checkoutOrder();
    const over = await rest("POST", `/orders/${id}/refunds`, {
      amount: "1000.00",
      api_refund: false,
    });
    expect(over.status).toBe(500);
    expect(over.json).toEqual(fixture("error.refund.response.json"));
    const unknown = await rest("POST", `/orders/999999/refunds`, { amount: "1.00" });
    expect(unknown.status).toBe(500);
    expect(unknown.json.data).toBe(404);
    const negative = await rest("POST", `/orders/${id}/refunds`, { amount: "-1.00" });
    expect(negative.status).toBe(500);
    expect(negative.json).toMatchObject({
      code: "woocommerce_rest_invalid_order_refund",
      data: 400,
    });
  });

  it("DELETE removes permanently (force defaults to true); force=false → 501; foreign id → 500/404", async () => {
    const id = await checkoutOrder();
    const other = await checkoutOrder();
    const r = (await rest("POST", `/orders/${id}/refunds`, { amount: "5.00", api_refund: false }))
      .json;
    expect((await rest("DELETE", `/orders/${id}/refunds/${r.id}?force=false`)).status).toBe(501);
    const foreign = await rest("GET", `/orders/${other}/refunds/${r.id}`);
    expect(foreign.status).toBe(500);
    expect(foreign.json).toMatchObject({
      code: "woocommerce_rest_invalid_order_refund_id",
      data: 404,
    });
    const del = await rest("DELETE", `/orders/${id}/refunds/${r.id}`);
    expect(del.status).toBe(200);
    expect(del.json.id).toBe(r.id);
    expect((await rest("GET", `/orders/${id}`)).json.refunds).toEqual([]);
    expect((await rest("GET", `/orders/${id}/refunds/${r.id}`)).status).toBe(404);
  });

  it("a full refund moves the order to refunded", async () => {
    const id = await checkoutOrder();
    await rest("POST", `/orders/${id}/refunds`, { amount: "100.30", api_refund: false });
    expect((await rest("GET", `/orders/${id}`)).json.status).toBe("refunded");
  });

  it("api_refund (default true) calls the plugin's process_refund; a bridge failure deletes the record", async () => {
    const id = await checkoutOrder();
    const before = bridge.requests.length;
    const ok = await rest("POST", `/orders/${id}/refunds`, { amount: "10.00", reason: "Talla" });
    expect(ok.status).toBe(201);
    expect(ok.json.refunded_payment).toBe(true);
    const call = bridge.requests.slice(before).find((r) => r.url === "/plugin/v1/refunds")!;
    expect(JSON.parse(call.body.toString())).toEqual({
      order_id: id,
      wc_refund_id: ok.json.id,
      amount: "10.00",
      currency: "PEN",
      reason: "Talla",
    });
    bridgeDown = true;
    try {
      const failed = await rest("POST", `/orders/${id}/refunds`, { amount: "10.00" });
      expect(failed.status).toBe(500);
      expect(failed.json).toEqual({
        code: "woocommerce_rest_cannot_create_order_refund",
        message: "Puente caído",
        data: 500,
      });
    } finally {
      bridgeDown = false;
    }
    expect((await rest("GET", `/orders/${id}/refunds`)).json).toHaveLength(1);
  });
});

describe("authentication", () => {
  it("anonymous → 401 cannot_view; bad secret → 401 authentication_error; read key cannot write", async () => {
    const anon = await rest("GET", "/orders", undefined, {});
    expect(anon.status).toBe(401);
    expect(anon.json.code).toBe("woocommerce_rest_cannot_view");
    const bad = await rest(
      "GET",
      "/orders",
      undefined,
      basic({ ...key, consumerSecret: "cs_wrong" }),
    );
    expect(bad.status).toBe(401);
    expect(bad.json.code).toBe("woocommerce_rest_authentication_error");
    expect(bad.headers.get("www-authenticate")).toMatch(/^Basic/);
    const reader = addKey(store, "read");
    const id = await checkoutOrder();
    expect((await rest("GET", `/orders/${id}`, undefined, basic(reader))).status).toBe(200);
    const write = await rest("PUT", `/orders/${id}`, { status: "cancelled" }, basic(reader));
    expect(write.status).toBe(401);
    const query = await fetch(
      api(`/orders/${id}?consumer_key=${key.consumerKey}&consumer_secret=${key.consumerSecret}`),
    );
    expect(query.status).toBe(200);
  });

  it("accepts the bridge's REST library over http (one-legged OAuth 1.0a HMAC-SHA256)", async () => {
    const wc = new WooApi({
      url: `${store.url}/woo`,
      consumerKey: key.consumerKey,
      consumerSecret: key.consumerSecret,
      version: "wc/v3",
    });
    const id = await checkoutOrder();
    const got = await wc.get(`orders/${id}`);
    expect(got.data.id).toBe(id);
    const list = await wc.get("orders", {
      per_page: "1",
      _fields: "id",
      modified_after: "2020-01-01T00:00:00",
      dates_are_gmt: "true",
    });
    expect(list.headers["x-wp-total"]).toBeDefined();
    const put = await wc.put(`orders/${id}`, { status: "processing", transaction_id: "333" });
    expect(put.data.status).toBe("processing");
    const del = await wc.post(`orders/${id}/refunds`, { amount: "1.00", api_refund: false });
    expect(del.status).toBe(201);
    const removed = await wc.delete(`orders/${id}/refunds/${del.data.id}`, { force: "true" });
    expect(removed.status).toBe(200);
    const forged = new WooApi({
      url: `${store.url}/woo`,
      consumerKey: key.consumerKey,
      consumerSecret: "cs_forged",
      version: "wc/v3",
    });
    await expect(forged.get(`orders/${id}`)).rejects.toMatchObject({ response: { status: 401 } });
  });
});

describe("unknown routes", () => {
  it("answers rest_no_route 404", async () => {
    const res = await rest("GET", "/products");
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("rest_no_route");
  });
});
