/**
 * Exponential backoff with full jitter: the n-th failed attempt waits a uniformly random time in
 * [0, min(max, base · 2^(n-1))). Full jitter spreads retries of many messages that failed together
 * (a platform outage) instead of having them hammer the platform in waves.
 */
export function outboxBackoffMs(
  attempt: number,
  cfg: { baseDelayMs: number; maxDelayMs: number },
  random: () => number,
): number {
  const exp = Math.min(
    cfg.maxDelayMs,
    cfg.baseDelayMs * 2 ** Math.max(0, Math.min(attempt - 1, 40)),
  );
  return Math.floor(random() * exp);
}

/**
 * When to try again, or null to park the message as a dead letter: retries continue until
 * `maxAgeMs` after creation, and the last one is scheduled exactly at that deadline.
 */
export function nextOutboxAttempt(args: {
  now: Date;
  createdAt: Date;
  attempt: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxAgeMs: number;
  random: () => number;
}): Date | null {
  const deadline = args.createdAt.getTime() + args.maxAgeMs;
  if (args.now.getTime() >= deadline) return null;
  const delay = outboxBackoffMs(args.attempt, args, args.random);
  return new Date(Math.min(args.now.getTime() + delay, deadline));
}
