/**
 * What the Shopify adapter needs from the rest of the system, kept minimal so the engine (and its
 * storage) can implement it later. Nothing here is Shopify-wire-specific.
 */
import type { PaymentEngine } from "./engine-ports";

/** The engine use cases the session endpoints call. */
export type PaymentSessionUseCases = Pick<
  PaymentEngine,
  "createVoucher" | "requestRefund" | "getVoucherByIdempotencyKey"
>;

export interface ShopifyTenant {
  tenantId: string;
  shopDomain: string;
}

/** Installed shops. Tokens are encrypted at rest by the implementation; never logged here. */
export interface TenantStore {
  upsertShopifyTenant(input: {
    shopDomain: string;
    accessToken: string;
    scope: string;
    /** Present only if Shopify issued an expiring offline token. */
    refreshToken?: string;
    expiresInSeconds?: number;
  }): Promise<ShopifyTenant>;
  /** Uninstall: mark inactive and stop its schedules; keeps data until shop/redact. */
  deactivate(shopDomain: string): Promise<void>;
  /** Installed and active, or null (unknown / uninstalled). */
  findActiveShopifyTenant(shopDomain: string): Promise<ShopifyTenant | null>;
}

/** Shopify ids are int64: carried as decimal strings so nothing is lost to floats. */
export interface CustomerRef {
  id: string | null;
  email: string | null;
  phone: string | null;
}

export interface ComplianceHandlers {
  redactCustomer(input: {
    shopDomain: string;
    shopId: string;
    customer: CustomerRef;
    ordersToRedact: string[];
  }): Promise<void>;
  exportCustomerData(input: {
    shopDomain: string;
    shopId: string;
    customer: CustomerRef;
    ordersRequested: string[];
    dataRequestId: string | null;
  }): Promise<void>;
  redactShop(input: { shopDomain: string; shopId: string }): Promise<void>;
  uninstall(input: { shopDomain: string }): Promise<void>;
}

/**
 * Remembers processed `X-Shopify-Webhook-Id`s. Marked only after the handler succeeded, so a
 * failed delivery is processed again when Shopify retries it.
 */
export interface WebhookDeduper {
  isProcessed(webhookId: string): Promise<boolean>;
  markProcessed(webhookId: string): Promise<void>;
}

/** Bounded in-memory deduper for local runs and tests; production uses a durable table. */
export function inMemoryWebhookDeduper(capacity = 10_000): WebhookDeduper {
  const seen = new Set<string>();
  return {
    async isProcessed(id) {
      return seen.has(id);
    },
    async markProcessed(id) {
      seen.add(id);
      if (seen.size > capacity) {
        const oldest = seen.values().next().value;
        if (oldest !== undefined) seen.delete(oldest);
      }
    },
  };
}

/** Minimal structured logger (pino satisfies it). */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
