import type { Logger } from "../logger";

export interface ShutdownOptions {
  close(): Promise<void>;
  logger: Pick<Logger, "info" | "error">;
  timeoutMs: number;
  /** Injected by tests; default: the process's. */
  exit?: (code: number) => void;
  on?: (signal: "SIGTERM" | "SIGINT", listener: () => void) => void;
}

/**
 * SIGTERM/SIGINT → a graceful close, then exit 0; exit 1 if closing fails or takes longer than
 * `timeoutMs`. A second signal while stopping is ignored.
 */
export function stopOnSignals(opts: ShutdownOptions): void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const on = opts.on ?? ((signal, listener) => process.on(signal, listener));
  const { logger } = opts;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      logger.error("shutdown timed out; exiting");
      exit(1);
    }, opts.timeoutMs);
    timer.unref();
    opts.close().then(
      () => exit(0),
      (e: unknown) => {
        logger.error({ err: (e as Error).message }, "shutdown failed");
        exit(1);
      },
    );
  };
  on("SIGTERM", () => stop("SIGTERM"));
  on("SIGINT", () => stop("SIGINT"));
}
