import { UnavailableError, ValidationError, ConflictError } from "@pe-pay/core";
import type { Server } from "node:http";
import { createShopifyApp } from "../src/app";
import type { CreateVoucherCommand, RequestRefundCommand } from "../src/engine-ports";
import {
  FakeCompliance,
  FakeEngine,
  FakeTenants,
  close,
  deferredQueue,
  fixture,
  listen,
  testConfig,
} from "./helpers";

const headers = fixture<Record<string, string>>("session-request.headers.json");
const paymentBody = fixture<Record<string, unknown>>("payment-session.request.json");
const refundBody = fixture<Record<string, unknown>>("refund-session.request.json");
const captureBody = fixture("capture-session.request.json");
const voidBody = fixture("void-session.request.json");

let server: Server;
let base: string;
let engine: FakeEngine;
let tenants: FakeTenants;
let queue: ReturnType<typeof deferredQueue>;
const refundFailures: unknown[] = [];

beforeAll(async () => {
  engine = new FakeEngine();
  tenants = new FakeTenants();
  queue = deferredQueue();
  const { app } = createShopifyApp({
    config: testConfig(),
    engine: engine.useCases,
    tenants,
    compliance: new FakeCompliance(),
    defer: queue.defer,
    onRefundRequestFailed: async (f) => {
      refundFailures.push(f);
    },
  });
  ({ server, url: base } = await listen(app));
});
afterAll(() => close(server));
beforeEach(() => {
  engine.calls = [];
  engine.vouchers.clear();
  refundFailures.length = 0;
});

