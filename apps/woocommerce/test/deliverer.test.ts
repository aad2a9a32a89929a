import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { WooClient } from "../src/woo-client/client";
import { createWooDeliverer } from "../src/woo-deliverer";
import { deliveryClients } from "../src/wiring/bridge";
import type { OutboxMessage, TenantContext } from "../src/engine-ports";
import { API, STORE, fixtureJson, noSleepRetry, voucher } from "./support/woo-fakes";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const tenant: TenantContext = {
  id: "wc_store1",
  platform: "woocommerce",
  shopDomain: STORE,
  platformCredentials: { consumerKey: "ck_x", consumerSecret: "cs_x" },
};
const deliverer = createWooDeliverer({
  clientFor: (t) =>
    new WooClient({
      storeUrl: t.shopDomain,
      consumerKey: t.platformCredentials.consumerKey!,
      consumerSecret: t.platformCredentials.consumerSecret!,
      retry: { ...noSleepRetry, retries: 0 },
    }),
});
const message = (
  kind: OutboxMessage["kind"],
  payload: Partial<OutboxMessage["payload"]> = {},
): OutboxMessage => ({
  id: "m1",
  tenantId: "wc_store1",
  voucherId: "vch_1",
  kind,
  attempts: 0,
  createdAt: new Date("2025-03-15T23:47:00Z"),
  payload: {
    voucher: voucher({ status: "paid", paidAt: new Date("2025-03-15T23:46:58Z") }),
    ...payload,
  },
});

function recordWoo(orderStatus: string) {
  const calls: Array<{ method: string; path: string; body: unknown }> = [];
  const rec =
    (status: number, res: unknown) =>
    async ({ request }: { request: Request }) => {
      const text = await request.text();
      calls.push({
        method: request.method,
        path: new URL(request.url).pathname.replace("/wp-json/wc/v3", ""),
        body: text ? JSON.parse(text) : undefined,
      });
      return HttpResponse.json(res as never, { status });
    };
  server.use(
    http.get(`${API}/orders/4821`, rec(200, { ...fixtureJson("order.json"), status: orderStatus })),
    http.put(`${API}/orders/4821`, rec(200, fixtureJson("order.json"))),
    http.post(`${API}/orders/4821/notes`, rec(201, fixtureJson("order-note.response.json"))),
    http.delete(`${API}/orders/4821/refunds/4833`, rec(200, fixtureJson("refund.response.json"))),
  );
  return calls.filter.bind(calls, (c) => c.method !== "GET") as () => typeof calls;
}

test("voucher.paid → PUT processing + transaction_id (the contract body) + the contract note", async () => {
  const writes = recordWoo("on-hold");
  await expect(deliverer.deliver(message("voucher.paid"), tenant)).resolves.toEqual({
    status: "delivered",
  });
  expect(writes()).toEqual([
    { method: "PUT", path: "/orders/4821", body: fixtureJson("order-update.request.json") },
    { method: "POST", path: "/orders/4821/notes", body: fixtureJson("order-note.request.json") },
  ]);
});

test("voucher.paid redelivered after the PUT landed → no second PUT", async () => {
  server.use(
    http.get(`${API}/orders/4821`, () =>
      HttpResponse.json({
        ...fixtureJson("order.json"),
        status: "processing",
        transaction_id: "2875319",
      }),
    ),
  );
  const writes = recordWoo("ignored");
  server.use(
    http.get(`${API}/orders/4821`, () =>
      HttpResponse.json({
        ...fixtureJson("order.json"),
        status: "processing",
        transaction_id: "2875319",
      }),
    ),
  );
  await deliverer.deliver(message("voucher.paid"), tenant);
  expect(writes().map((c) => c.method)).toEqual(["POST"]);
});

test("voucher.paid on a cancelled order → attention note only, status untouched", async () => {
  const writes = recordWoo("cancelled");
  await expect(deliverer.deliver(message("voucher.paid"), tenant)).resolves.toEqual({
    status: "delivered",
  });
  expect(writes()).toHaveLength(1);
  expect((writes()[0]!.body as { note: string }).note).toMatch(/ATENCIÓN/);
});

test("voucher.expired → PUT {status:cancelled} + note", async () => {
  const writes = recordWoo("on-hold");
  await deliverer.deliver(
    message("voucher.expired", { voucher: voucher({ status: "expired" }) }),
    tenant,
  );
  expect(writes()[0]).toEqual({
    method: "PUT",
    path: "/orders/4821",
    body: { status: "cancelled" },
  });
  expect(writes()[1]!.method).toBe("POST");
});

