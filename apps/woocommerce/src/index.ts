export { loadConfig, type WooBridgeConfig } from "./config";
export * from "./ports";
export { InMemoryPendingAuthorizations, InMemoryReplayGuard, InMemoryTenantStore } from "./memory";
export { openSecret, sealSecret } from "./credential-box";
export { WooClient, type WooClientOptions, WEBHOOK_SECRET_PATTERN } from "./woo-client/client";
export {
  WooApiError,
  classifyWooError,
  parseWooErrorEnvelope,
  type WooErrorKind,
} from "./woo-client/errors";
export { withRetry, DEFAULT_RETRY, type RetryPolicy } from "./woo-client/retry";
export type { WooOrder, WooRefund, WooOrderNote, WooWebhook } from "./woo-client/types";
export {
  isWebhookPing,
  isWooWebhookSignatureValid,
  wooWebhookSignature,
} from "./webhooks/signature";
export {
  receiveOrderUpdated,
  type WebhookPorts,
  type WebhookResult,
} from "./webhooks/order-updated";
export {
  PLUGIN_HEADERS,
  PluginAuthError,
  pluginKeysOf,
  pluginStringToSign,
  signPluginRequest,
  verifyPluginRequest,
  type PluginKey,
  type PluginKeys,
  type RememberOutcome,
} from "./plugin-auth";
export {
  buildAuthorizeUrl,
  createWcAuthFlow,
  type WcAuthFlow,
  type WooClientFactory,
} from "./wc-auth";
export { createWooDeliverer, outcomeFor, type WooDelivererDeps } from "./woo-deliverer";
export { createWooBridgeApp, type WooBridgeDeps } from "./http/app";
