/**
 * A FIFO async mutex. PGlite is one connection: two callers that both ran BEGIN on it would share
 * (and corrupt) one transaction, so every statement and transaction queues here instead.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  async run<T>(fn: () => Promise<T>): Promise<T> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => next);
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
