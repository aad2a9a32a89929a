/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL/JSON responses are walked dynamically in assertions */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningDemoStore } from "../src";
import { DEMO_SHOPIFY_API_KEY, DEMO_SHOPIFY_API_SECRET } from "../src";
import { form, schemaFromExample, startReceiver, startStore, type Receiver } from "./helpers";

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, "fixtures/shopify", name), "utf8")) as Record<
    string,
    unknown
  >;
const gqlDoc = (name: string) =>
  fixture(`graphql/${name}.json`) as { query: string; responses: { success: { data: unknown } } };

/** Independent re-implementation of Shopify's OAuth query HMAC (sorted k=v, hex). */
function expectedHmac(params: URLSearchParams): string {
  const pairs = [...params.entries()]
    .filter(([k]) => k !== "hmac")
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const msg = new URLSearchParams(pairs).toString().replace(/\+/g, "%20");
  return createHmac("sha256", DEMO_SHOPIFY_API_SECRET).update(msg).digest("hex");
}

let app: Receiver;
let store: RunningDemoStore;
let token: string;
let failPayment = false;

beforeAll(async () => {
  app = await startReceiver((req) => {
    if (req.url === "/shopify/payment-session") {
      if (failPayment)
        return { status: 503, body: { code: "unavailable", message: "engine down" } };
      const body = JSON.parse(req.body.toString()) as { id: string };
      return { status: 200, body: { redirect_url: `${app.url}/voucher/${body.id}` } };
    }
    if (req.url === "/shopify/refund-session") return { status: 201, body: {} };
    return { status: 404 };
  });
  store = await startStore({ shopifyAppUrl: app.url });
});
afterAll(async () => {
  await store.close();
  await app.close();
});

async function gql(query: string, variables: Record<string, unknown>, accessToken = token) {
  const res = await fetch(`${store.url}/payments_apps/api/2026-07/graphql.json`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": accessToken },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

const checkoutForm = {
  email: "rosa.quispe@example.pe",
  given_name: "Rosa",
  family_name: "Quispe Huamán",
  phone: "+51987654321",
  qty_cafe: "2",
  qty_chocolate: "1",
};

async function checkout(): Promise<{ id: string; gid: string; res: Response }> {
  const before = app.requests.length;
  const res = await fetch(`${store.url}/shopify/checkout`, form(checkoutForm));
  const sent = app.requests.slice(before).find((r) => r.url === "/shopify/payment-session")!;
  const body = JSON.parse(sent.body.toString()) as { id: string; gid: string };
  return { id: body.id, gid: body.gid, res };
}

describe("Shopify OAuth install", () => {
  it("links to the app's /auth with a signed query, auto-approves and exchanges the code", async () => {
    const install = await fetch(`${store.url}/shopify/admin/install`, { redirect: "manual" });
    expect(install.status).toBe(302);
    const auth = new URL(install.headers.get("location")!);
    expect(`${auth.origin}${auth.pathname}`).toBe(`${app.url}/auth`);
    expect(auth.searchParams.get("shop")).toBe("demo-tienda.myshopify.com");
    expect(auth.searchParams.get("hmac")).toBe(expectedHmac(auth.searchParams));

    const authorize = new URL(`${store.url}/admin/oauth/authorize`);
    authorize.search = new URLSearchParams({
      client_id: DEMO_SHOPIFY_API_KEY,
      scope: "write_payment_gateways,write_payment_sessions",
      redirect_uri: `${app.url}/auth/callback`,
      state: "nonce-123",
    }).toString();
    const granted = await fetch(authorize, { redirect: "manual" });
    expect(granted.status).toBe(302);
    const cb = new URL(granted.headers.get("location")!);
    expect(`${cb.origin}${cb.pathname}`).toBe(`${app.url}/auth/callback`);
    expect([...cb.searchParams.keys()].sort()).toEqual([
      "code",
      "hmac",
      "host",
      "shop",
      "state",
      "timestamp",
    ]);
    expect(cb.searchParams.get("state")).toBe("nonce-123");
    expect(cb.searchParams.get("hmac")).toBe(expectedHmac(cb.searchParams));

    const exchange = (code: string, secret = DEMO_SHOPIFY_API_SECRET) =>
      fetch(`${store.url}/admin/oauth/access_token`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ client_id: DEMO_SHOPIFY_API_KEY, client_secret: secret, code }),
      });
    expect((await exchange(cb.searchParams.get("code")!, "wrong")).status).toBe(400);
    const ok = await exchange(cb.searchParams.get("code")!);
    expect(ok.status).toBe(200);
    const grant = (await ok.json()) as { access_token: string; scope: string };
    expect(grant.scope).toBe("write_payment_gateways,write_payment_sessions");
    token = grant.access_token;
    // Codes are single use.
    expect((await exchange(cb.searchParams.get("code")!)).status).toBe(400);
  });

  it("refuses foreign redirect_uri and unknown client ids with a readable 400", async () => {
    const bad = await fetch(
      `${store.url}/admin/oauth/authorize?client_id=${DEMO_SHOPIFY_API_KEY}&redirect_uri=${encodeURIComponent("https://evil.example/cb")}`,
      { redirect: "manual" },
    );
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("no pertenece a la app");
    const unknown = await fetch(`${store.url}/admin/oauth/authorize?client_id=x`, {
      redirect: "manual",
    });
    expect(unknown.status).toBe(400);
  });
});

