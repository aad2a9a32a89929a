import type { Server } from "node:http";
import { createShopifyApp } from "../src/app";
import { computeWebhookHmac } from "../src/webhooks/hmac";
import {
  FakeCompliance,
  FakeEngine,
  FakeTenants,
  SECRET,
  SHOP,
  close,
  fixture,
  fixtureText,
  listen,
  testConfig,
} from "./helpers";

const baseHeaders = fixture<Record<string, string>>("gdpr/webhook.headers.json");

let server: Server;
let base: string;
let compliance: FakeCompliance;

beforeAll(async () => {
  compliance = new FakeCompliance();
  const { publicApp } = createShopifyApp({
    config: testConfig(),
    engine: new FakeEngine().useCases,
    tenants: new FakeTenants(),
    compliance,
  });
  ({ server, url: base } = await listen(publicApp));
});
afterAll(() => close(server));
beforeEach(() => {
  compliance.calls = [];
});

let counter = 0;
function send(
  path: string,
  topic: string,
  raw: string,
  opts: { hmac?: string | null; webhookId?: string } = {},
) {
  const h: Record<string, string> = {
    ...baseHeaders,
    "X-Shopify-Topic": topic,
    "X-Shopify-Webhook-Id": opts.webhookId ?? `wh-${++counter}`,
  };
  if (opts.hmac === null) delete h["X-Shopify-Hmac-Sha256"];
  else h["X-Shopify-Hmac-Sha256"] = opts.hmac ?? computeWebhookHmac(Buffer.from(raw), SECRET);
  return fetch(`${base}${path}`, { method: "POST", headers: h, body: raw });
}

describe("compliance webhooks", () => {
  test("customers/data_request fixture → exportCustomerData with exact ids", async () => {
    const raw = fixtureText("gdpr/customers_data_request.json");
    const res = await send("/webhooks/compliance", "customers/data_request", raw);
    expect(res.status).toBe(200);
    expect(compliance.calls).toEqual([
      {
        method: "exportCustomerData",
        args: {
          shopDomain: SHOP,
          shopId: "68912345678",
          customer: { id: "7512345678901", email: "rosa.quispe@example.pe", phone: "+51987654321" },
          ordersRequested: ["5612345678901", "5612345678902"],
          dataRequestId: "9876543",
        },
      },
    ]);
  });

  test("customers/redact fixture → redactCustomer", async () => {
    const raw = fixtureText("gdpr/customers_redact.json");
    expect((await send("/webhooks/compliance", "customers/redact", raw)).status).toBe(200);
    expect(compliance.calls[0]).toMatchObject({
      method: "redactCustomer",
      args: { shopDomain: SHOP, ordersToRedact: ["5612345678901", "5612345678902"] },
    });
  });

  test("shop/redact fixture → redactShop", async () => {
    const raw = fixtureText("gdpr/shop_redact.json");
    expect((await send("/webhooks/compliance", "shop/redact", raw)).status).toBe(200);
    expect(compliance.calls).toEqual([
      { method: "redactShop", args: { shopDomain: SHOP, shopId: "68912345678" } },
    ]);
  });

  test("null customer keys are tolerated", async () => {
    const raw = JSON.stringify({
      shop_id: 1,
      shop_domain: SHOP,
      customer: { id: null, email: null, phone: null },
      orders_to_redact: null,
    });
    expect((await send("/webhooks/compliance", "customers/redact", raw)).status).toBe(200);
  });

  test("app/uninstalled → uninstall", async () => {
    const raw = JSON.stringify({ id: 68912345678, myshopify_domain: SHOP, domain: "tienda.pe" });
    expect((await send("/webhooks/app-uninstalled", "app/uninstalled", raw)).status).toBe(200);
    expect(compliance.calls).toEqual([{ method: "uninstall", args: { shopDomain: SHOP } }]);
  });

  test.each([
    ["wrong HMAC", { hmac: computeWebhookHmac(Buffer.from("other"), SECRET) }],
    ["HMAC with another secret", { hmac: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" }],
    ["missing HMAC", { hmac: null }],
  ])("%s → 401, no handler called", async (_n, opts) => {
    const raw = fixtureText("gdpr/customers_redact.json");
    const res = await send("/webhooks/compliance", "customers/redact", raw, opts);
    expect(res.status).toBe(401);
    expect(compliance.calls).toEqual([]);
  });

  test("a body changed after signing → 401", async () => {
    const raw = fixtureText("gdpr/shop_redact.json");
    const hmac = computeWebhookHmac(Buffer.from(raw), SECRET);
    const res = await send("/webhooks/compliance", "shop/redact", raw.replace("678", "679"), {
      hmac,
    });
    expect(res.status).toBe(401);
    expect(compliance.calls).toEqual([]);
  });

  test("deduped on X-Shopify-Webhook-Id, but only after success", async () => {
    const raw = fixtureText("gdpr/shop_redact.json");
    compliance.failNext = true;
    expect(
      (await send("/webhooks/compliance", "shop/redact", raw, { webhookId: "same" })).status,
    ).toBe(500);
    expect(
      (await send("/webhooks/compliance", "shop/redact", raw, { webhookId: "same" })).status,
    ).toBe(200);
    expect(
      (await send("/webhooks/compliance", "shop/redact", raw, { webhookId: "same" })).status,
    ).toBe(200);
    expect(compliance.calls).toHaveLength(1);
  });

  test("signed but unexpected topic or mismatched shop → 400", async () => {
    const raw = fixtureText("gdpr/shop_redact.json");
    expect((await send("/webhooks/compliance", "orders/create", raw)).status).toBe(400);
    const other = JSON.stringify({ shop_id: 1, shop_domain: "other.myshopify.com" });
    expect((await send("/webhooks/compliance", "shop/redact", other)).status).toBe(400);
    expect(compliance.calls).toEqual([]);
  });
});
