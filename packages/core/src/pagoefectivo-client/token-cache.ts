import type { Clock } from "../clock";

export interface IssuedToken {
  token: string;
  /** PagoEfectivo's `tokenStart`, when it sent one. */
  startsAt?: Date;
  expiresAt: Date;
}

export interface TokenCache {
  /** A token valid for at least `skewMs` more; concurrent callers share one authorization. */
  get(): Promise<string>;
  /** Forget `token` after a 401, unless a newer token already replaced it. */
  invalidate(token: string): void;
  /** Tokens issued recently, so they can be scrubbed from anything we write out. */
  recentTokens(): readonly string[];
}

export const DEFAULT_TOKEN_SKEW_MS = 60_000;

export function createTokenCache(opts: {
  authorize: () => Promise<IssuedToken>;
  clock: Clock;
  skewMs?: number;
}): TokenCache {
  const skewMs = opts.skewMs ?? DEFAULT_TOKEN_SKEW_MS;
  let current: { token: string; refreshAt: number } | undefined;
  let inflight: Promise<string> | undefined;
  const recent: string[] = [];

  function refreshAtFor(issued: IssuedToken, receivedAt: number): number {
    // Our clock and PagoEfectivo's may disagree; when tokenStart is present we also measure the
    // lifetime from when *we* received the token and keep the earlier of the two deadlines.
    let until = issued.expiresAt.getTime();
    if (issued.startsAt) {
      const lifetime = issued.expiresAt.getTime() - issued.startsAt.getTime();
      until = Math.min(until, receivedAt + lifetime);
    }
    return until - skewMs;
  }

  function start(): Promise<string> {
    const p = opts
      .authorize()
      .then((issued) => {
        const now = opts.clock.now().getTime();
        current = { token: issued.token, refreshAt: refreshAtFor(issued, now) };
        recent.push(issued.token);
        if (recent.length > 4) recent.shift();
        // The caller that asked gets this token even if it is already inside the skew window:
        // otherwise a short-lived token would make every call re-authorize forever.
        return issued.token;
      })
      .finally(() => {
        if (inflight === p) inflight = undefined;
      });
    inflight = p;
    return p;
  }

  return {
    get() {
      if (current && opts.clock.now().getTime() < current.refreshAt) {
        return Promise.resolve(current.token);
      }
      return inflight ?? start();
    },
    invalidate(token) {
      if (current?.token === token) current = undefined;
    },
    recentTokens: () => recent,
  };
}