function post(path: string, body: unknown, h: Record<string, string> = headers) {
  return fetch(`${base}/shopify/${path}`, {
    method: "POST",
    headers: h,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

describe("payment session", () => {
  test("the fixture request is accepted: 200 with redirect_url to the voucher page", async () => {
    const res = await post("payment-session", paymentBody);
    expect(res.status).toBe(200);
    const json = (await res.json()) as { redirect_url: string };
    const shape = fixture<Record<string, string>>("payment-session.response.json");
    expect(Object.keys(json)).toEqual(Object.keys(shape));
    expect(json.redirect_url).toMatch(/^https:\/\/pay\.pe-pay\.test\/voucher\/tok_1_Kq7vN2$/);
    const [call] = engine.calls;
    expect(call?.method).toBe("createVoucher");
    const cmd = call!.args as CreateVoucherCommand;
    expect(cmd).toMatchObject({
      tenantId: "t_1",
      idempotencyKey: "Kq7vN2xPw4LmT9cRb6ZsY1dF",
      groupKey: "d3JEZW1vR3JvdXBGb3JQZURlbW9DaGVja291dDAwMQ==",
      platformReference: "gid://shopify/PaymentSession/Kq7vN2xPw4LmT9cRb6ZsY1dF",
      amount: { minor: 14990, currency: "PEN" },
      test: true,
      shopper: {
        email: "rosa.quispe@example.pe",
        firstName: "Rosa",
        lastName: "Quispe Huamán",
        phone: "+51987654321",
      },
      platformData: {
        gid: "gid://shopify/PaymentSession/Kq7vN2xPw4LmT9cRb6ZsY1dF",
        cancelUrl:
          "https://pe-demo.myshopify.com/checkouts/cn/hWN7pEdEmOcHeCkOuTtOkEn01/processing",
        merchantLocale: "es",
      },
    });
  });

  test("a repeated id returns the same redirect_url (no second voucher)", async () => {
    const a = (await (await post("payment-session", paymentBody)).json()) as object;
    const b = (await (await post("payment-session", paymentBody)).json()) as object;
    expect(b).toEqual(a);
    expect(engine.vouchers.size).toBe(1);
  });

  test("unknown keys are ignored and the top-level cancel_url is tolerated", async () => {
    const body = {
      ...paymentBody,
      brand_new_field: { x: 1 },
      payment_method: { type: "offsite", data: {} },
      cancel_url: "https://pe-demo.myshopify.com/legacy-cancel",
    };
    expect((await post("payment-session", body)).status).toBe(200);
    const cmd = engine.calls[0]!.args as CreateVoucherCommand;
    expect(cmd.platformData?.cancelUrl).toBe("https://pe-demo.myshopify.com/legacy-cancel");
  });

  test.each([
    ["malformed JSON", "{not json"],
    ["empty object", {}],
    ["amount with 3 decimals", { ...paymentBody, amount: "149.905" }],
    ["float amount", { ...paymentBody, amount: 149.9 }],
    ["unsupported currency", { ...paymentBody, currency: "EUR" }],
    ["authorization kind", { ...paymentBody, kind: "authorization" }],
    ["bad gid", { ...paymentBody, gid: "gid://shopify/RefundSession/1" }],
    ["missing group", { ...paymentBody, group: undefined }],
  ])("%s → 400 and the engine is never called", async (_name, body) => {
    const res = await post("payment-session", body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: { code: string } };
    expect(json.error.code).toMatch(/validation_error|malformed_json/);
    expect(engine.calls).toEqual([]);
  });

  test.each(["Shopify-Shop-Domain", "Shopify-Request-Id", "Shopify-Api-Version"])(
    "missing %s → 400, no state change",
    async (name) => {
      const h = { ...headers };
      delete h[name];
      const res = await post("payment-session", paymentBody, h);
      expect(res.status).toBe(400);
      expect(engine.calls).toEqual([]);
    },
  );

  test("a non-myshopify shop domain → 400", async () => {
    const res = await post("payment-session", paymentBody, {
      ...headers,
      "Shopify-Shop-Domain": "evil.example.com",
    });
    expect(res.status).toBe(400);
    expect(engine.calls).toEqual([]);
  });

  test("an unknown (not installed / inactive) shop → 404, no state change", async () => {
    const res = await post("payment-session", paymentBody, {
      ...headers,
      "Shopify-Shop-Domain": "other-shop.myshopify.com",
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unknown_shop");
    expect(engine.calls).toEqual([]);
  });

  test.each([
    ["retryable engine error", 503, new UnavailableError("PagoEfectivo down")],
    [
      "validation error",
      400,
      new ValidationError([{ field: "email", code: "required", message: "x" }]),
    ],
    ["conflict", 409, new ConflictError("same id, different body")],
    ["unexpected error", 500, new Error("boom")],
  ])("%s → %i, never a 2xx with an error body", async (_n, status, error) => {
    engine.failNext = error;
    const res = await post("payment-session", paymentBody);
    expect(res.status).toBe(status);
    const json = (await res.json()) as Record<string, unknown>;
    expect(json.redirect_url).toBeUndefined();
    expect(JSON.stringify(json)).not.toContain("boom");
  });
});

describe("refund session", () => {
  test("the fixture request → 201 {} at once, then requestRefund in the background", async () => {
    const res = await post("refund-session", refundBody);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({});
    await queue.drain();
    const call = engine.calls.find((c) => c.method === "requestRefund");
    expect(call?.args as RequestRefundCommand).toMatchObject({
      tenantId: "t_1",
      platformRefundId: "Hn3pQ8tVw1YzK5mXc7RbL2sD",
      voucher: { idempotencyKey: "Kq7vN2xPw4LmT9cRb6ZsY1dF" },
      amount: { minor: 4990, currency: "PEN" },
      platformData: {
        gid: "gid://shopify/RefundSession/Hn3pQ8tVw1YzK5mXc7RbL2sD",
        merchantLocale: "es",
      },
    });
  });

  test("retryable engine failures are retried; a definitive refusal reaches onRefundRequestFailed", async () => {
    engine.refundFailures = [new UnavailableError("db"), new ValidationError([])];
    expect((await post("refund-session", refundBody)).status).toBe(201);
    await queue.drain();
    expect(engine.calls.filter((c) => c.method === "requestRefund")).toHaveLength(2);
    expect(refundFailures).toHaveLength(1);
  });

  test.each([
    ["malformed", "{"],
    ["zero amount", { ...refundBody, amount: "0.00" }],
    ["missing payment_id", { ...refundBody, payment_id: undefined }],
  ])("%s → 400, nothing requested", async (_n, body) => {
    const res = await post("refund-session", body);
    expect(res.status).toBe(400);
    await queue.drain();
    expect(engine.calls).toEqual([]);
  });

  test("unknown shop → 404, nothing requested", async () => {
    const res = await post("refund-session", refundBody, {
      ...headers,
      "Shopify-Shop-Domain": "nope.myshopify.com",
    });
    expect(res.status).toBe(404);
    await queue.drain();
    expect(engine.calls).toEqual([]);
  });
});

describe("capture and void (sale only)", () => {
  test.each([
    ["capture-session", captureBody],
    ["void-session", voidBody],
  ])("%s fixture parses but is answered 422 unsupported_operation", async (path, body) => {
    const res = await post(path, body);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      "unsupported_operation",
    );
    expect(engine.calls).toEqual([]);
  });

  test("malformed capture body → 400", async () => {
    expect((await post("capture-session", { id: "x" })).status).toBe(400);
  });
});
