import fc from "fast-check";
import { backoffDelayMs, normalizeRetryPolicy } from "./retry";

describe("backoffDelayMs (full jitter)", () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1_000 };

  it("grows exponentially up to the cap", () => {
    const top = () => 0.9999999;
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, policy, top))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
  });

  it("always lies in [0, min(max, base·2^(n−1))) (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, r) => {
          const d = backoffDelayMs(n, policy, () => r);
          expect(Number.isInteger(d)).toBe(true);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(Math.min(1_000, 100 * 2 ** (n - 1)));
        },
      ),
    );
  });

  it("validates the policy", () => {
    expect(normalizeRetryPolicy(undefined).maxAttempts).toBe(3);
    expect(() => normalizeRetryPolicy({ maxAttempts: 0 })).toThrow(RangeError);
    expect(() => normalizeRetryPolicy({ baseDelayMs: -1 })).toThrow(RangeError);
  });
});
