/** Everything that depends on "now" takes a Clock, so tests and the sandbox can move time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(
  at: Date | string,
): Clock & { set(at: Date | string): void; advance(ms: number): void } {
  let current = new Date(at);
  return {
    now: () => new Date(current.getTime()),
    set(next) {
      current = new Date(next);
    },
    advance(ms) {
      current = new Date(current.getTime() + ms);
    },
  };
}

/** Lima is UTC−05:00 all year (no daylight saving since 1994). */
export const LIMA_OFFSET_MINUTES = -300;

/** ISO-8601 with the Lima offset and second precision: "2026-11-22T10:15:30-05:00". */
export function toLimaIso(date: Date): string {
  const shifted = new Date(date.getTime() + LIMA_OFFSET_MINUTES * 60_000);
  return `${shifted.toISOString().slice(0, 19)}-05:00`;
}
