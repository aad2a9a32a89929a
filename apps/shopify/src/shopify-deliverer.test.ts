import type { OutboxKind, OutboxMessage, RefundView, TenantContext } from "./engine-ports";
import type { MutationResult, PaymentsAppsClient } from "./graphql/client";
import { createShopifyDeliverer, pendingExpiresAt, rejectReasonCode } from "./shopify-deliverer";
import { makeVoucher } from "../test/helpers";

type Call = { method: keyof PaymentsAppsClient; input: Record<string, unknown> };

function fakeClient(
  result: MutationResult<unknown> = { ok: true, payload: {}, alreadyDone: false, userErrors: [] },
) {
  const calls: Call[] = [];
  const rec =
    (method: keyof PaymentsAppsClient) =>
    async (_shop: unknown, input: Record<string, unknown>): Promise<MutationResult<never>> => {
      calls.push({ method, input });
      return result as MutationResult<never>;
    };
  const client = {
    paymentSessionPending: rec("paymentSessionPending"),
    paymentSessionResolve: rec("paymentSessionResolve"),
    paymentSessionReject: rec("paymentSessionReject"),
    refundSessionResolve: rec("refundSessionResolve"),
    refundSessionReject: rec("refundSessionReject"),
    paymentsAppConfigure: rec("paymentsAppConfigure"),
  } as unknown as PaymentsAppsClient;
  return { client, calls };
}

const tenant: TenantContext = {
  id: "t_1",
  platform: "shopify",
  shopDomain: "pe-demo.myshopify.com",
  platformCredentials: { accessToken: "shpat_x" },
};

const refund: RefundView = {
  id: "r_1",
  voucherId: "v_1",
  platformRefundId: "Hn3pQ8tVw1YzK5mXc7RbL2sD",
  status: "failed",
  amount: { minor: 4990, currency: "PEN" },
  failureReason: "cuenta bancaria no registrada",
};

function message(kind: OutboxKind, over: Partial<OutboxMessage["payload"]> = {}): OutboxMessage {
  return {
    id: "m_1",
    tenantId: "t_1",
    voucherId: "v_1",
    kind,
    payload: { voucher: makeVoucher(), refund, ...over },
    attempts: 0,
    createdAt: new Date("2026-03-14T15:05:00Z"),
  };
}

const GID = "gid://shopify/PaymentSession/Kq7vN2xPw4LmT9cRb6ZsY1dF";
const options = { apiVersion: "2026-07", pendingExpiryMarginMs: 3_600_000 };