describe("payment-session request", () => {
  it("is sent exactly as Shopify sends it and the browser follows redirect_url", async () => {
    const { res, id } = await checkout();
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${app.url}/voucher/${id}`);
    const sent = app.requests.filter((r) => r.url === "/shopify/payment-session").at(-1)!;
    expect(sent.method).toBe("POST");
    const headers = fixture("session-request.headers.json") as Record<string, string>;
    for (const name of Object.keys(headers)) expect(sent.headers[name.toLowerCase()]).toBeDefined();
    expect(sent.headers["content-type"]).toBe("application/json");
    expect(sent.headers["shopify-shop-domain"]).toBe("demo-tienda.myshopify.com");
    expect(sent.headers["shopify-api-version"]).toBe("2026-07");
    expect(sent.headers["shopify-request-id"]).toMatch(/^[0-9a-f-]{36}$/);

    const body = JSON.parse(sent.body.toString()) as Record<string, any>;
    const shape = schemaFromExample(fixture("payment-session.request.json"));
    expect(shape.safeParse(body).error).toBeUndefined();
    expect(Object.keys(body)).toEqual(Object.keys(fixture("payment-session.request.json")));
    expect(body.gid).toBe(`gid://shopify/PaymentSession/${body.id}`);
    expect(body.amount).toBe("98.30"); // 2 × 34.90 + 18.50 + 10.00 shipping
    expect(body).toMatchObject({
      currency: "PEN",
      test: true,
      kind: "sale",
      merchant_locale: "es",
    });
    expect(body.payment_method).toEqual({
      type: "offsite",
      data: {
        cancel_url: expect.stringMatching(/\/shopify\/checkouts\/[0-9a-f]{24}\/processing$/),
      },
    });
    expect(body.proposed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("shows the app's error readably when it does not answer 2xx", async () => {
    failPayment = true;
    try {
      const { res } = await checkout();
      expect(res.status).toBe(502);
      const text = await res.text();
      expect(text).toContain("HTTP 503");
      expect(text).toContain("engine down");
    } finally {
      failPayment = false;
    }
  });

  it("refuses a bad checkout form with 400, not 500", async () => {
    const res = await fetch(
      `${store.url}/shopify/checkout`,
      form({ email: "nope", qty_cafe: "abc" }),
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("correo electrónico válido");
  });
});

describe("Payments Apps GraphQL", () => {
  const pending = gqlDoc("paymentSessionPending");
  const resolve = gqlDoc("paymentSessionResolve");
  const reject = gqlDoc("paymentSessionReject");
  const inOneDay = () => new Date(Date.now() + 24 * 3600_000).toISOString().replace(/\.\d+Z$/, "Z");

  it("requires the access token issued at install", async () => {
    const { gid } = await checkout();
    const res = await gql(resolve.query, { id: gid }, "shpat_wrong");
    expect(res.status).toBe(401);
    expect(res.json.errors).toMatch(/Invalid API key or access token/);
  });

  it("refuses any mutation before Shopify received the app's 2xx", async () => {
    failPayment = true;
    const { gid } = await checkout();
    failPayment = false;
    const res = await gql(resolve.query, { id: gid });
    expect(res.json.data.paymentSessionResolve).toEqual({
      paymentSession: null,
      userErrors: [
        {
          field: ["id"],
          message: expect.stringContaining("start_payment_session request has not been received"),
        },
      ],
    });
    const p = await gql(pending.query, {
      id: gid,
      pendingExpiresAt: inOneDay(),
      reason: "BUYER_ACTION_REQUIRED",
    });
    expect(p.json.data.paymentSessionPending.userErrors[0]).toMatchObject({
      code: "PENDING_INVALID_STATE",
      field: ["id"],
    });
  });

  it("pending → resolve, idempotent repeats, final state refuses changes", async () => {
    const { gid, id } = await checkout();
    const expires = inOneDay();
    const first = await gql(pending.query, {
      id: gid,
      pendingExpiresAt: expires,
      reason: "BUYER_ACTION_REQUIRED",
    });
    expect(first.status).toBe(200);
    const shape = schemaFromExample(pending.responses.success.data);
    expect(shape.safeParse(first.json.data).error).toBeUndefined();
    const session = first.json.data.paymentSessionPending.paymentSession;
    expect(session).toMatchObject({
      id: gid,
      state: { code: "PENDING", reason: "BUYER_ACTION_REQUIRED" },
      pendingExpiresAt: expires,
    });
    expect(session.nextAction.action).toBe("REDIRECT");
    const thankYou = session.nextAction.context.redirectUrl as string;
    expect(thankYou).toMatch(new RegExp(`^${store.url}/shopify/checkouts/[0-9a-f]{24}/thank-you$`));
    expect(first.json.extensions.cost.actualQueryCost).toEqual(expect.any(Number));

    const again = await gql(pending.query, {
      id: gid,
      pendingExpiresAt: expires,
      reason: "BUYER_ACTION_REQUIRED",
    });
    expect(again.json.data).toEqual(first.json.data);
    const page = await (await fetch(thankYou)).text();
    expect(page).toContain("pendiente");

    const resolved = await gql(resolve.query, { id: gid });
    expect(resolved.json.data.paymentSessionResolve).toEqual({
      paymentSession: {
        id: gid,
        state: { code: "RESOLVED" },
        nextAction: { action: "REDIRECT", context: { redirectUrl: thankYou } },
      },
      userErrors: [],
    });
    expect((await gql(resolve.query, { id: gid })).json.data).toEqual(resolved.json.data);

    const late = await gql(reject.query, { id: gid, reason: { code: "PROCESSING_ERROR" } });
    expect(late.json.data.paymentSessionReject).toEqual({
      paymentSession: null,
      userErrors: [{ field: ["id"], message: "Payment session has already been resolved." }],
    });
    const latePending = await gql(pending.query, {
      id: gid,
      pendingExpiresAt: expires,
      reason: "BUYER_ACTION_REQUIRED",
    });
    expect(latePending.json.data.paymentSessionPending.userErrors[0].code).toBe(
      "PENDING_INVALID_STATE",
    );
    expect(store.store.shopify.payments.get(id)!.state).toBe("resolved");
  });

  it("reject wins over a later resolve; a repeated reject ignores its new reason", async () => {
    const { gid } = await checkout();
    const first = await gql(reject.query, {
      id: gid,
      reason: { code: "PROCESSING_ERROR", merchantMessage: "CIP vencido" },
    });
    const s = first.json.data.paymentSessionReject.paymentSession;
    expect(s.state).toEqual({
      code: "REJECTED",
      reason: "PROCESSING_ERROR",
      merchantMessage: "CIP vencido",
    });
    expect(s.nextAction.context.redirectUrl).toMatch(/\/processing$/);
    const again = await gql(reject.query, {
      id: gid,
      reason: { code: "CANCELLED_PAYMENT", merchantMessage: "otro" },
    });
    expect(again.json.data).toEqual(first.json.data);
    const res = await gql(resolve.query, { id: gid });
    expect(res.json.data.paymentSessionResolve.userErrors).toHaveLength(1);
    expect(await (await fetch(s.nextAction.context.redirectUrl)).text()).toContain("CIP vencido");
  });

  it("checks pendingExpiresAt and enum values like Shopify", async () => {
    const { gid } = await checkout();
    const past = await gql(pending.query, {
      id: gid,
      pendingExpiresAt: "2020-01-01T00:00:00Z",
      reason: "BUYER_ACTION_REQUIRED",
    });
    expect(past.json.data.paymentSessionPending.userErrors[0].code).toBe(
      "EXPIRED_PENDING_EXPIRES_AT",
    );
    const far = new Date(Date.now() + 10 * 24 * 3600_000).toISOString();
    const tooFar = await gql(pending.query, {
      id: gid,
      pendingExpiresAt: far,
      reason: "BUYER_ACTION_REQUIRED",
    });
    expect(tooFar.json.data.paymentSessionPending.userErrors[0]).toMatchObject({
      code: "OUT_OF_RANGE_PENDING_EXPIRES_AT",
      field: ["pendingExpiresAt"],
    });
    const badEnum = await gql(pending.query, {
      id: gid,
      pendingExpiresAt: inOneDay(),
      reason: "MAYBE",
    });
    expect(badEnum.json.data).toBeUndefined();
    expect(badEnum.json.errors[0].extensions.code).toBe("INVALID_VARIABLE");
    const unknown = await gql(pending.query, {
      id: "gid://shopify/PaymentSession/nope",
      pendingExpiresAt: inOneDay(),
      reason: "BUYER_ACTION_REQUIRED",
    });
    expect(unknown.json.data.paymentSessionPending.userErrors[0].code).toBe("NOT_FOUND");
  });

  it("answers `code` on a plain UserError with top-level errors and no data", async () => {
    const { gid } = await checkout();
    const query = resolve.query.replace(
      "userErrors {\n      field",
      "userErrors {\n      code\n      field",
    );
    const res = await gql(query, { id: gid });
    expect(res.status).toBe(200);
    expect(res.json.data).toBeUndefined();
    expect(res.json.errors[0]).toMatchObject({
      message: "Field 'code' doesn't exist on type 'UserError'",
      extensions: { code: "undefinedField", typeName: "UserError", fieldName: "code" },
    });
    expect(store.store.shopify.payments.get(gid.split("/").pop()!)!.state).toBe("initiated");
  });

  it("records paymentsAppConfigure and can simulate throttling", async () => {
    const conf = gqlDoc("paymentsAppConfigure");
    const res = await gql(conf.query, { externalHandle: "PE-DEMO-1", ready: true });
    expect(res.json.data.paymentsAppConfigure).toEqual({
      paymentsAppConfiguration: { externalHandle: "PE-DEMO-1", ready: true },
      userErrors: [],
    });
    store.store.shopify.throttleNext = 1;
    const throttled = await gql(conf.query, { externalHandle: "PE-DEMO-1", ready: true });
    expect(throttled.json.errors[0].extensions.code).toBe("THROTTLED");
    expect(throttled.json.extensions.cost.actualQueryCost).toBeNull();
    expect(
      (await gql(conf.query, { ready: true })).json.data.paymentsAppConfigure.userErrors,
    ).toEqual([]);
  });
});

describe("refund sessions", () => {
  const refundResolve = gqlDoc("refundSessionResolve");
  const refundReject = gqlDoc("refundSessionReject");

  async function paidOrder(): Promise<string> {
    const { gid, id } = await checkout();
    await gql(gqlDoc("paymentSessionResolve").query, { id: gid });
    return id;
  }

  it("sends the refund-session request in the contract's shape and shows the outcome", async () => {
    const id = await paidOrder();
    const before = app.requests.length;
    const res = await fetch(
      `${store.url}/shopify/admin/orders/${id}/refunds`,
      form({ amount: "49.90" }),
    );
    expect(res.status).toBe(303);
    const sent = app.requests.slice(before).find((r) => r.url === "/shopify/refund-session")!;
    const body = JSON.parse(sent.body.toString()) as Record<string, any>;
    const fx = fixture("refund-session.request.json");
    expect(schemaFromExample(fx).safeParse(body).error).toBeUndefined();
    expect(Object.keys(body)).toEqual(Object.keys(fx));
    expect(body).toMatchObject({ payment_id: id, amount: "49.90", currency: "PEN", test: true });
    expect(body.gid).toBe(`gid://shopify/RefundSession/${body.id}`);
    expect(sent.headers["shopify-shop-domain"]).toBe("demo-tienda.myshopify.com");

    const resolved = await gql(refundResolve.query, { id: body.gid });
    expect(resolved.json.data.refundSessionResolve).toEqual({
      refundSession: { id: body.gid, state: { code: "RESOLVED" } },
      userErrors: [],
    });
    const rejectAfter = await gql(refundReject.query, {
      id: body.gid,
      reason: { code: "PROCESSING_ERROR" },
    });
    expect(rejectAfter.json.data.refundSessionReject.userErrors[0].code).toBe(
      "REFUND_SESSION_INVALID_STATE",
    );
    const page = await (await fetch(`${store.url}/shopify/admin/orders/${id}`)).text();
    expect(page).toContain("reembolsado");
    expect(page).toContain("S/ 48.40"); // remaining balance 98.30 − 49.90
  });

  it("shows a rejected refund with the merchant message and gives the balance back", async () => {
    const id = await paidOrder();
    await fetch(`${store.url}/shopify/admin/orders/${id}/refunds`, form({ amount: "98.30" }));
    const refund = [...store.store.shopify.refunds.values()].find((r) => r.paymentId === id)!;
    const msg = "El cliente no registró una cuenta bancaria para la devolución.";
    const res = await gql(refundReject.query, {
      id: refund.gid,
      reason: { code: "PROCESSING_ERROR", merchantMessage: msg },
    });
    expect(res.json.data.refundSessionReject.refundSession.state).toEqual({
      code: "REJECTED",
      reason: "PROCESSING_ERROR",
      merchantMessage: msg,
    });
    const resolveAfter = await gql(refundResolve.query, { id: refund.gid });
    expect(resolveAfter.json.data.refundSessionResolve.userErrors[0].code).toBe(
      "REFUND_SESSION_INVALID_STATE",
    );
    const notFound = await gql(refundResolve.query, { id: "gid://shopify/RefundSession/none" });
    expect(notFound.json.data.refundSessionResolve.userErrors[0].code).toBe(
      "REFUND_SESSION_NOT_FOUND",
    );
    const page = await (await fetch(`${store.url}/shopify/admin/orders/${id}`)).text();
    expect(page).toContain("cuenta bancaria");
    expect(page).toContain("S/ 98.30");
  });

  it("refuses a refund above the balance or a malformed amount readably", async () => {
    const id = await paidOrder();
    const above = await fetch(
      `${store.url}/shopify/admin/orders/${id}/refunds`,
      form({ amount: "500.00" }),
    );
    expect(above.status).toBe(400);
    expect(await above.text()).toContain("supera el saldo");
    const bad = await fetch(
      `${store.url}/shopify/admin/orders/${id}/refunds`,
      form({ amount: "12,345.x" }),
    );
    expect(bad.status).toBe(400);
  });
});
