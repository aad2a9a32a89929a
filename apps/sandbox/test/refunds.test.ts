import { signRefundRequest, toLimaIso } from "@pe-pay/core";
import { OTHER, harness, refundBody, type Harness } from "./helpers";

let h: Harness;
let token: string;

beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());
beforeEach(async () => {
  await h.call("POST", "/_sandbox/reset");
  h.clock.set("2026-11-22T15:00:00Z");
  token = await h.token();
  await h.createCip(token); // 2495383, S/ 150.50
  await h.call("POST", "/_sandbox/cips/2495383/pay", { body: { channel: "BCP-agente" } });
});

const body = (amount: string, reference = "ref-1", extra: Record<string, string> = {}) =>
  refundBody({ transactionId: "2495383", amount, reference, ...extra });

describe("POST /v2/refunds", () => {
  it("creates a pending refund (200) and GET returns the same data", async () => {
    const r = await h.refund(token, body("50.00"));
    expect(r.status).toBe(200);
    expect(r.text).toContain('"amount":50.00');
    expect(r.json).toMatchObject({
      code: 100,
      data: {
        status: "pending",
        transactionId: "2495383",
        currency: "PEN",
        reference: "ref-1",
        createdAt: "2026-11-22T10:00:00-05:00",
      },
    });
    expect(r.json.data.refundId).toMatch(/^rf_[0-9A-Z]{26}$/);
    const g = await h.call("GET", `/v2/refunds/${r.json.data.refundId}`, { token });
    expect(g.status).toBe(200);
    expect(g.json.data).toEqual(r.json.data);
    expect((await h.call("GET", "/v2/refunds/rf_nope", { token })).status).toBe(404);
    const other = await h.token(OTHER);
    expect(
      (await h.call("GET", `/v2/refunds/${r.json.data.refundId}`, { token: other })).status,
    ).toBe(404);
  });

  it("is idempotent on reference: same body → first refund, different body → 409", async () => {
    const first = await h.refund(token, body("50.00"));
    h.clock.advance(1000);
    const again = await h.refund(token, body("50.00"));
    expect(again.status).toBe(200);
    expect(again.json.data.refundId).toBe(first.json.data.refundId);
    const conflict = await h.refund(token, body("60.00"));
    expect(conflict.status).toBe(409);
    expect(conflict.json.code).toBe(163);
    expect(h.running.sandbox.state.refunds.size).toBe(1);
  });

  it("keeps the cumulative total within the paid amount; rejected refunds free the balance", async () => {
    expect((await h.refund(token, body("100.00", "a"))).status).toBe(200);
    const second = await h.refund(token, body("50.00", "b"));
    expect(second.status).toBe(200);
    const over = await h.refund(token, body("0.51", "c"));
    expect(over.status).toBe(422);
    expect(over.json.code).toBe(161);
    await h.call("POST", `/_sandbox/refunds/${second.json.data.refundId}/reject`, {
      body: { reasonCode: "ACCOUNT_CLOSED" },
    });
    expect((await h.refund(token, body("50.50", "d"))).status).toBe(200);
  });

  it("refuses refunds on unpaid or unknown CIPs and after the 90-day window", async () => {
    await h.createCip(token, { transactionCode: "1002" });
    const unpaid = await h.refund(
      token,
      refundBody({ transactionId: "2495384", amount: "1.00", reference: "u" }),
    );
    expect(unpaid.status).toBe(422);
    expect(unpaid.json.code).toBe(160);
    const unknown = await h.refund(
      token,
      refundBody({ transactionId: "9999999", amount: "1.00", reference: "x" }),
    );
    expect(unknown.status).toBe(404);
    h.clock.advance(90 * 86_400_000);
    token = await h.token();
    expect((await h.refund(token, body("1.00", "w1"))).status).toBe(200);
    h.clock.advance(1000);
    const late = await h.refund(token, body("1.00", "w2"));
    expect(late.status).toBe(422);
    expect(late.json.code).toBe(162);
  });

  it.each([
    ["FC01-00000123", 200],
    ["F001-00000123", 200],
    ["B001-1", 200],
    ["BC02-12345678", 200],
    ["F01-00000123", 400],
    ["X001-00000123", 400],
    ["F001-123456789", 400],
    ["f001-00000123", 400],
  ])("invoiceNumber %s → %i", async (invoice, status) => {
    const r = await h.refund(token, body("1.00", `inv-${invoice}`, { invoiceNumber: invoice }));
    expect(r.status).toBe(status);
    if (status === 400)
      expect(r.json.data).toEqual([expect.objectContaining({ code: 343, field: "invoiceNumber" })]);
  });

  it("requires invoiceNumber and reports every bad field", async () => {
    const r = await h.refund(token, '{"transactionId":"x","amount":1.005,"currency":"EUR"}');
    expect(r.status).toBe(400);
    expect(r.json.data.map((d: { field: string }) => d.field).sort()).toEqual([
      "amount",
      "currency",
      "invoiceNumber",
      "reference",
      "transactionId",
    ]);
  });

  it("checks PE-Timestamp (±5 min) and PE-Signature over timestamp.body", async () => {
    const text = body("1.00", "sig");
    const stale = toLimaIso(new Date(h.clock.now().getTime() - 301_000));
    const r1 = await h.refund(token, text, { timestamp: stale });
    expect(r1.status).toBe(401);
    expect(r1.json.code).toBe(151);
    const r2 = await h.refund(token, text, { secret: OTHER.secretKey });
    expect(r2.status).toBe(401);
    expect(r2.json.code).toBe(150);
    const ts = toLimaIso(h.clock.now());
    const r3 = await h.refund(token, text, {
      timestamp: ts,
      signature: signRefundRequest(ts, `${text} `, "sk_demo_4f1c2a9b7e6d5c3b2a1f0e9d8c7b6a5f"),
    });
    expect(r3.status).toBe(401);
    const missing = await h.call("POST", "/v2/refunds", { token, body: text });
    expect(missing.status).toBe(401);
    expect(h.running.sandbox.state.refunds.size).toBe(0);
    expect(
      (
        await h.refund(token, text, {
          timestamp: toLimaIso(new Date(h.clock.now().getTime() + 299_000)),
        })
      ).status,
    ).toBe(200);
  });

  it("completes or rejects once through the controls", async () => {
    const r = await h.refund(token, body("10.00"));
    const id = r.json.data.refundId;
    h.clock.advance(3600_000);
    const done = await h.call("POST", `/_sandbox/refunds/${id}/complete`, { body: {} });
    expect(done.json.data).toMatchObject({
      status: "completed",
      processedDate: "2026-11-22T11:00:00-05:00",
    });
    expect((await h.call("POST", `/_sandbox/refunds/${id}/reject`, { body: {} })).status).toBe(409);
    expect((await h.call("POST", "/_sandbox/refunds/rf_x/complete", { body: {} })).status).toBe(
      404,
    );
    const g = await h.call("GET", `/v2/refunds/${id}`, { token });
    expect(g.json.data.status).toBe("completed");
  });
});
