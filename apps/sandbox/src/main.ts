import { loadConfig } from "./config";
import { startSandbox } from "./server";

/** `pnpm sandbox`: PagoEfectivo on localhost. State is in memory and reset on every restart. */
async function main(): Promise<void> {
  const config = loadConfig();
  const running = await startSandbox({
    port: config.port,
    host: config.host,
    publicUrl: config.publicUrl,
    merchants: config.merchants,
    ...(config.firstCip ? { firstCip: config.firstCip } : {}),
    logger: {
      info: (m) => console.log(m),
      warn: (m) => console.warn(m),
      error: (m) => console.error(m),
    },
  });
  console.log(
    `PagoEfectivo sandbox listening on ${running.url} (demo idService 1234; in-memory state)`,
  );
  const shutdown = (signal: string) => {
    console.log(`${signal} received, closing sandbox`);
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
