import { nudger } from "./nudge";
import type { Logger } from "../logger";
import type { PeriodicTask } from "./periodic";

export interface BackgroundDeps {
  engine: { start(): void; stop(): Promise<void> };
  dispatcher: {
    start(intervalMs: number): void;
    stop(): Promise<void>;
    /** `more`: another round right away can deliver something (see DispatchResult). */
    runOnce(): Promise<{ more: boolean }>;
  };
  outboxIntervalMs: number;
  tasks: PeriodicTask[];
  logger: Pick<Logger, "warn">;
}

/**
 * An app process's background work: the engine's schedulers, the outbox dispatcher on its
 * interval and nudged after state changes, and the app's own periodic tasks.
 */
export function backgroundWork(deps: BackgroundDeps) {
  const { engine, dispatcher, tasks, logger } = deps;
  const outbox = nudger(
    // One voucher's messages go out one per round, in order: another round when this one
    // unblocked a voucher's next message (or left due ones behind), not after every delivery,
    // which on a quiet system would mostly be an empty claim. A nudge during a round (a message
    // enqueued after its claim) still gets a round of its own.
    async () => (await dispatcher.runOnce()).more,
    (e) => logger.warn({ err: (e as Error)?.message }, "outbox run failed"),
  );
  return {
    /** Delivers the outbox soon. */
    nudgeOutbox: () => outbox.nudge(),
    start(): void {
      engine.start();
      dispatcher.start(deps.outboxIntervalMs);
      for (const t of tasks) t.start();
    },
    /** Stops everything; resolves once the runs in flight have finished. */
    async stop(): Promise<void> {
      await Promise.all([
        engine.stop(),
        dispatcher.stop(),
        outbox.close(),
        ...tasks.map((t) => t.stop()),
      ]);
    },
  };
}
