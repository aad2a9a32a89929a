import { supportsCancelledPaymentReason } from "./config/api-version";
import type {
  DeliveryOutcome,
  OutboxMessage,
  PlatformDeliverer,
  RefundView,
  TenantContext,
  VoucherView,
} from "./engine-ports";
import type { MutationResult, PaymentsAppsClient, ShopCredentials } from "./graphql/client";
import {
  merchantLocale,
  refundRejectedMessage,
  refundRejectionOf,
  voucherRejectedMessage,
} from "./merchant-messages";
import { silentLogger, type Logger } from "./ports";

/**
 * Turns engine outbox messages into Payments Apps mutations. Every mutation is idempotent per
 * (mutation, id) on Shopify's side, so at-least-once delivery is safe.
 *
 * Decision on `voucher.cancelled`: a shopper who switches to another payment method is sent to
 * `cancel_url` by the voucher page and the session is NOT rejected — a reject shows "can't be
 * processed" and blocks retrying with this provider (contract §3). Only an admin cancellation
 * (`platformData.cancelReason === "admin_cancelled"`) rejects, to finalise the pending order.
 * An unknown reason is treated as a shopper switch (the safe, retry-friendly choice).
 */
export interface ShopifyDelivererOptions {
  client: PaymentsAppsClient;
  apiVersion: string;
  /** pendingExpiresAt = CIP expiry + margin, so Shopify never gives up before the CIP does. */
  pendingExpiryMarginMs: number;
  logger?: Logger;
  /**
   * Told the Shopify thank-you page URL (`nextAction.context.redirectUrl`) that
   * paymentSessionPending returned, so the voucher page can send the shopper there.
   */
  onPaymentSessionRedirect?: (voucher: VoucherView, redirectUrl: string) => Promise<void>;
}

const PAYMENT_GID = /^gid:\/\/shopify\/PaymentSession\/[^/]+$/;
const REFUND_GID = /^gid:\/\/shopify\/RefundSession\/[^/]+$/;

export function rejectReasonCode(apiVersion: string): "CANCELLED_PAYMENT" | "PROCESSING_ERROR" {
  return supportsCancelledPaymentReason(apiVersion) ? "CANCELLED_PAYMENT" : "PROCESSING_ERROR";
}

export function pendingExpiresAt(voucher: VoucherView, marginMs: number): Date {
  return new Date(voucher.expiresAt.getTime() + marginMs);
}

function paymentGid(voucher: VoucherView): string | null {
  const gid = voucher.platformData?.gid;
  return typeof gid === "string" && PAYMENT_GID.test(gid) ? gid : null;
}

/** RefundView carries no platformData today; the gid format is fixed by the contract (§1.2). */
function refundGid(refund: RefundView): string | null {
  const stored = (refund as RefundView & { platformData?: Record<string, unknown> }).platformData
    ?.gid;
  if (typeof stored === "string" && REFUND_GID.test(stored)) return stored;
  return refund.platformRefundId ? `gid://shopify/RefundSession/${refund.platformRefundId}` : null;
}

function refundLocale(refund: RefundView): unknown {
  return (refund as RefundView & { platformData?: Record<string, unknown> }).platformData
    ?.merchantLocale;
}

export function outcomeOf(result: MutationResult<unknown>): DeliveryOutcome {
  if (result.ok) return { status: "delivered" };
  if (result.kind === "transient") return { status: "retry", error: result.message };
  if (result.kind === "user_error" && result.verdict === "retryable") {
    return { status: "retry", error: result.message };
  }
  if (result.kind === "user_error" && result.verdict === "conflict") {
    return {
      status: "failed",
      error: `Shopify session is already final in another state: ${result.message}`,
    };
  }
  return { status: "failed", error: result.message };
}

