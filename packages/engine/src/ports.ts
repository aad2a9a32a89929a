/**
 * The contract between the engine and the platform adapters (apps/shopify, apps/woocommerce).
 *
 * The engine decides; adapters translate. An adapter calls the `PaymentEngine` use cases when its
 * platform asks for something (start a payment, refund, cancel), and implements a
 * `PlatformDeliverer` that turns the engine's outbox messages into platform calls (Shopify
 * GraphQL mutations, WooCommerce REST updates). Outbox messages are delivered at least once and
 * in order per voucher, so every delivery must be idempotent on the platform side.
 */
import type { Currency, Money } from "@pe-pay/core";

export type Platform = "shopify" | "woocommerce";

export type VoucherStatus =
  "created" | "pending" | "paid" | "expired" | "cancelled" | "partially_refunded" | "refunded";

export interface ShopperContact {
  email: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
  documentType?: string;
  documentNumber?: string;
}

export interface CreateVoucherCommand {
  tenantId: string;
  /** The platform's idempotency key: Shopify payment session `id`, WooCommerce `store:order:attempt`. */
  idempotencyKey: string;
  /** Shopify `group` (all attempts of one checkout); WooCommerce order id. At most one paid voucher per group. */
  groupKey: string;
  /** What the merchant sees: Shopify order/session gid, WooCommerce order number. */
  platformReference: string;
  amount: Money;
  shopper: ShopperContact;
  /** Shopper-facing concept, e.g. "Pedido #1001". */
  paymentConcept: string;
  /** Shopify `test: true` → the merchant's sandbox credentials. */
  test: boolean;
  /** Adapter-specific data kept with the voucher and echoed in outbox payloads (e.g. Shopify gid, cancel_url). */
  platformData?: Record<string, unknown>;
}

export interface VoucherView {
  id: string;
  tenantId: string;
  status: VoucherStatus;
  cip: string | null;
  cipUrl: string | null;
  amount: Money;
  expiresAt: Date;
  paidAt: Date | null;
  /** Unguessable token for the hosted voucher page URL. */
  publicToken: string;
  platformReference: string;
  platformData: Record<string, unknown>;
}

export interface RequestRefundCommand {
  tenantId: string;
  /** Shopify refund session `id` / WooCommerce refund id: the idempotency key. */
  platformRefundId: string;
  /** The voucher, by the platform idempotency key used at creation (Shopify `payment_id`) or by id. */
  voucher: { idempotencyKey: string } | { voucherId: string };
  amount: Money;
  reason: string;
  platformData?: Record<string, unknown>;
}

export type RefundStatus = "requested" | "submitted" | "succeeded" | "failed";

export interface RefundView {
  id: string;
  voucherId: string;
  platformRefundId: string;
  status: RefundStatus;
  amount: Money;
  failureReason: string | null;
}

export interface IngestResult {
  /** The HTTP status to answer PagoEfectivo with (2xx only once durably stored). */
  httpStatus: number;
  outcome:
    "applied" | "duplicate" | "ignored" | "rejected_signature" | "unknown_tenant" | "invalid";
}

/** Use cases the adapters call. Implemented by the engine. */
export interface PaymentEngine {
  createVoucher(cmd: CreateVoucherCommand): Promise<VoucherView>;
  /** Shopper chose another method / admin cancelled an unpaid order: delete the CIP, then cancel. */
  cancelVoucher(cmd: {
    tenantId: string;
    voucherId: string;
    reason: "shopper_switched" | "admin_cancelled";
  }): Promise<VoucherView>;
  requestRefund(cmd: RequestRefundCommand): Promise<RefundView>;
  ingestNotification(req: {
    notificationToken: string;
    rawBody: Uint8Array;
    headers: Record<string, string | string[] | undefined>;
  }): Promise<IngestResult>;
  getVoucherByPublicToken(token: string): Promise<VoucherView | null>;
  getVoucherByIdempotencyKey(tenantId: string, key: string): Promise<VoucherView | null>;
}

/** Outbox message kinds the engine enqueues for the adapters. */
export type OutboxKind =
  | "voucher.pending" // CIP exists: Shopify paymentSessionPending
  | "voucher.paid" // Shopify paymentSessionResolve; WooCommerce status processing + transaction_id
  | "voucher.expired" // CIP deleted at PagoEfectivo; Shopify reject, WooCommerce cancelled
  | "voucher.cancelled" // shopper switched / admin cancelled; CIP deleted
  | "refund.succeeded" // Shopify refundSessionResolve; WooCommerce note
  | "refund.failed" // Shopify refundSessionReject; WooCommerce note + delete refund record
  | "attention.raised"; // a merchant must act (paid twice, paid after cancellation, mismatch)

export interface OutboxMessage {
  id: string;
  tenantId: string;
  voucherId: string;
  kind: OutboxKind;
  payload: {
    voucher: VoucherView;
    refund?: RefundView;
    attention?: { kind: string; detail: string };
  };
  attempts: number;
  createdAt: Date;
}

export type DeliveryOutcome =
  | { status: "delivered" }
  | { status: "retry"; error: string } // transient: backoff and try again (up to 72 h)
  | { status: "failed"; error: string }; // permanent: park as a dead letter the merchant sees

export interface TenantContext {
  id: string;
  platform: Platform;
  shopDomain: string;
  /** Decrypted platform credentials (Shopify access token, WooCommerce REST keys). Never log. */
  platformCredentials: Record<string, string>;
}

/** Implemented by each adapter: turns an outbox message into platform calls. */
export interface PlatformDeliverer {
  platform: Platform;
  deliver(message: OutboxMessage, tenant: TenantContext): Promise<DeliveryOutcome>;
}

export type { Currency };
