import { readFileSync } from "node:fs";
import { join } from "node:path";
import { verifyNotification } from "@pe-pay/core";
import { DEMO, harness, receiver, refundBody, type Harness } from "./helpers";

let h: Harness;
let rx: Awaited<ReturnType<typeof receiver>>;
let token: string;
const statuses: number[] = [];

beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h.close();
  await rx?.close();
});
beforeEach(async () => {
  await rx?.close();
  statuses.length = 0;
  rx = await receiver(statuses);
  await h.call("POST", "/_sandbox/reset");
  h.clock.set("2026-11-22T15:00:00Z");
  await h.call("PUT", "/_sandbox/merchants/1234", { body: { notificationUrl: rx.url } });
  token = await h.token();
});

const deliveries = async () => (await h.call("GET", "/_sandbox/notifications")).json.data;
const events = () => rx.received.map((r) => JSON.parse(r.body.toString()));

it("sends cip.paid byte-for-byte in the contract's shape, signed over the exact bytes", async () => {
  await h.createCip(token); // 2495383, 1001, 150.50
  h.clock.set("2026-11-22T16:02:13Z");
  await h.call("POST", "/_sandbox/cips/2495383/pay", { body: {} });
  await rx.waitFor(1);
  const got = rx.received[0]!;
  expect(() => verifyNotification(got.body, got.headers, DEMO.secretKey)).not.toThrow();
  expect(got.headers["content-type"]).toBe("application/json");
  const fixture = readFileSync(join(__dirname, "fixtures/webhook.cip-paid.body.json"), "utf8");
  expect(
    got.body.toString().replace(/"operationNumber":"\d+"/, '"operationNumber":"91827364"'),
  ).toBe(fixture);
  const log = await deliveries();
  expect(log[0]).toMatchObject({
    eventType: "cip.paid",
    state: "delivered",
    attempts: [{ status: 200 }],
  });
});

it("sends cip.expired from the expire control, the clock offset and the expiry timer", async () => {
  await h.createCip(token, { transactionCode: "e1" });
  await h.createCip(token, { transactionCode: "e2" });
  await h.call("POST", "/_sandbox/cips/2495383/expire", { body: {} });
  const clock = await h.call("PUT", "/_sandbox/clock", { body: { offsetMs: 49 * 3600_000 } });
  expect(clock.json.data).toEqual({ offsetMs: 49 * 3600_000, now: "2026-11-24T11:00:00-05:00" });
  await rx.waitFor(2);
  const ev = events();
  expect(ev.map((e) => [e.eventType, e.data.transactionCode])).toEqual([
    ["cip.expired", "e1"],
    ["cip.expired", "e2"],
  ]);
  expect(ev[0].data).toEqual({
    cip: 2495383,
    currency: "PEN",
    amount: 150.5,
    transactionCode: "e1",
  });
  expect(rx.received[0]!.body.toString()).toContain('"amount":150.50');
  for (const r of rx.received) verifyNotification(r.body, r.headers, DEMO.secretKey);
  await h.call("PUT", "/_sandbox/clock", { body: { offsetMs: 0 } });

  // The timer: a separate sandbox with a fast sweep and the clock moved underneath it.
  const timed = await harness({ expirySweepMs: 5 });
  try {
    await timed.call("PUT", "/_sandbox/merchants/1234", { body: { notificationUrl: rx.url } });
    await timed.createCip(await timed.token(), { transactionCode: "t1" });
    timed.clock.advance(48 * 3600_000);
    await rx.waitFor(3);
    expect(events()[2]).toMatchObject({
      eventType: "cip.expired",
      data: { transactionCode: "t1" },
    });
  } finally {
    await timed.close();
  }
});

it("sends refund.completed and refund.rejected with the §9 data", async () => {
  await h.createCip(token);
  await h.call("POST", "/_sandbox/cips/2495383/pay", { body: {} });
  const a = await h.refund(
    token,
    refundBody({ transactionId: "2495383", amount: "10.00", reference: "a" }),
  );
  const b = await h.refund(
    token,
    refundBody({ transactionId: "2495383", amount: "5.00", reference: "b" }),
  );
  await h.call("POST", `/_sandbox/refunds/${a.json.data.refundId}/complete`, { body: {} });
  await h.call("POST", `/_sandbox/refunds/${b.json.data.refundId}/reject`, {
    body: { reasonCode: "ACCOUNT_CLOSED" },
  });
  await rx.waitFor(3);
  const [, done, rejected] = events();
  expect(done).toMatchObject({
    eventType: "refund.completed",
    data: {
      refundId: a.json.data.refundId,
      transactionId: "2495383",
      amount: 10,
      currency: "PEN",
      reference: "a",
      status: "completed",
      processedDate: "2026-11-22T10:00:00-05:00",
    },
  });
  expect(rejected).toMatchObject({
    eventType: "refund.rejected",
    data: { status: "rejected", reasonCode: "ACCOUNT_CLOSED" },
  });
  for (const r of rx.received) verifyNotification(r.body, r.headers, DEMO.secretKey);
});

it("retries non-2xx with backoff and records every attempt; gives up after maxAttempts", async () => {
  statuses.push(500, 503);
  await h.createCip(token);
  await h.call("POST", "/_sandbox/cips/2495383/pay", { body: {} });
  await rx.waitFor(3);
  await h.running.sandbox.idle();
  expect(new Set(rx.received.map((r) => r.body.toString())).size).toBe(1);
  expect((await deliveries())[0]).toMatchObject({
    state: "delivered",
    attempts: [{ status: 500 }, { status: 503 }, { status: 200 }],
  });

  statuses.push(500, 500, 500);
  await h.createCip(token, { transactionCode: "2" });
  await h.call("POST", "/_sandbox/cips/2495384/pay", { body: {} });
  await rx.waitFor(6);
  await h.running.sandbox.idle();
  expect((await deliveries())[1]).toMatchObject({
    state: "failed",
    attempts: [{ status: 500 }, { status: 500 }, { status: 500 }],
  });
});

