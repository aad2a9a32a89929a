import { loadConfig } from "./config";
import { startDemoStore } from "./server";

/** `pnpm --filter @pe-pay/demo-store start`. State is in memory and reset on every restart. */
async function main(): Promise<void> {
  const config = loadConfig();
  const running = await startDemoStore({
    port: config.port,
    host: config.host,
    ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
    shopifyAppUrl: config.shopifyAppUrl,
    wooBridgeUrl: config.wooBridgeUrl,
    ...(config.wooPlugin ? { wooPlugin: config.wooPlugin } : {}),
    ...(config.firstWooOrderId ? { firstWooOrderId: config.firstWooOrderId } : {}),
    settings: {
      shopifyApiKey: config.shopifyApiKey,
      shopifyApiSecret: config.shopifyApiSecret,
      paymentSessionPath: config.paymentSessionPath,
      refundSessionPath: config.refundSessionPath,
    },
    log: (m) => console.log(m),
  });
  const base = config.publicUrl ?? running.url;
  console.log(
    `Demo store listening on ${running.url} (in-memory state, reset on restart)\n` +
      `  Shopify app:  ${config.shopifyAppUrl}  → set its SHOPIFY_API_ORIGIN=${base}\n` +
      `  Woo bridge:   ${config.wooBridgeUrl}  → store URL ${base}/woo`,
  );
  const shutdown = (signal: string) => {
    console.log(`${signal} received, closing demo store`);
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
    setTimeout(() => process.exit(1), 5000).unref();
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
