/**
 * The WooCommerce bridge process: `node --import tsx apps/woocommerce/src/main.ts`.
 *   main.ts admin-link <storeId>   prints a one-time (5 min) login link to the store's admin page.
 */
import { createLogger, stopOnSignals } from "@pe-pay/engine";
import { loadConfig } from "./config";
import { adminLoginUrl } from "./wiring/admin";
import { startBridge } from "./wiring/bridge";
import { bufferedLogger } from "./wiring/logger";

async function main(): Promise<void> {
  const config = loadConfig();
  const [command, arg] = process.argv.slice(2);

  if (command === "admin-link") {
    const bridge = await startBridge({
      config: { ...config, port: 0 },
      logger: createLogger({ name: "woocommerce", level: "warn" }),
      schedulers: false,
    });
    try {
      const store = arg ? await bridge.tenants.getWooStore(arg) : null;
      if (!store) throw new Error("unknown or disconnected store id");
      process.stdout.write(
        adminLoginUrl({
          publicUrl: config.publicUrl ?? `http://${config.host}:${config.port}`,
          storeId: store.storeId,
          pluginSecret: store.pluginSecret,
          timestamp: Math.floor(Date.now() / 1000),
        }) + "\n",
      );
    } finally {
      await bridge.close();
    }
    return;
  }

  const logs = bufferedLogger({ name: "woocommerce", level: config.logLevel });
  const logger = logs.logger;
  const bridge = await startBridge({ config, logger });
  stopOnSignals({
    close: async () => {
      await bridge.close();
      logs.stop();
    },
    logger,
    timeoutMs: config.shutdownTimeoutMs,
  });
}

main().catch((error: unknown) => {
  // Config errors name variables, never values.
  process.stderr.write(`woocommerce bridge failed to start: ${(error as Error).message}\n`);
  const issues = (error as { issues?: unknown }).issues;
  if (issues) process.stderr.write(`${JSON.stringify(issues)}\n`);
  process.exit(1);
});