it("retries network errors", async () => {
  await h.call("PUT", "/_sandbox/merchants/1234", {
    body: { notificationUrl: "http://127.0.0.1:1/closed" },
  });
  await h.createCip(token);
  await h.call("POST", "/_sandbox/cips/2495383/pay", { body: {} });
  await h.running.sandbox.idle();
  const [d] = await deliveries();
  expect(d.state).toBe("failed");
  expect(d.attempts).toHaveLength(3);
  expect(d.attempts[0].error).toEqual(expect.any(String));
});

describe("notification faults", () => {
  beforeEach(async () => {
    for (const tc of ["1", "2", "3"]) await h.createCip(token, { transactionCode: tc });
  });
  afterEach(() => h.call("PUT", "/_sandbox/faults", { body: {} }));

  it("drop: logged as dropped, never sent", async () => {
    await h.call("PUT", "/_sandbox/faults", { body: { notifications: { dropRate: 1 } } });
    await h.call("POST", "/_sandbox/cips/2495383/pay", { body: {} });
    await h.running.sandbox.idle();
    expect(rx.received).toHaveLength(0);
    expect((await deliveries())[0].state).toBe("dropped");
  });

  it("duplicate: the same signed bytes arrive twice", async () => {
    await h.call("PUT", "/_sandbox/faults", { body: { notifications: { duplicateRate: 1 } } });
    await h.call("POST", "/_sandbox/cips/2495383/pay", { body: {} });
    await rx.waitFor(2);
    expect(rx.received[0]!.body.equals(rx.received[1]!.body)).toBe(true);
    expect(rx.received[1]!.headers["pe-signature"]).toBe(rx.received[0]!.headers["pe-signature"]);
    expect((await deliveries())[1].duplicateOf).toBe("ntf_1");
  });

  it("delay: the first attempt waits delayMs", async () => {
    await h.call("PUT", "/_sandbox/faults", { body: { notifications: { delayMs: 50 } } });
    await h.call("POST", "/_sandbox/cips/2495383/pay", { body: {} });
    expect(rx.received).toHaveLength(0);
    expect((await deliveries())[0].attempts).toHaveLength(0);
    await rx.waitFor(1);
  });

  it("reorder: each pair is delivered in reverse order; turning it off flushes", async () => {
    await h.call("PUT", "/_sandbox/faults", { body: { notifications: { reorder: true } } });
    for (const cip of [2495383, 2495384, 2495385])
      await h.call("POST", `/_sandbox/cips/${cip}/pay`, { body: {} });
    await rx.waitFor(2);
    await h.running.sandbox.idle();
    expect(events().map((e) => e.data.cip)).toEqual([2495384, 2495383]);
    expect((await deliveries())[2].state).toBe("held");
    await h.call("PUT", "/_sandbox/faults", { body: {} });
    await rx.waitFor(3);
    expect(events()[2].data.cip).toBe(2495385);
  });
});

describe("API faults", () => {
  afterEach(() => h.call("PUT", "/_sandbox/faults", { body: {} }));

  it("failNext answers 5xx without touching state, then recovers", async () => {
    await h.call("PUT", "/_sandbox/faults", { body: { api: { failNext: 2, errorStatus: 500 } } });
    const a = await h.createCip(token);
    expect(a.status).toBe(500);
    expect(a.json).toEqual({ code: 190, message: "Servicio no disponible.", data: [] });
    expect((await h.createCip(token)).status).toBe(500);
    expect(h.running.sandbox.state.cips.size).toBe(0);
    expect((await h.createCip(token)).status).toBe(201);
    expect((await h.call("GET", "/_sandbox/faults")).json.data).toEqual({
      api: { failNext: 0, errorStatus: 500 },
    });
  });

  it("errorRate scoped to a path leaves other paths alone; controls are never affected", async () => {
    await h.call("PUT", "/_sandbox/faults", {
      body: { api: { errorRate: 1, path: "/v1/cips/search" } },
    });
    expect((await h.createCip(token)).status).toBe(201);
    expect(
      (await h.call("POST", "/v1/cips/search", { token, body: { data: [{ cip: 2495383 }] } }))
        .status,
    ).toBe(503);
    expect((await h.call("GET", "/_sandbox/cips")).status).toBe(200);
  });

  it("latencyMs delays the answer", async () => {
    await h.call("PUT", "/_sandbox/faults", { body: { api: { latencyMs: 30 } } });
    const started = process.hrtime.bigint();
    expect((await h.createCip(token)).status).toBe(201);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeGreaterThanOrEqual(25);
  });

  it("refuses unknown or out-of-range fault settings", async () => {
    for (const body of [
      { api: { errorRate: 2 } },
      { notifications: { dorp: 1 } },
      { api: { errorStatus: 404 } },
      [],
    ]) {
      const r = await h.call("PUT", "/_sandbox/faults", { body: body as Record<string, unknown> });
      expect(r.status).toBe(400);
      expect(r.json.code).toBe(111);
    }
    expect((await h.call("GET", "/_sandbox/faults")).json.data).toEqual({});
  });
});
