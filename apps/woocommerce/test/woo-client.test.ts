import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { WooClient } from "../src/woo-client/client";
import { WooApiError } from "../src/woo-client/errors";
import { API, STORE, fixtureJson, noSleepRetry } from "./support/woo-fakes";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const client = () =>
  new WooClient({
    storeUrl: STORE,
    consumerKey: "ck_test",
    consumerSecret: "cs_test",
    retry: noSleepRetry,
  });

function capture(
  method: "put" | "post" | "delete",
  path: string,
  status: number,
  response: unknown,
) {
  const seen: Array<{ body: unknown; url: URL; auth: string | null }> = [];
  server.use(
    http[method](`${API}${path}`, async ({ request }) => {
      const text = await request.text();
      seen.push({
        body: text ? JSON.parse(text) : undefined,
        url: new URL(request.url),
        auth: request.headers.get("authorization"),
      });
      return HttpResponse.json(response as never, { status });
    }),
  );
  return seen;
}

describe("WooClient against the contract fixtures", () => {
  test("reads an order (Basic auth over https), keeping unknown fields", async () => {
    server.use(
      http.get(`${API}/orders/4821`, ({ request }) => {
        expect(request.headers.get("authorization")).toBe(
          `Basic ${Buffer.from("ck_test:cs_test").toString("base64")}`,
        );
        return HttpResponse.json(fixtureJson("order.json"));
      }),
    );
    const order = await client().getOrder(4821);
    expect(order).toMatchObject({
      id: 4821,
      status: "on-hold",
      total: "100.30",
      payment_method: "pagoefectivo",
    });
    expect(order.meta_data.find((m) => m.key === "_pagoefectivo_cip")?.value).toBe("2875319");
    expect((order as Record<string, unknown>).currency_symbol).toBe("S/");
  });

  test("mark paid sends exactly status processing + transaction_id (+ our meta), never set_paid or address/line fields", async () => {
    const seen = capture("put", "/orders/4821", 200, fixtureJson("order.json"));
    await client().markPaid(4821, { cip: "2875319", paidAt: "2025-03-15T18:46:58-05:00" });
    expect(seen[0]!.body).toEqual(fixtureJson("order-update.request.json"));
    await client().markPaid(4821, { cip: "2875319" });
    expect(seen[1]!.body).toEqual({ status: "processing", transaction_id: "2875319" });
  });

  test("cancel sends exactly {status: cancelled}", async () => {
    const seen = capture("put", "/orders/4821", 200, {
      ...fixtureJson("order.json"),
      status: "cancelled",
    });
    await client().cancelOrder(4821);
    expect(seen[0]!.body).toEqual({ status: "cancelled" });
  });

  test("adds private and customer notes", async () => {
    const seen = capture(
      "post",
      "/orders/4821/notes",
      201,
      fixtureJson("order-note.response.json"),
    );
    const req = fixtureJson<{ note: string }>("order-note.request.json");
    const note = await client().addNote(4821, req.note);
    expect(seen[0]!.body).toEqual(req);
    expect(note.id).toBe(1187);
    await client().addNote(4821, "Hola", { customer: true });
    expect(seen[1]!.body).toEqual({ note: "Hola", customer_note: true });
  });

  test("creates a manual refund with api_refund:false and deletes it with force", async () => {
    const created = capture(
      "post",
      "/orders/4821/refunds",
      201,
      fixtureJson("refund.response.json"),
    );
    const refund = await client().createRefund(4821, {
      amount: { minor: 1850, currency: "PEN" },
      reason: "Producto agotado: Chocolate 70% cacao de Piura",
      lineItems: [{ id: 916, quantity: 1, refund_total: 18.5 }],
    });
    expect(created[0]!.body).toEqual(fixtureJson("refund.request.json"));
    expect(refund.id).toBe(4833);
    const deleted = capture(
      "delete",
      "/orders/4821/refunds/4833",
      200,
      fixtureJson("refund.response.json"),
    );
    await client().deleteRefund(4821, 4833);
    expect(deleted[0]!.url.searchParams.get("force")).toBe("true");
  });

  test("creates the order.updated webhook with an alphanumeric secret only", async () => {
    const seen = capture("post", "/webhooks", 201, {
      id: 7,
      status: "active",
      topic: "order.updated",
    });
    const secret = "a".repeat(20) + "B9";
    await client().createOrderUpdatedWebhook({
      name: "PE",
      deliveryUrl: "https://bridge.example.pe/webhooks/woocommerce/s1",
      secret,
    });
    expect(seen[0]!.body).toEqual({
      name: "PE",
      topic: "order.updated",
      delivery_url: "https://bridge.example.pe/webhooks/woocommerce/s1",
      secret,
      status: "active",
    });
    expect(() =>
      client().createOrderUpdatedWebhook({
        name: "PE",
        deliveryUrl: "https://x",
        secret: "abc&def=ghi!jklmnopqrstu",
      }),
    ).toThrow(RangeError);
  });

  test("deletes a webhook for good (force=true); an unknown one is not_found", async () => {
    const deleted = capture("delete", "/webhooks/7", 200, {
      id: 7,
      name: "PagoEfectivo order.updated",
      status: "active",
      topic: "order.updated",
      delivery_url: "https://bridge.example.pe/webhooks/woocommerce/s1",
    });
    expect(await client().deleteWebhook(7)).toMatchObject({ id: 7 });
    expect(deleted[0]!.url.searchParams.get("force")).toBe("true");

    server.use(
      http.delete(`${API}/webhooks/8`, () =>
        HttpResponse.json(
          {
            code: "woocommerce_rest_webhook_invalid_id",
            message: "ID no válido.",
            data: { status: 404 },
          },
          { status: 404 },
        ),
      ),
    );
    await expect(client().deleteWebhook(8)).rejects.toMatchObject({ kind: "not_found" });
  });

  test("lists recently modified orders with modified_after + orderby=modified and pagination headers", async () => {
    let url: URL | undefined;
    server.use(
      http.get(`${API}/orders`, ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json([fixtureJson("order.json")], {
          headers: { "X-WP-Total": "150", "X-WP-TotalPages": "2" },
        });
      }),
    );
    const page = await client().listModifiedOrders({
      modifiedAfter: new Date("2025-03-15T00:00:00Z"),
    });
    expect(url!.searchParams.get("modified_after")).toBe("2025-03-15T00:00:00");
    expect(url!.searchParams.get("dates_are_gmt")).toBe("true");
    expect(url!.searchParams.get("orderby")).toBe("modified");
    expect(url!.searchParams.get("per_page")).toBe("100");
    expect(page).toMatchObject({ total: 150, totalPages: 2, nextPage: 2 });
    expect(page.orders[0]!.id).toBe(4821);
  });
});

