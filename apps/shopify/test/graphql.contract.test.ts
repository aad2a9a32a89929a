import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { createPaymentsAppsClient, type MutationResult } from "../src/graphql/client";
import { MUTATIONS, type MutationName } from "../src/graphql/documents";
import { SHOPIFY_API_VERSION } from "../src/config/api-version";
import { fixture } from "./helpers";

interface MutationFixture {
  endpoint: string;
  query: string;
  variables: Record<string, unknown>;
  responses: { success: unknown; userError: unknown };
}

const NAMES = Object.keys(MUTATIONS) as MutationName[];
const fx = (name: MutationName) => fixture<MutationFixture>(`graphql/${name}.json`);
const throttled = fixture<{ response: unknown }>("graphql/_throttled.response.json").response;

const TOKEN = "shpat_test_token";
const SHOP = { shopDomain: "pe-demo.myshopify.com", accessToken: TOKEN };
const ENDPOINT = `https://pe-demo.myshopify.com/payments_apps/api/${SHOPIFY_API_VERSION}/graphql.json`;

type Reply = () => Response | Promise<Response>;
let replies: Reply[] = [];
let received: Array<{
  headers: Headers;
  body: { query: string; variables: Record<string, unknown> };
}> = [];

const server = setupServer(
  http.post(ENDPOINT, async ({ request }) => {
    received.push({ headers: request.headers, body: (await request.json()) as never });
    const next = replies.shift();
    if (!next)
      return HttpResponse.json({ errors: [{ message: "no reply queued" }] }, { status: 500 });
    return next();
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());
beforeEach(() => {
  replies = [];
  received = [];
});

const sleeps: number[] = [];
const client = createPaymentsAppsClient({
  apiOrigin: "https://{shop}",
  apiVersion: SHOPIFY_API_VERSION,
  sleep: async (ms) => {
    sleeps.push(ms);
  },
  random: () => 0.5,
  maxAttempts: 4,
});

interface FixtureVars {
  id: string;
  pendingExpiresAt: string;
  reason: never;
  externalHandle: string;
  ready: boolean;
}

function callFor(name: MutationName): Promise<MutationResult<unknown>> {
  const v = fx(name).variables as unknown as FixtureVars;
  switch (name) {
    case "paymentSessionPending":
      return client.paymentSessionPending(SHOP, {
        id: v.id,
        pendingExpiresAt: new Date(v.pendingExpiresAt),
        reason: v.reason,
      });
    case "paymentSessionResolve":
      return client.paymentSessionResolve(SHOP, { id: v.id });
    case "paymentSessionReject":
      return client.paymentSessionReject(SHOP, { id: v.id, reason: v.reason });
    case "refundSessionResolve":
      return client.refundSessionResolve(SHOP, { id: v.id });
    case "refundSessionReject":
      return client.refundSessionReject(SHOP, { id: v.id, reason: v.reason });
    case "paymentsAppConfigure":
      return client.paymentsAppConfigure(SHOP, {
        externalHandle: v.externalHandle,
        ready: v.ready,
      });
  }
}

const squash = (s: string) => s.replace(/\s+/g, " ").trim();

/** The selection set inside `userErrors { … }`. */
function userErrorFields(query: string): string[] {
  const m = /userErrors\s*\{([^}]*)\}/.exec(query);
  return (m?.[1] ?? "").split(/\s+/).filter(Boolean);
}

describe("mutation documents", () => {
  test.each(NAMES)("%s matches the contract's document", (name) => {
    expect(squash(MUTATIONS[name].document)).toBe(squash(fx(name).query));
  });

  test.each(NAMES)("%s selects `code` on userErrors only where the type has it", (name) => {
    const fields = userErrorFields(MUTATIONS[name].document);
    expect(fields).toEqual(
      MUTATIONS[name].userErrorHasCode ? ["code", "field", "message"] : ["field", "message"],
    );
    // The fixture's userError response agrees on whether `code` exists.
    const body = fx(name).responses.userError as { data: Record<string, { userErrors: object[] }> };
    const hasCode = body.data[name]!.userErrors.every((e) => "code" in e);
    expect(hasCode).toBe(MUTATIONS[name].userErrorHasCode);
  });

  test("the fixture endpoint uses the pinned version", () => {
    for (const name of NAMES) expect(fx(name).endpoint).toBe(ENDPOINT);
  });
});

describe("responses", () => {
  test.each(NAMES)("%s success: sends the contract's request and reports ok", async (name) => {
    replies.push(() => HttpResponse.json(fx(name).responses.success as object));
    const result = await callFor(name);
    expect(result).toMatchObject({ ok: true, alreadyDone: false });
    expect(received).toHaveLength(1);
    expect(received[0]!.headers.get("x-shopify-access-token")).toBe(TOKEN);
    expect(received[0]!.headers.get("content-type")).toBe("application/json");
    expect(received[0]!.body.variables).toEqual(fx(name).variables);
  });

  test.each(NAMES)("%s userError fixture is read per mutation type", async (name) => {
    replies.push(() => HttpResponse.json(fx(name).responses.userError as object));
    const result = await callFor(name);
    const expected: Record<MutationName, object> = {
      paymentSessionPending: { ok: false, kind: "user_error", verdict: "invalid" },
      // The observed combined message includes "start_payment_session … not been received".
      paymentSessionResolve: { ok: false, kind: "user_error", verdict: "retryable" },
      paymentSessionReject: { ok: false, kind: "user_error", verdict: "conflict" },
      refundSessionResolve: { ok: false, kind: "user_error", verdict: "invalid" },
      refundSessionReject: { ok: true, alreadyDone: true },
      paymentsAppConfigure: { ok: false, kind: "user_error", verdict: "invalid" },
    };
    expect(result).toMatchObject(expected[name]);
    expect(received).toHaveLength(1);
  });

  test.each(NAMES)("%s: THROTTLED is retried after the cost-derived wait", async (name) => {
    sleeps.length = 0;
    replies.push(() => HttpResponse.json(throttled as object));
    replies.push(() => HttpResponse.json(fx(name).responses.success as object));
    const result = await callFor(name);
    expect(result.ok).toBe(true);
    expect(received).toHaveLength(2);
    // (11 requested − 4 available) / 50 000 per s ≈ 1 ms, plus jitter; never the 0 of a busy loop.
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(0);
  });

  test("THROTTLED with HTTP 429 is detected by the error code, not the status", async () => {
    replies.push(() => HttpResponse.json(throttled as object, { status: 429 }));
    replies.push(() => HttpResponse.json(fx("paymentSessionResolve").responses.success as object));
    expect((await callFor("paymentSessionResolve")).ok).toBe(true);
  });

  test("network errors and 5xx are retried with growing, jittered delays", async () => {
    sleeps.length = 0;
    replies.push(() => HttpResponse.error());
    replies.push(() => new HttpResponse("bad gateway", { status: 502 }));
    replies.push(() => HttpResponse.json(fx("refundSessionResolve").responses.success as object));
    const result = await callFor("refundSessionResolve");
    expect(result.ok).toBe(true);
    expect(sleeps).toEqual([188, 375]);
  });

  test("persistent failure → transient after maxAttempts", async () => {
    for (let i = 0; i < 4; i++) replies.push(() => new HttpResponse(null, { status: 503 }));
    const result = await callFor("paymentSessionResolve");
    expect(result).toMatchObject({ ok: false, kind: "transient" });
    expect(received).toHaveLength(4);
  });

  test("401 (revoked token) is permanent and not retried", async () => {
    replies.push(() => HttpResponse.json({ errors: "[API] Invalid API key" }, { status: 401 }));
    const result = await callFor("paymentSessionResolve");
    expect(result).toMatchObject({ ok: false, kind: "permanent", httpStatus: 401 });
    expect(received).toHaveLength(1);
  });

  test("a schema validation error (top-level errors) is permanent", async () => {
    replies.push(() =>
      HttpResponse.json({
        errors: [{ message: "Field 'code' doesn't exist on type 'UserError'" }],
      }),
    );
    const result = await callFor("paymentSessionResolve");
    expect(result).toMatchObject({ ok: false, kind: "permanent" });
  });

  test.each([
    ["paymentSessionPending", { code: "PENDING_INVALID_STATE", field: ["id"], message: "x" }],
    ["refundSessionResolve", { code: "REFUND_SESSION_INVALID_STATE", field: ["id"], message: "x" }],
    [
      "paymentSessionResolve",
      { field: ["id"], message: "Payment session has already been resolved." },
    ],
    [
      "paymentSessionReject",
      { field: ["id"], message: "Payment session has already been rejected." },
    ],
  ] as const)("%s: 'already in that state' counts as success", async (name, userError) => {
    replies.push(() =>
      HttpResponse.json({ data: { [name]: { userErrors: [userError], paymentSession: null } } }),
    );
    expect(await callFor(name)).toMatchObject({ ok: true, alreadyDone: true });
  });

  test("pendingExpiresAt is sent as UTC ISO with Z, second precision, rounded up", async () => {
    replies.push(() => HttpResponse.json(fx("paymentSessionPending").responses.success as object));
    await client.paymentSessionPending(SHOP, {
      id: "gid://shopify/PaymentSession/1",
      pendingExpiresAt: new Date("2026-03-16T15:04:05.001Z"),
    });
    expect(received[0]!.body.variables).toEqual({
      id: "gid://shopify/PaymentSession/1",
      pendingExpiresAt: "2026-03-16T15:04:06Z",
      reason: "BUYER_ACTION_REQUIRED",
    });
  });
});