test("refund.failed → DELETE the WooCommerce refund record + note; already deleted counts as done", async () => {
  const refund = {
    id: "rf1",
    voucherId: "vch_1",
    platformRefundId: "4833",
    status: "failed" as const,
    amount: { minor: 1850, currency: "PEN" as const },
    failureReason: "Plazo vencido",
  };
  const writes = recordWoo("processing");
  await expect(deliverer.deliver(message("refund.failed", { refund }), tenant)).resolves.toEqual({
    status: "delivered",
  });
  expect(writes().map((c) => `${c.method} ${c.path}`)).toEqual([
    "DELETE /orders/4821/refunds/4833",
    "POST /orders/4821/notes",
  ]);
  expect((writes()[1]!.body as { note: string }).note).toContain("S/ 18.50");

  server.use(
    http.delete(`${API}/orders/4821/refunds/4833`, () =>
      HttpResponse.json(
        { code: "woocommerce_rest_invalid_order_refund_id", message: "x", data: 404 },
        { status: 500 },
      ),
    ),
  );
  await expect(deliverer.deliver(message("refund.failed", { refund }), tenant)).resolves.toEqual({
    status: "delivered",
  });
});

test("refund.succeeded, voucher.cancelled and attention.raised → private notes", async () => {
  const writes = recordWoo("processing");
  const refund = {
    id: "rf1",
    voucherId: "vch_1",
    platformRefundId: "4833",
    status: "succeeded" as const,
    amount: { minor: 1850, currency: "PEN" as const },
    failureReason: null,
  };
  await deliverer.deliver(message("refund.succeeded", { refund }), tenant);
  await deliverer.deliver(message("voucher.cancelled"), tenant);
  await deliverer.deliver(
    message("attention.raised", { attention: { kind: "paid_twice", detail: "Dos CIP pagados" } }),
    tenant,
  );
  expect(writes().map((c) => (c.body as { customer_note: boolean }).customer_note)).toEqual([
    false,
    false,
    false,
  ]);
});

test("404 order → failed; 5xx / network → retry; missing orderId → failed", async () => {
  server.use(
    http.get(`${API}/orders/4821`, () =>
      HttpResponse.json(fixtureJson("error.response.json"), { status: 404 }),
    ),
  );
  expect((await deliverer.deliver(message("voucher.paid"), tenant)).status).toBe("failed");
  server.use(http.get(`${API}/orders/4821`, () => new HttpResponse("down", { status: 503 })));
  expect((await deliverer.deliver(message("voucher.paid"), tenant)).status).toBe("retry");
  server.use(http.get(`${API}/orders/4821`, () => HttpResponse.error()));
  expect((await deliverer.deliver(message("voucher.expired"), tenant)).status).toBe("retry");
  expect(
    (
      await deliverer.deliver(
        message("voucher.paid", { voucher: voucher({ platformData: {} }) }),
        tenant,
      )
    ).status,
  ).toBe("failed");
});

test("voucher.pending is a no-op", async () => {
  expect(await deliverer.deliver(message("voucher.pending"), tenant)).toEqual({
    status: "delivered",
  });
});

test("voucher.pending builds no client; other kinds reuse one per store while its keys stay the same", async () => {
  const built: string[] = [];
  const urlReads: string[] = [];
  const clientFor = deliveryClients(
    (c) => {
      built.push(c.consumerKey);
      return new WooClient({ ...c, retry: { ...noSleepRetry, retries: 0 } });
    },
    async (id) => {
      urlReads.push(id);
      return STORE;
    },
  );
  const counting = createWooDeliverer({ clientFor });
  await counting.deliver(message("voucher.pending"), tenant);
  expect(built).toEqual([]);

  server.use(
    http.post(`${API}/orders/4821/notes`, () =>
      HttpResponse.json(fixtureJson("order-note.response.json"), { status: 201 }),
    ),
  );
  await counting.deliver(message("voucher.cancelled"), tenant);
  await counting.deliver(message("voucher.cancelled"), tenant);
  expect(built).toEqual(["ck_x"]);
  expect(urlReads).toEqual(["wc_store1"]);
  // A reconnect brings new keys: a new client (and a fresh read of the home URL).
  const reconnected = {
    ...tenant,
    platformCredentials: { consumerKey: "ck_y", consumerSecret: "cs_y" },
  };
  await counting.deliver(message("voucher.cancelled"), reconnected);
  expect(built).toEqual(["ck_x", "ck_y"]);
  expect(urlReads).toHaveLength(2);
  // Without keys the delivery is retried, not dropped.
  expect(
    (await counting.deliver(message("voucher.cancelled"), { ...tenant, platformCredentials: {} }))
      .status,
  ).toBe("retry");
});
