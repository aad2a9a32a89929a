/**
 * The Shopify payments app process: `node --import tsx apps/shopify/src/main.ts`.
 * Configuration: see config/env.ts (Shopify) and config/runtime.ts (storage, PagoEfectivo, mail).
 */
import { createLogger, stopOnSignals } from "@pe-pay/engine";
import { describeConfig } from "./config/env";
import { loadRuntimeConfig } from "./config/runtime";
import { startShopifyServer } from "./wiring/server";

async function main(): Promise<void> {
  const bootLogger = createLogger({ name: "shopify" });
  const config = loadRuntimeConfig(process.env, bootLogger);
  const logger = createLogger({ name: "shopify", level: config.logLevel });
  logger.info(describeConfig(config.shopify), "configuration");
  const app = await startShopifyServer({ config, logger });

  stopOnSignals({ close: () => app.close(), logger, timeoutMs: config.shutdownTimeoutMs });
}

main().catch((error: unknown) => {
  // Config errors name variables, never values.
  process.stderr.write(`shopify app failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