describe("error envelopes", () => {
  const failWith = (status: number, body: unknown) => {
    let calls = 0;
    server.use(
      http.all(`${API}/*`, () => {
        calls++;
        return typeof body === "string"
          ? new HttpResponse(body, { status, headers: { "Content-Type": "text/html" } })
          : HttpResponse.json(body as never, { status });
      }),
    );
    return () => calls;
  };
  const errorOf = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error("expected failure");
      },
      (e: unknown) => e as WooApiError,
    );

  test("GET unknown order: 404 with data.status → not_found, not retried", async () => {
    const calls = failWith(404, fixtureJson("error.response.json"));
    const e = await errorOf(client().getOrder(1));
    expect(e).toBeInstanceOf(WooApiError);
    expect(e).toMatchObject({
      kind: "not_found",
      wooCode: "woocommerce_rest_shop_order_invalid_id",
      retryable: false,
      responseStatus: 404,
    });
    expect(calls()).toBe(1);
  });

  test("PUT unknown order: 400 shop_order_invalid_id → not_found", async () => {
    failWith(400, {
      code: "woocommerce_rest_shop_order_invalid_id",
      message: "ID inválido.",
      data: { status: 400 },
    });
    expect(await errorOf(client().cancelOrder(1))).toMatchObject({ kind: "not_found" });
  });

  test("bare-number data: HTTP 500 with data 404 → not_found, never retried", async () => {
    const calls = failWith(500, {
      code: "woocommerce_rest_invalid_order_refund_id",
      message: "ID de reembolso no válido.",
      data: 404,
    });
    const e = await errorOf(client().deleteRefund(4821, 1));
    expect(e).toMatchObject({
      kind: "not_found",
      responseStatus: 500,
      envelope: { dataStatus: 404 },
    });
    expect(calls()).toBe(1);
  });

  test("bare-number data: HTTP 500 with data 500 on refund creation → rejected with the store's reason", async () => {
    const calls = failWith(500, fixtureJson("error.refund.response.json"));
    const e = await errorOf(
      client().createRefund(4821, { amount: { minor: 999999, currency: "PEN" }, reason: "" }),
    );
    expect(e).toMatchObject({
      kind: "rejected",
      retryable: false,
      merchantMessage: "Invalid refund amount.",
    });
    expect(calls()).toBe(1);
  });

  test("401 authentication error → unauthorized; 403 → unauthorized", async () => {
    failWith(401, {
      code: "woocommerce_rest_authentication_error",
      message: "Firma no válida.",
      data: { status: 401 },
    });
    expect(await errorOf(client().getOrder(1))).toMatchObject({
      kind: "unauthorized",
      retryable: false,
    });
    failWith(403, { code: "woocommerce_rest_cannot_edit", message: "No.", data: { status: 403 } });
    expect(await errorOf(client().cancelOrder(1))).toMatchObject({ kind: "unauthorized" });
  });

  test("400 rest_invalid_param keeps the params", async () => {
    failWith(400, {
      code: "rest_invalid_param",
      message: "Parámetro(s) no válido(s): status",
      data: { status: 400, params: { status: "no es uno de…" } },
    });
    const e = await errorOf(client().markPaid(1, { cip: "1" }));
    expect(e).toMatchObject({
      kind: "invalid_request",
      envelope: { params: { status: "no es uno de…" } },
    });
  });

  test("rest_no_route 404 → not_found", async () => {
    failWith(404, { code: "rest_no_route", message: "No route", data: { status: 404 } });
    expect(await errorOf(client().getOrder(1))).toMatchObject({ kind: "not_found" });
  });

  test("a proxy 502 HTML page is retried for idempotent calls, then gives up as unavailable", async () => {
    const calls = failWith(502, "<html>Bad gateway</html>");
    const e = await errorOf(client().getOrder(1));
    expect(e).toMatchObject({ kind: "unavailable", retryable: true });
    expect(calls()).toBe(4);
  });

  test("a 503 is retried and a later success wins", async () => {
    let calls = 0;
    server.use(
      http.put(`${API}/orders/4821`, () =>
        ++calls < 3
          ? new HttpResponse(null, { status: 503 })
          : HttpResponse.json(fixtureJson("order.json")),
      ),
    );
    await client().markPaid(4821, { cip: "2875319" });
    expect(calls).toBe(3);
  });

  test("POST (note) is never retried: a retry could duplicate it", async () => {
    const calls = failWith(503, "busy");
    expect(await errorOf(client().addNote(1, "x"))).toMatchObject({ kind: "unavailable" });
    expect(calls()).toBe(1);
  });

  test("network failure → unavailable, and the error never carries the consumer secret", async () => {
    server.use(http.get(`${API}/orders/5`, () => HttpResponse.error()));
    const e = await errorOf(client().getOrder(5));
    expect(e).toMatchObject({ kind: "unavailable", responseStatus: 0 });
    expect(
      JSON.stringify({ m: e.message, c: String((e as Error).cause), j: e.toJSON() }),
    ).not.toContain("cs_test");
  });
});
