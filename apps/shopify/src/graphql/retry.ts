/** Exponential backoff with jitter: half the window fixed, half random, capped. */
export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  random: () => number;
}

export function backoffDelay(attempt: number, o: BackoffOptions): number {
  const window = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(window / 2 + o.random() * (window / 2));
}

export interface ThrottleStatus {
  requestedQueryCost?: number | null;
  currentlyAvailable?: number | null;
  restoreRate?: number | null;
}

/** Time until enough points are restored for the query, read from the response (never hardcoded). */
export function throttleDelay(cost: ThrottleStatus, o: BackoffOptions, attempt: number): number {
  const base = backoffDelay(attempt, o);
  const requested = cost.requestedQueryCost ?? 0;
  const available = cost.currentlyAvailable ?? 0;
  const rate = cost.restoreRate ?? 0;
  if (rate <= 0 || requested <= available) return base;
  const restoreMs = Math.ceil(((requested - available) / rate) * 1000);
  return Math.min(o.maxDelayMs, restoreMs + Math.round(o.random() * o.baseDelayMs));
}
