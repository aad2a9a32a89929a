import { readFileSync } from "node:fs";
import {
  isWebhookPing,
  isWooWebhookSignatureValid,
  wooWebhookSignature,
} from "../src/webhooks/signature";
import { receiveOrderUpdated, type WebhookPorts } from "../src/webhooks/order-updated";
import type { WooStoreRecord } from "../src/ports";
import { ConflictError, UnavailableError } from "@pe-pay/core";
import { fixtureBytes, fixturePath, voucher } from "./support/woo-fakes";
import type { VoucherView } from "../src/engine-ports";

const SECRET = "pe_whsec_7Qm2Vx9LkR4tZ8bN3cHs6Jd1Fw5Gy0Ua";
const body = fixtureBytes("webhook.order-updated.body.json");
const headers = JSON.parse(
  readFileSync(fixturePath("webhook.order-updated.headers.json"), "utf8"),
) as Record<string, string>;

test("the contract's signature vector, over the exact 4178 bytes", () => {
  expect(body.length).toBe(4178);
  expect(wooWebhookSignature(body, SECRET)).toBe("QWDaYSNBM10clWFtBF4TaAsShB5ND6iDlOYOV2Ob7LM=");
  expect(isWooWebhookSignatureValid(body, headers["X-WC-Webhook-Signature"], SECRET)).toBe(true);
  // Re-serialising the JSON changes the bytes (\/ and \u00e9 escapes): verification must fail.
  const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString("utf8"))));
  expect(isWooWebhookSignatureValid(reserialised, headers["X-WC-Webhook-Signature"], SECRET)).toBe(
    false,
  );
  expect(isWooWebhookSignatureValid(body, "not base64", SECRET)).toBe(false);
  expect(isWooWebhookSignatureValid(body, undefined, SECRET)).toBe(false);
});

test("the ping is recognised only when unsigned", () => {
  const ping = fixtureBytes("webhook.ping.body.txt");
  expect(isWebhookPing(ping, undefined)).toBe(true);
  expect(isWebhookPing(ping, "abc")).toBe(false);
  expect(isWebhookPing(Buffer.from("webhook_id=7&x=1"), undefined)).toBe(false);
});

function ports(current: VoucherView | null) {
  const store: WooStoreRecord = {
    storeId: "wc_store1",
    storeUrl: "https://tienda.example.pe",
    consumerKey: "ck",
    consumerSecret: "cs",
    keyId: 14,
    webhookSecret: SECRET,
    webhookId: 7,
    pluginSecret: "p",
    connectedAt: new Date(0),
  };
  const cancelVoucher = jest.fn(
    async (cmd: {
      tenantId: string;
      voucherId: string;
      reason: "shopper_switched" | "admin_cancelled";
    }) => ({ ...current!, status: "cancelled" as const, id: cmd.voucherId }),
  );
  const lookup = jest.fn(async () => current);
  const p = {
    tenants: { getWooStore: async (id: string) => (id === store.storeId ? store : null) },
    vouchers: { latestVoucherForOrder: lookup },
    engine: { cancelVoucher },
  } satisfies WebhookPorts;
  return { p, cancelVoucher, lookup };
}

const sign = (b: Buffer) => ({
  ...headers,
  "X-WC-Webhook-Signature": wooWebhookSignature(b, SECRET),
});
const withStatus = (status: string, paymentMethod = "pagoefectivo") =>
  Buffer.from(
    body
      .toString("utf8")
      .replace('"status":"processing"', `"status":"${status}"`)
      .replace('"payment_method":"pagoefectivo"', `"payment_method":"${paymentMethod}"`),
  );

