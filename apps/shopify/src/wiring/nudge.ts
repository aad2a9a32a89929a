/**
 * Runs `fn` soon, coalescing bursts: at most one run in flight and one queued behind it. Used to
 * deliver the outbox right after a state change instead of waiting for the next polling round.
 */
export function nudger(fn: () => Promise<unknown>, onError: (e: unknown) => void) {
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  const loop = async (): Promise<void> => {
    do {
      again = false;
      try {
        await fn();
      } catch (e) {
        onError(e);
      }
    } while (again && !closed);
  };
  return {
    nudge(): void {
      if (closed) return;
      if (running) {
        again = true;
        return;
      }
      running = loop().finally(() => {
        running = undefined;
      });
    },
    /** No new runs; resolves when the current one is done. */
    async close(): Promise<void> {
      closed = true;
      await running;
    },
  };
}
