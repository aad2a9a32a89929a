export interface MicroBatcherOptions {
  /** Most items one run takes. */
  maxSize: number;
  /** Runs in flight at once; items arriving meanwhile wait and form the next batch. */
  concurrency: number;
}

interface Waiting<I, R> {
  item: I;
  resolve(r: R): void;
  reject(e: unknown): void;
}

/**
 * Groups concurrent calls into batches without a timer: an idle batcher starts a run on the
 * next turn of the event loop (so calls arriving together share it), and while `concurrency`
 * runs are in flight new calls queue up and go together in the next one. Under light load a
 * batch is one item and waits for nothing; under heavy load batches grow, which is what keeps
 * per-item cost falling as the rate rises. `run` answers every item of its batch, in order; if
 * it throws, every item of that batch is rejected with the error.
 */
export class MicroBatcher<I, R> {
  private readonly queue: Waiting<I, R>[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly run: (items: I[]) => Promise<R[]>,
    private readonly opts: MicroBatcherOptions,
  ) {
    if (!(opts.maxSize >= 1) || !(opts.concurrency >= 1)) {
      throw new RangeError("MicroBatcher needs maxSize ≥ 1 and concurrency ≥ 1");
    }
  }

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.drain();
        });
      }
    });
  }

  /** Items waiting for a run (not counting those in flight). */
  get queued(): number {
    return this.queue.length;
  }

  private drain(): void {
    while (this.running < this.opts.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.opts.maxSize);
      this.running++;
      this.run(batch.map((w) => w.item))
        .then(
          (results) => {
            batch.forEach((w, i) => {
              if (i < results.length) w.resolve(results[i] as R);
              else w.reject(new Error("batch run returned fewer results than items"));
            });
          },
          (e: unknown) => batch.forEach((w) => w.reject(e)),
        )
        .finally(() => {
          this.running--;
          this.drain();
        });
    }
  }
}