describe("order.updated receiver", () => {
  test("the fixture delivery (our own paid echo) verifies and does nothing, without a lookup", async () => {
    const { p, cancelVoucher, lookup } = ports(voucher({ status: "paid" }));
    await expect(
      receiveOrderUpdated(p, { storeId: "wc_store1", rawBody: body, headers }),
    ).resolves.toEqual({ httpStatus: 200, outcome: "no_action" });
    expect(cancelVoucher).not.toHaveBeenCalled();
    expect(lookup).not.toHaveBeenCalled();
  });

  test("a save with any status but cancelled reads no voucher and changes nothing, even for an unpaid one", async () => {
    for (const status of ["pending", "on-hold", "failed", "processing", "completed", "refunded"]) {
      const { p, cancelVoucher, lookup } = ports(voucher({ status: "pending" }));
      const b = withStatus(status);
      await expect(
        receiveOrderUpdated(p, { storeId: "wc_store1", rawBody: b, headers: sign(b) }),
      ).resolves.toEqual({ httpStatus: 200, outcome: "no_action" });
      expect(lookup).not.toHaveBeenCalled();
      expect(cancelVoucher).not.toHaveBeenCalled();
    }
  });

  test("admin cancelled an unpaid order → cancelVoucher(admin_cancelled)", async () => {
    const { p, cancelVoucher } = ports(voucher({ status: "pending" }));
    const b = withStatus("cancelled");
    await expect(
      receiveOrderUpdated(p, { storeId: "wc_store1", rawBody: b, headers: sign(b) }),
    ).resolves.toMatchObject({ outcome: "cancelled_voucher" });
    expect(cancelVoucher).toHaveBeenCalledWith({
      tenantId: "wc_store1",
      voucherId: "vch_1",
      reason: "admin_cancelled",
    });
  });

  test("our own cancellation echo (voucher expired) is ignored", async () => {
    const { p, cancelVoucher } = ports(voucher({ status: "expired" }));
    const b = withStatus("cancelled");
    await expect(
      receiveOrderUpdated(p, { storeId: "wc_store1", rawBody: b, headers: sign(b) }),
    ).resolves.toMatchObject({ outcome: "no_action" });
    expect(cancelVoucher).not.toHaveBeenCalled();
  });

  test("other payment methods are filtered out before any lookup", async () => {
    const { p, lookup } = ports(voucher());
    const b = withStatus("cancelled", "bacs");
    await expect(
      receiveOrderUpdated(p, { storeId: "wc_store1", rawBody: b, headers: sign(b) }),
    ).resolves.toMatchObject({ httpStatus: 200, outcome: "not_pagoefectivo" });
    expect(lookup).not.toHaveBeenCalled();
  });

  test("ping → 200 without processing, even before the store exists", async () => {
    const { p, lookup } = ports(voucher());
    await expect(
      receiveOrderUpdated(p, {
        storeId: "unknown",
        rawBody: fixtureBytes("webhook.ping.body.txt"),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
    ).resolves.toEqual({ httpStatus: 200, outcome: "ping" });
    expect(lookup).not.toHaveBeenCalled();
  });

  test("bad signature → 401, malformed signed body → 400, unknown store → 404; no engine call", async () => {
    const { p, cancelVoucher, lookup } = ports(voucher());
    const tampered = withStatus("cancelled");
    expect(
      await receiveOrderUpdated(p, { storeId: "wc_store1", rawBody: tampered, headers }),
    ).toEqual({ httpStatus: 401, outcome: "bad_signature" });
    const junk = Buffer.from("{not json");
    expect(
      await receiveOrderUpdated(p, { storeId: "wc_store1", rawBody: junk, headers: sign(junk) }),
    ).toEqual({ httpStatus: 400, outcome: "malformed" });
    const shape = Buffer.from('{"id":"x"}');
    expect(
      await receiveOrderUpdated(p, { storeId: "wc_store1", rawBody: shape, headers: sign(shape) }),
    ).toEqual({ httpStatus: 400, outcome: "malformed" });
    expect(await receiveOrderUpdated(p, { storeId: "nope", rawBody: body, headers })).toEqual({
      httpStatus: 404,
      outcome: "unknown_store",
    });
    expect(lookup).not.toHaveBeenCalled();
    expect(cancelVoucher).not.toHaveBeenCalled();
  });

  test("engine failures are answered 200 (WooCommerce never redelivers; polling reconciles)", async () => {
    const b = withStatus("cancelled");
    const a = ports(voucher());
    a.cancelVoucher.mockRejectedValueOnce(new UnavailableError("db down"));
    expect(
      await receiveOrderUpdated(a.p, { storeId: "wc_store1", rawBody: b, headers: sign(b) }),
    ).toEqual({ httpStatus: 200, outcome: "deferred" });
    a.cancelVoucher.mockRejectedValueOnce(new ConflictError("paid meanwhile"));
    expect(
      await receiveOrderUpdated(a.p, { storeId: "wc_store1", rawBody: b, headers: sign(b) }),
    ).toEqual({ httpStatus: 200, outcome: "no_action" });
  });

  test("a cached secret older than a reconnect is re-read once; a wrong signature stays refused", async () => {
    const { p, lookup } = ports(voucher());
    const reads: boolean[] = [];
    const cached = {
      ...p,
      // The cache still holds the secret of the previous connection; a fresh read has the new one.
      webhookSecretFor: async (id: string, opts?: { fresh?: boolean }) => {
        reads.push(Boolean(opts?.fresh));
        if (id !== "wc_store1") return null;
        return opts?.fresh ? SECRET : "previousSecret0000000000000";
      },
    } satisfies WebhookPorts;
    expect(
      await receiveOrderUpdated(cached, { storeId: "wc_store1", rawBody: body, headers }),
    ).toEqual({ httpStatus: 200, outcome: "no_action" });
    expect(reads).toEqual([false, true]);
    // A processing order: nothing to look up.
    expect(lookup).not.toHaveBeenCalled();

    const forged = {
      ...headers,
      "X-WC-Webhook-Signature": wooWebhookSignature(body, "x".repeat(30)),
    };
    expect(
      await receiveOrderUpdated(cached, { storeId: "wc_store1", rawBody: body, headers: forged }),
    ).toEqual({ httpStatus: 401, outcome: "bad_signature" });
    expect(await receiveOrderUpdated(cached, { storeId: "nope", rawBody: body, headers })).toEqual({
      httpStatus: 404,
      outcome: "unknown_store",
    });
  });
});
