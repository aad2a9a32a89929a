/**
 * Runs `fn` soon, coalescing bursts: at most one run in flight and one queued behind it. Used to
 * deliver the outbox right after a state change instead of waiting for the next polling round.
 * When `fn` returns `true` (it made progress) it is run again (up to `maxRounds`), because
 * outbox messages of one voucher are delivered in order, one per round: a `voucher.paid` behind
 * an undelivered `voucher.pending` needs a second round.
 */
export function nudger(
  fn: () => Promise<boolean | void>,
  onError: (e: unknown) => void,
  maxRounds = 10,
) {
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  const loop = async (): Promise<void> => {
    let rounds = 0;
    let progress = false;
    do {
      again = false;
      rounds += 1;
      try {
        progress = (await fn()) === true;
      } catch (e) {
        progress = false;
        onError(e);
      }
    } while ((again || (progress && rounds < maxRounds)) && !closed);
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
