import { nudger } from "./nudge";
import { periodic } from "./periodic";

const tick = () => new Promise((r) => setImmediate(r));

describe("nudger", () => {
  it("coalesces a burst into one run in flight and one behind it", async () => {
    let runs = 0;
    let release!: () => void;
    const n = nudger(
      () =>
        new Promise<void>((r) => {
          runs += 1;
          release = r;
        }),
      () => {},
    );
    for (let i = 0; i < 10; i++) n.nudge();
    await tick();
    expect(runs).toBe(1);
    release();
    await tick();
    await tick();
    expect(runs).toBe(2);
    release();
    await n.close();
    expect(runs).toBe(2);
  });

  it("runs again while it makes progress, up to maxRounds, and survives errors", async () => {
    let runs = 0;
    const errors: unknown[] = [];
    const n = nudger(
      async () => {
        runs += 1;
        if (runs === 2) throw new Error("boom");
        return true;
      },
      (e) => errors.push(e),
      5,
    );
    n.nudge();
    await new Promise((r) => setTimeout(r, 20));
    await n.close();
    expect(runs).toBe(2);
    expect(errors).toHaveLength(1);
    let count = 0;
    const counted = nudger(
      async () => {
        count += 1;
        return true;
      },
      () => {},
      3,
    );
    counted.nudge();
    await new Promise((r) => setTimeout(r, 20));
    await counted.close();
    expect(count).toBe(3);
  });
});

describe("periodic", () => {
  it("never overlaps itself, logs failures and keeps going, and stop waits for the run", async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const logged: string[] = [];
    const task = periodic(
      "job",
      5,
      async () => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        runs += 1;
        await new Promise((r) => setTimeout(r, 15));
        active -= 1;
        if (runs === 1) throw new Error("first run fails");
      },
      { error: (_o, msg) => logged.push(msg ?? "") },
    );
    task.start();
    await new Promise((r) => setTimeout(r, 80));
    await task.stop();
    expect(maxActive).toBe(1);
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(logged.length).toBeGreaterThanOrEqual(1);
    const after = runs;
    await new Promise((r) => setTimeout(r, 30));
    expect(runs).toBe(after);
    expect(active).toBe(0);
  });
});
