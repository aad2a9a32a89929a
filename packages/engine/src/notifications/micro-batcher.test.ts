import { MicroBatcher } from "./micro-batcher";

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("MicroBatcher", () => {
  it("runs a lone item by itself, and items submitted together as one batch", async () => {
    const runs: number[][] = [];
    const b = new MicroBatcher(
      async (items: number[]) => {
        runs.push(items);
        return items.map((i) => i * 10);
      },
      { maxSize: 10, concurrency: 1 },
    );
    expect(await b.submit(1)).toBe(10);
    expect(await Promise.all([b.submit(2), b.submit(3), b.submit(4)])).toEqual([20, 30, 40]);
    expect(runs).toEqual([[1], [2, 3, 4]]);
  });

  it("queues what arrives while `concurrency` runs are in flight, up to maxSize per run", async () => {
    const runs: number[][] = [];
    const gates: ReturnType<typeof deferred<void>>[] = [];
    const b = new MicroBatcher(
      async (items: number[]) => {
        runs.push(items);
        const gate = deferred<void>();
        gates.push(gate);
        await gate.promise;
        return items;
      },
      { maxSize: 3, concurrency: 2 },
    );
    const first = b.submit(1);
    await new Promise((r) => setImmediate(r));
    const second = b.submit(2);
    await new Promise((r) => setImmediate(r));
    // Two runs in flight: these wait.
    const rest = [3, 4, 5, 6, 7].map((i) => b.submit(i));
    await new Promise((r) => setImmediate(r));
    expect(runs).toEqual([[1], [2]]);
    expect(b.queued).toBe(5);
    gates[0]!.resolve();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(runs[2]).toEqual([3, 4, 5]);
    gates[1]!.resolve();
    await second;
    await new Promise((r) => setImmediate(r));
    expect(runs[3]).toEqual([6, 7]);
    gates[2]!.resolve();
    gates[3]!.resolve();
    expect(await Promise.all(rest)).toEqual([3, 4, 5, 6, 7]);
  });

  it("rejects every item of a failed run, and keeps serving later ones", async () => {
    let fail = true;
    const b = new MicroBatcher(
      async (items: string[]) => {
        if (fail) throw new Error("database down");
        return items;
      },
      { maxSize: 5, concurrency: 1 },
    );
    const failed = await Promise.allSettled([b.submit("a"), b.submit("b")]);
    expect(failed.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    expect(await b.submit("c")).toBe("c");
  });

  it("refuses a run that answers fewer items than it was given", async () => {
    const b = new MicroBatcher(async (items: number[]) => items.slice(1), {
      maxSize: 5,
      concurrency: 1,
    });
    const r = await Promise.allSettled([b.submit(1), b.submit(2)]);
    expect(r[0]).toMatchObject({ status: "fulfilled", value: 2 });
    expect(r[1]).toMatchObject({ status: "rejected" });
  });

  it("refuses nonsense options", () => {
    expect(() => new MicroBatcher(async () => [], { maxSize: 0, concurrency: 1 })).toThrow(
      RangeError,
    );
  });
});
