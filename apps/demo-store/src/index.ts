export {
  createDemoStore,
  DEMO_SHOPIFY_API_KEY,
  DEMO_SHOPIFY_API_SECRET,
  DEMO_SHOPIFY_API_VERSION,
  type DemoStore,
  type DemoStoreOptions,
} from "./app";
export { startDemoStore, type RunningDemoStore, type StartDemoStoreOptions } from "./server";
export { loadConfig, type DemoStoreConfig } from "./config";
export { phpJsonEncode } from "./php-json";
export { pluginHeaders, pluginSignature } from "./woo/plugin";
export { webhookSignature } from "./woo/webhooks";
export { signQuery as shopifyQueryHmac } from "./shopify/oauth";
export type { DemoSettings } from "./context";
export type { MailMessage } from "./mail";
