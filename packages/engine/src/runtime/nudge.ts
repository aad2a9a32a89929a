/**
 * Runs `fn` soon, coalescing bursts: at most one run in flight and one queued behind it. Used to
 * deliver the outbox right after a state change instead of waiting for the next polling round.
 * When `fn` returns `true` (another run has work to do) it is run again (up to `maxRounds`),
 * because outbox messages of one voucher are delivered in order, one per round: a `voucher.paid`
 * behind an undelivered `voucher.pending` needs a second round. A nudge while a run is in flight
 * always earns one more run after it, whatever `fn` returned.
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
    let more = false;
    do {
      again = false;
      rounds += 1;
      try {
        more = (await fn()) === true;
      } catch (e) {
        more = false;
        onError(e);
      }
    } while ((again || (more && rounds < maxRounds)) && !closed);
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
