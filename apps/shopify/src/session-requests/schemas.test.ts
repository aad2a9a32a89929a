import { ValidationError } from "@pe-pay/core";
import { fixture } from "../../test/helpers";
import { parsePaymentSessionRequest, parseRefundSessionRequest } from "./schemas";
import { parseSessionHeaders } from "./headers";

const payment = fixture<Record<string, unknown>>("payment-session.request.json");

describe("session request schemas", () => {
  test("the payment fixture parses into exact money and the nested cancel_url", () => {
    const s = parsePaymentSessionRequest(payment);
    expect(s.amount).toEqual({ minor: 14990, currency: "PEN" });
    expect(s.cancelUrl).toMatch(/\/processing$/);
    expect(s.sessionId).not.toBeNull();
  });

  test("older versions: no session_id, no customer, null address keys", () => {
    const { session_id: _s, customer: _c, ...old } = payment;
    expect(parsePaymentSessionRequest(old).customer).toEqual({
      email: null,
      phone: null,
      locale: null,
      givenName: null,
      familyName: null,
    });
    const withNulls = {
      ...payment,
      customer: {
        email: null,
        phone_number: "+51911111111",
        billing_address: { line2: null, given_name: "Ana" },
      },
    };
    const s = parsePaymentSessionRequest(withNulls);
    expect(s.customer).toMatchObject({ email: null, phone: "+51911111111", givenName: "Ana" });
  });

  test("every problem is reported, not only the first", () => {
    try {
      parsePaymentSessionRequest({ ...payment, amount: "1.234", kind: "authorization" });
      throw new Error("expected failure");
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      const fields = (e as ValidationError).issues.map((i) => i.field);
      expect(fields).toEqual(expect.arrayContaining(["amount", "kind"]));
    }
  });

  test("refund fixture parses (partial amount)", () => {
    const r = parseRefundSessionRequest(fixture("refund-session.request.json"));
    expect(r).toMatchObject({
      paymentId: "Kq7vN2xPw4LmT9cRb6ZsY1dF",
      amount: { minor: 4990, currency: "PEN" },
    });
  });

  test("headers are read case-insensitively and the fixture headers pass", () => {
    const h = fixture<Record<string, string>>("session-request.headers.json");
    const lower = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
    expect(parseSessionHeaders(lower)).toEqual({
      shopDomain: "pe-demo.myshopify.com",
      requestId: "5b1e9c3a-2f47-4d8e-a6b0-7c9d1e2f3a4b",
      apiVersion: "2026-07",
    });
    expect(() => parseSessionHeaders({ ...lower, "shopify-api-version": "v1" })).toThrow(
      ValidationError,
    );
  });
});
