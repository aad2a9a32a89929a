import { toLimaIso } from "@pe-pay/core";

/**
 * Private Lima-calendar helpers. Core is getting a lima-time module; until then the sandbox keeps
 * these two small functions to itself (Lima is UTC−05:00 all year, so plain arithmetic is exact).
 */
export function limaDay(at: Date): string {
  return toLimaIso(at).slice(0, 10);
}

/** Start of a Lima calendar day ("2026-11-22") as an instant. */
export function limaDayStart(day: string): Date {
  return new Date(`${day}T00:00:00-05:00`);
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isValidDay(day: string): boolean {
  const m = DAY.exec(day);
  if (!m) return false;
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day;
}

/** Adds business days (Mon–Fri) to a Lima calendar day; holidays are ignored in the sandbox. */
export function addBusinessDays(day: string, n: number): string {
  const d = new Date(`${day}T12:00:00Z`);
  let left = n;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) left--;
  }
  return d.toISOString().slice(0, 10);
}

const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an ISO-8601 instant that carries an explicit offset; anything else is undefined. */
export function parseIsoInstant(text: unknown): Date | undefined {
  if (typeof text !== "string") return undefined;
  const m = ISO_WITH_OFFSET.exec(text);
  if (!m) return undefined;
  if (!isValidDay(`${m[1]}-${m[2]}-${m[3]}`)) return undefined;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : new Date(t);
}

export const DATE_SENTINEL = "1900-01-01T00:00:00-05:00";
