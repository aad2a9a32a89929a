import type { Clock } from "@pe-pay/core";
import type { MailBox } from "./mail";
import type { ShopifyState } from "./shopify/state";
import type { WooState } from "./woo/state";

/** What every part of the demo store shares. `publicUrl` can be set after listen (port 0). */
export interface DemoContext {
  clock: Clock;
  fetch: typeof fetch;
  publicUrl(): string;
  shopifyAppUrl: string;
  wooBridgeUrl: string;
  shopify: ShopifyState;
  woo: WooState;
  mail: MailBox;
  settings: DemoSettings;
  log(message: string): void;
}

export interface DemoSettings {
  /** Shared with the Shopify app (its SHOPIFY_API_SECRET): signs OAuth redirects. */
  shopifyApiSecret: string;
  /** The app's client id (its SHOPIFY_API_KEY): used in the install link. */
  shopifyApiKey: string;
  shopifyApiVersion: string;
  paymentSessionPath: string;
  refundSessionPath: string;
  /** Longest `pendingExpiresAt` accepted (Shopify recommends ≤ 3 days; the real limit is unpublished). */
  pendingExpiryLimitMs: number;
  /** Timeout of every call the demo makes to the apps. */
  outboundTimeoutMs: number;
  /** Delay before a queued WooCommerce webhook is delivered (Action Scheduler stand-in). */
  webhookDelayMs: number;
}
