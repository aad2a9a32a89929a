export interface RetryPolicy {
  /** Total attempts including the first one (1 = never retry). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
};

/**
 * Exponential backoff with "full jitter": a uniform delay in [0, min(max, base·2^(n−1))).
 * Full jitter spreads the retries of many stores hitting the same PagoEfectivo outage, instead
 * of having them all come back in lockstep.
 * `retryNumber` is 1 for the delay before the second attempt.
 */
export function backoffDelayMs(
  retryNumber: number,
  policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">,
  random: () => number,
): number {
  const exp = policy.baseDelayMs * 2 ** Math.max(0, retryNumber - 1);
  const ceiling = Math.min(policy.maxDelayMs, exp);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * ceiling);
}

export function normalizeRetryPolicy(policy: Partial<RetryPolicy> | undefined): RetryPolicy {
  const p = { ...DEFAULT_RETRY_POLICY, ...policy };
  if (!Number.isInteger(p.maxAttempts) || p.maxAttempts < 1) {
    throw new RangeError("retry.maxAttempts must be an integer ≥ 1");
  }
  if (!(p.baseDelayMs >= 0) || !(p.maxDelayMs >= 0)) {
    throw new RangeError("retry delays must be ≥ 0");
  }
  return p;
}

export const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
