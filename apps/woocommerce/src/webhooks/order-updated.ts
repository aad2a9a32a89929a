import { readHeader, isAppError } from "@pe-pay/core";
import { z } from "zod";
import type { VoucherView } from "../engine-ports";
import type { BridgeEngine, OrderVoucherLookup, TenantStore } from "../ports";
import { isWebhookPing, isWooWebhookSignatureValid, WC_SIGNATURE_HEADER } from "./signature";

export const PAYMENT_METHOD_ID = "pagoefectivo";

/** The port the receiver needs: find our voucher for the order, cancel it. */
export interface WebhookPorts {
  tenants: Pick<TenantStore, "getWooStore">;
  /**
   * The store's webhook secret, possibly from a cache (`fresh` skips it); without it,
   * `tenants.getWooStore`. Null: unknown or disconnected store.
   */
  webhookSecretFor?(storeId: string, opts?: { fresh?: boolean }): Promise<string | null>;
  vouchers: OrderVoucherLookup;
  engine: Pick<BridgeEngine, "cancelVoucher">;
}

export type WebhookOutcome =
  | "ping"
  | "unknown_store"
  | "bad_signature"
  | "malformed"
  | "ignored_topic"
  | "not_pagoefectivo"
  | "unknown_order"
  | "no_action"
  | "cancelled_voucher"
  | "deferred";

export interface WebhookResult {
  httpStatus: number;
  outcome: WebhookOutcome;
}

const orderSchema = z
  .object({
    id: z.number().int().positive(),
    status: z.string(),
    payment_method: z.string().default(""),
  })
  .passthrough();

const UNPAID: ReadonlyArray<VoucherView["status"]> = ["created", "pending"];

/**
 * `order.updated` receiver. WooCommerce builds the payload when the job runs and coalesces
 * quick updates, so one delivery is a snapshot, not a transition: a cancelled order is compared
 * with OUR voucher state. That also makes our own PUT echoes no-ops (processing: not cancelled;
 * cancelled + voucher expired/cancelled).
 */
export async function receiveOrderUpdated(
  ports: WebhookPorts,
  req: {
    storeId: string;
    rawBody: Uint8Array;
    headers: Record<string, string | string[] | undefined>;
  },
): Promise<WebhookResult> {
  const signature = readHeader(req.headers, WC_SIGNATURE_HEADER);
  if (isWebhookPing(req.rawBody, signature)) return { httpStatus: 200, outcome: "ping" };

  const cached = ports.webhookSecretFor;
  const secretFor = cached
    ? (fresh: boolean) => cached(req.storeId, { fresh })
    : async () => (await ports.tenants.getWooStore(req.storeId))?.webhookSecret ?? null;
  let secret = await secretFor(false);
  if (!secret) return { httpStatus: 404, outcome: "unknown_store" };
  if (!isWooWebhookSignatureValid(req.rawBody, signature, secret)) {
    // A cached secret may predate a reconnect.
    secret = cached ? await secretFor(true) : null;
    if (!secret || !isWooWebhookSignatureValid(req.rawBody, signature, secret))
      return { httpStatus: 401, outcome: "bad_signature" };
  }
  const topic = readHeader(req.headers, "X-WC-Webhook-Topic");
  if (topic !== undefined && topic !== "order.updated")
    return { httpStatus: 200, outcome: "ignored_topic" };

  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(req.rawBody).toString("utf8"));
  } catch {
    return { httpStatus: 400, outcome: "malformed" };
  }
  const parsed = orderSchema.safeParse(json);
  if (!parsed.success) return { httpStatus: 400, outcome: "malformed" };
  const order = parsed.data;
  if (order.payment_method !== PAYMENT_METHOD_ID)
    return { httpStatus: 200, outcome: "not_pagoefectivo" };
  // Only a cancellation can call for anything, so the other saves of an order (our own PUT's
  // echo after every payment among them) are answered without reading the voucher.
  if (order.status !== "cancelled") return { httpStatus: 200, outcome: "no_action" };

  try {
    const voucher = await ports.vouchers.latestVoucherForOrder(req.storeId, order.id);
    if (!voucher) return { httpStatus: 200, outcome: "unknown_order" };
    if (UNPAID.includes(voucher.status)) {
      // The admin cancelled an unpaid order: delete the CIP so it can no longer be paid.
      await ports.engine.cancelVoucher({
        tenantId: req.storeId,
        voucherId: voucher.id,
        reason: "admin_cancelled",
      });
      return { httpStatus: 200, outcome: "cancelled_voucher" };
    }
    return { httpStatus: 200, outcome: "no_action" };
  } catch (error) {
    // WooCommerce never redelivers and disables the webhook after repeated failures, so a
    // transient failure is answered 200 and left to the polling reconciliation; a refusal
    // (e.g. the CIP was paid meanwhile) is equally final.
    if (isAppError(error) && !error.retryable) return { httpStatus: 200, outcome: "no_action" };
    return { httpStatus: 200, outcome: "deferred" };
  }
}