export function createShopifyDeliverer(options: ShopifyDelivererOptions): PlatformDeliverer {
  const logger = options.logger ?? silentLogger;
  const { client } = options;

  async function deliver(message: OutboxMessage, tenant: TenantContext): Promise<DeliveryOutcome> {
    const accessToken = tenant.platformCredentials.accessToken;
    if (!accessToken) return { status: "failed", error: "shop has no Shopify access token" };
    const shop: ShopCredentials = { shopDomain: tenant.shopDomain, accessToken };
    const { voucher, refund } = message.payload;
    const locale = merchantLocale(voucher.platformData?.merchantLocale);
    const ctx = { messageId: message.id, kind: message.kind, shop: tenant.shopDomain };

    const needPaymentGid = (): string | DeliveryOutcome => {
      const gid = paymentGid(voucher);
      return gid ?? { status: "failed", error: "voucher has no Shopify payment session gid" };
    };

    switch (message.kind) {
      case "attention.raised":
        // Shown in the app's dashboard; Shopify has nothing to call for it.
        return { status: "delivered" };
      case "voucher.pending": {
        const gid = needPaymentGid();
        if (typeof gid !== "string") return gid;
        const result = await client.paymentSessionPending(shop, {
          id: gid,
          pendingExpiresAt: pendingExpiresAt(voucher, options.pendingExpiryMarginMs),
          reason: "BUYER_ACTION_REQUIRED",
        });
        const redirectUrl = result.ok
          ? result.payload.paymentSession?.nextAction?.context?.redirectUrl
          : undefined;
        if (redirectUrl && options.onPaymentSessionRedirect) {
          // Only a convenience for the voucher page: failing to record it must not fail delivery.
          await options
            .onPaymentSessionRedirect(voucher, redirectUrl)
            .catch((e: unknown) =>
              logger.warn({ ...ctx, err: (e as Error).message }, "could not record redirectUrl"),
            );
        }
        return log(ctx, result);
      }
      case "voucher.paid": {
        const gid = needPaymentGid();
        if (typeof gid !== "string") return gid;
        return log(ctx, await client.paymentSessionResolve(shop, { id: gid }));
      }
      case "voucher.expired":
      case "voucher.cancelled": {
        if (
          message.kind === "voucher.cancelled" &&
          voucher.platformData?.cancelReason !== "admin_cancelled"
        ) {
          logger.info(
            ctx,
            "shopper switched payment method: session left for cancel_url, not rejected",
          );
          return { status: "delivered" };
        }
        const gid = needPaymentGid();
        if (typeof gid !== "string") return gid;
        const kind = message.kind === "voucher.expired" ? "expired" : "cancelled";
        const result = await client.paymentSessionReject(shop, {
          id: gid,
          reason: {
            code: rejectReasonCode(options.apiVersion),
            merchantMessage: voucherRejectedMessage(locale, kind, voucher.cip),
          },
        });
        return log(ctx, result);
      }
      case "refund.succeeded":
      case "refund.failed": {
        if (!refund) return { status: "failed", error: `${message.kind} without a refund payload` };
        const gid = refundGid(refund);
        if (!gid) return { status: "failed", error: "refund has no Shopify refund session id" };
        const result =
          message.kind === "refund.succeeded"
            ? await client.refundSessionResolve(shop, { id: gid })
            : await client.refundSessionReject(shop, {
                id: gid,
                reason: {
                  code: "PROCESSING_ERROR",
                  // The refund session carries its own merchant_locale (the admin's, at refund time).
                  merchantMessage: refundRejectedMessage(
                    merchantLocale(refundLocale(refund) ?? voucher.platformData?.merchantLocale),
                    refundRejectionOf(refund),
                  ),
                },
              });
        return log(ctx, result);
      }
      default: {
        const unknownKind: never = message.kind;
        return { status: "failed", error: `unknown outbox kind ${String(unknownKind)}` };
      }
    }
  }

  function log(ctx: object, result: MutationResult<unknown>): DeliveryOutcome {
    const outcome = outcomeOf(result);
    if (outcome.status === "delivered") {
      logger.info({ ...ctx, alreadyDone: result.ok && result.alreadyDone }, "delivered to Shopify");
    } else {
      logger.warn(
        { ...ctx, outcome: outcome.status, error: outcome.error },
        "Shopify delivery not done",
      );
    }
    return outcome;
  }

  return { platform: "shopify", deliver };
}
