import { fixedClock } from "../clock";
import { createTokenCache, type IssuedToken } from "./token-cache";

function setup(issue: (n: number, now: Date) => IssuedToken, skewMs = 60_000) {
  const clock = fixedClock("2026-11-22T15:00:00Z");
  let calls = 0;
  const release: Array<() => void> = [];
  const cache = createTokenCache({
    clock,
    skewMs,
    authorize: () =>
      new Promise<IssuedToken>((resolve) => {
        const n = ++calls;
        release.push(() => resolve(issue(n, clock.now())));
      }),
  });
  return { clock, cache, calls: () => calls, release };
}

const hours = (n: number) => n * 3600_000;

describe("token cache", () => {
  it("single flight: concurrent get() share one authorization", async () => {
    const { cache, calls, release } = setup((n, now) => ({
      token: `t${n}`,
      expiresAt: new Date(now.getTime() + hours(2)),
    }));
    const all = Promise.all([cache.get(), cache.get(), cache.get()]);
    expect(calls()).toBe(1);
    release[0]!();
    expect(await all).toEqual(["t1", "t1", "t1"]);
  });

  it("invalidate only forgets the token that failed", async () => {
    const { cache, calls, release } = setup((n, now) => ({
      token: `t${n}`,
      expiresAt: new Date(now.getTime() + hours(2)),
    }));
    const first = cache.get();
    release[0]!();
    await first;
    cache.invalidate("stale-other-token");
    await expect(cache.get()).resolves.toBe("t1");
    cache.invalidate("t1");
    const second = cache.get();
    release[1]!();
    await expect(second).resolves.toBe("t2");
    expect(calls()).toBe(2);
  });

  it("uses the shorter of tokenExpires and our own measure of the lifetime", async () => {
    // PagoEfectivo's clock is 30 minutes ahead of ours: its tokenExpires alone would look
    // valid 30 minutes too long.
    const { cache, clock, calls, release } = setup((n, now) => ({
      token: `t${n}`,
      startsAt: new Date(now.getTime() + hours(0.5)),
      expiresAt: new Date(now.getTime() + hours(2.5)),
    }));
    const p = cache.get();
    release[0]!();
    await p;
    clock.advance(hours(2) - 61_000);
    await expect(cache.get()).resolves.toBe("t1");
    clock.advance(2_000);
    const q = cache.get();
    expect(calls()).toBe(2);
    release[1]!();
    await expect(q).resolves.toBe("t2");
  });

  it("a failed authorization is not cached", async () => {
    const clock = fixedClock("2026-11-22T15:00:00Z");
    let n = 0;
    const cache = createTokenCache({
      clock,
      authorize: async () => {
        if (++n === 1) throw new Error("down");
        return { token: "ok", expiresAt: new Date(clock.now().getTime() + hours(2)) };
      },
    });
    await expect(cache.get()).rejects.toThrow("down");
    await expect(cache.get()).resolves.toBe("ok");
    expect(cache.recentTokens()).toEqual(["ok"]);
  });
});
