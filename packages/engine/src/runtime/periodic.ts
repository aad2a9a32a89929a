export interface PeriodicLogger {
  error(obj: object, msg?: string): void;
}

export interface PeriodicTask {
  start(): void;
  /** Stops scheduling and resolves once the run in flight (if any) has finished. */
  stop(): Promise<void>;
  /** Runs once now (or joins the run in flight). */
  runNow(): Promise<void>;
}

/**
 * A job that runs every `intervalMs`, never overlapping itself. Failures are logged and the
 * schedule goes on: a scheduler that dies on the first database hiccup is worse than a late run.
 */
export function periodic(
  name: string,
  intervalMs: number,
  run: () => Promise<unknown>,
  logger: PeriodicLogger,
): PeriodicTask {
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;
  let stopped = true;

  const once = (): Promise<void> => {
    current ??= (async () => {
      try {
        await run();
      } catch (error) {
        logger.error(
          { task: name, err: (error as Error)?.message ?? String(error) },
          "task failed",
        );
      } finally {
        current = undefined;
      }
    })();
    return current;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void once().then(schedule);
    }, intervalMs);
    timer.unref();
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
    runNow: once,
  };
}