describe("shopify deliverer", () => {
  test("voucher.pending → paymentSessionPending(BUYER_ACTION_REQUIRED) expiring after the CIP", async () => {
    const { client, calls } = fakeClient();
    const d = createShopifyDeliverer({ client, ...options });
    expect(await d.deliver(message("voucher.pending"), tenant)).toEqual({ status: "delivered" });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.method).toBe("paymentSessionPending");
    const input = calls[0]!.input as { id: string; pendingExpiresAt: Date; reason: string };
    expect(input.id).toBe(GID);
    expect(input.reason).toBe("BUYER_ACTION_REQUIRED");
    expect(input.pendingExpiresAt.getTime()).toBeGreaterThanOrEqual(
      makeVoucher().expiresAt.getTime(),
    );
  });

  test("voucher.paid → paymentSessionResolve", async () => {
    const { client, calls } = fakeClient();
    const d = createShopifyDeliverer({ client, ...options });
    expect(await d.deliver(message("voucher.paid"), tenant)).toEqual({ status: "delivered" });
    expect(calls).toEqual([{ method: "paymentSessionResolve", input: { id: GID } }]);
  });

  test("voucher.expired → paymentSessionReject with a version-valid code and a Spanish message", async () => {
    const { client, calls } = fakeClient();
    const d = createShopifyDeliverer({ client, ...options });
    await d.deliver(message("voucher.expired"), tenant);
    expect(calls).toEqual([
      {
        method: "paymentSessionReject",
        input: {
          id: GID,
          reason: {
            code: "CANCELLED_PAYMENT",
            merchantMessage: "El CIP 4821937 de PagoEfectivo venció sin pago.",
          },
        },
      },
    ]);
  });

  test("reject code falls back to PROCESSING_ERROR on versions without CANCELLED_PAYMENT", () => {
    expect(rejectReasonCode("2025-10")).toBe("PROCESSING_ERROR");
    expect(rejectReasonCode("2026-04")).toBe("PROCESSING_ERROR");
    expect(rejectReasonCode("2026-07")).toBe("CANCELLED_PAYMENT");
    expect(rejectReasonCode("unstable")).toBe("CANCELLED_PAYMENT");
  });

  test("voucher.cancelled by a shopper switch is NOT rejected (shopper goes to cancel_url)", async () => {
    const { client, calls } = fakeClient();
    const d = createShopifyDeliverer({ client, ...options });
    expect(await d.deliver(message("voucher.cancelled"), tenant)).toEqual({ status: "delivered" });
    expect(calls).toEqual([]);
  });

  test("voucher.cancelled by an admin rejects the session", async () => {
    const { client, calls } = fakeClient();
    const d = createShopifyDeliverer({ client, ...options });
    const voucher = makeVoucher({
      platformData: { gid: GID, merchantLocale: "en", cancelReason: "admin_cancelled" },
    });
    await d.deliver(message("voucher.cancelled", { voucher }), tenant);
    expect(calls[0]).toMatchObject({
      method: "paymentSessionReject",
      input: {
        reason: { merchantMessage: "PagoEfectivo CIP 4821937 was cancelled before payment." },
      },
    });
  });

  test("refund.succeeded → refundSessionResolve on the refund session gid", async () => {
    const { client, calls } = fakeClient();
    const d = createShopifyDeliverer({ client, ...options });
    await d.deliver(message("refund.succeeded"), tenant);
    expect(calls).toEqual([
      {
        method: "refundSessionResolve",
        input: { id: "gid://shopify/RefundSession/Hn3pQ8tVw1YzK5mXc7RbL2sD" },
      },
    ]);
  });

  test.each([
    ["es", "PagoEfectivo no pudo completar la devolución: cuenta bancaria no registrada"],
    ["en-US", "PagoEfectivo could not complete the refund: cuenta bancaria no registrada"],
  ])("refund.failed → refundSessionReject with a merchant message in %s", async (locale, text) => {
    const { client, calls } = fakeClient();
    const d = createShopifyDeliverer({ client, ...options });
    const voucher = makeVoucher({ platformData: { gid: GID, merchantLocale: locale } });
    await d.deliver(message("refund.failed", { voucher }), tenant);
    expect(calls[0]).toEqual({
      method: "refundSessionReject",
      input: {
        id: "gid://shopify/RefundSession/Hn3pQ8tVw1YzK5mXc7RbL2sD",
        reason: { code: "PROCESSING_ERROR", merchantMessage: text },
      },
    });
  });

  test("attention.raised is delivered without calling Shopify", async () => {
    const { client, calls } = fakeClient();
    const d = createShopifyDeliverer({ client, ...options });
    const out = await d.deliver(
      message("attention.raised", { attention: { kind: "paid_twice", detail: "x" } }),
      tenant,
    );
    expect(out).toEqual({ status: "delivered" });
    expect(calls).toEqual([]);
  });

  test.each([
    [{ ok: false, kind: "transient", message: "503" }, "retry"],
    [
      {
        ok: false,
        kind: "user_error",
        verdict: "retryable",
        userErrors: [],
        message: "not received",
      },
      "retry",
    ],
    [
      { ok: false, kind: "user_error", verdict: "conflict", userErrors: [], message: "rejected" },
      "failed",
    ],
    [
      { ok: false, kind: "user_error", verdict: "invalid", userErrors: [], message: "NOT_FOUND" },
      "failed",
    ],
    [{ ok: false, kind: "permanent", message: "401" }, "failed"],
    [{ ok: true, payload: {}, alreadyDone: true, userErrors: [] }, "delivered"],
  ] as const)("client result %j → %s", async (result, status) => {
    const { client } = fakeClient(result as MutationResult<unknown>);
    const d = createShopifyDeliverer({ client, ...options });
    expect((await d.deliver(message("voucher.paid"), tenant)).status).toBe(status);
  });

  test("missing gid or token → failed, nothing sent", async () => {
    const { client, calls } = fakeClient();
    const d = createShopifyDeliverer({ client, ...options });
    const voucher = makeVoucher({ platformData: {} });
    expect((await d.deliver(message("voucher.paid", { voucher }), tenant)).status).toBe("failed");
    expect(
      (await d.deliver(message("voucher.paid"), { ...tenant, platformCredentials: {} })).status,
    ).toBe("failed");
    expect(calls).toEqual([]);
  });

  test("pendingExpiresAt = CIP expiry + margin", () => {
    const v = makeVoucher();
    expect(pendingExpiresAt(v, 60_000).getTime()).toBe(v.expiresAt.getTime() + 60_000);
  });
});
