import { LIMA_OFFSET_MINUTES } from "./clock";
import { ValidationError, type FieldIssue } from "./errors";

/**
 * Peru time helpers. Lima is UTC−05:00 all year, so everything here shifts by the fixed
 * `LIMA_OFFSET_MINUTES` instead of asking ICU for "America/Lima": no dependency on the tz data
 * bundled with the runtime, and the same answer in every environment. The wire format itself is
 * `toLimaIso` in clock.ts.
 */

const HOUR_MS = 3_600_000;
const SECOND_MS = 1_000;

export interface ExpiryPolicy {
  /** Longest validity accepted, in hours (e.g. a platform that voids pending orders at 72 h). */
  maxHours?: number;
  /** Shortest validity accepted, in hours: a shorter request is raised to it. */
  minHours?: number;
  /** Absolute latest expiry; wins over `minHours` (a hard limit beats a preference). */
  notAfter?: Date;
}

/**
 * `now + validityHours`, clamped to the policy, rounded down to the whole second (the wire
 * format has second precision, so the stored expiry equals what PagoEfectivo will echo back).
 * Throws ValidationError for a non-finite/non-positive validity, an inconsistent policy, or a
 * policy that leaves no time at all (e.g. `notAfter` already passed).
 */
export function computeExpiry(input: {
  now: Date;
  validityHours: number;
  policy?: ExpiryPolicy;
}): Date {
  const { now, validityHours, policy = {} } = input;
  assertValidDate(now, "now");
  const issues: FieldIssue[] = [];
  const positiveHours = (value: unknown, field: string) => {
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      issues.push({
        field,
        code: "invalid",
        message: `${field} must be a positive number of hours`,
      });
      return false;
    }
    return true;
  };
  positiveHours(validityHours, "validityHours");
  const hasMax = policy.maxHours !== undefined && positiveHours(policy.maxHours, "policy.maxHours");
  const hasMin = policy.minHours !== undefined && positiveHours(policy.minHours, "policy.minHours");
  if (hasMax && hasMin && policy.minHours! > policy.maxHours!) {
    issues.push({
      field: "policy.minHours",
      code: "inconsistent",
      message: "policy.minHours must not exceed policy.maxHours",
    });
  }
  const notAfter = policy.notAfter;
  if (notAfter !== undefined) {
    if (!(notAfter instanceof Date) || Number.isNaN(notAfter.getTime())) {
      issues.push({ field: "policy.notAfter", code: "invalid", message: "must be a valid date" });
    } else if (notAfter.getTime() <= now.getTime()) {
      issues.push({
        field: "policy.notAfter",
        code: "in_past",
        message: "policy.notAfter must be after now",
      });
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);

  let hours = validityHours;
  if (hasMin) hours = Math.max(hours, policy.minHours!);
  if (hasMax) hours = Math.min(hours, policy.maxHours!);
  let ms = now.getTime() + Math.round(hours * HOUR_MS);
  if (notAfter) ms = Math.min(ms, notAfter.getTime());
  ms = Math.floor(ms / SECOND_MS) * SECOND_MS;
  if (ms <= now.getTime()) {
    throw new ValidationError([
      {
        field: "dateExpiry",
        code: "too_short",
        message: "the expiry policy leaves less than one second of validity",
      },
    ]);
  }
  return new Date(ms);
}

/** Lima calendar day "YYYY-MM-DD": 2026-11-23T03:00Z is still "2026-11-22" in Lima. */
export function limaCalendarDay(date: Date): string {
  return limaParts(date).day;
}

const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Parses an ISO-8601 date-time such as "2026-11-22T10:15:30-05:00". Tolerates what public
 * clients were seen to send: "Z" or any offset (±HH:MM, ±HHMM, ±HH), a space instead of "T",
 * fractional seconds (cut to milliseconds), no seconds. A date-time without an offset is read as
 * Lima time, the only zone PagoEfectivo uses. Calendar fields are range-checked (no 2026-02-30).
 * The removal sentinel 1900-01-01T00:00:00-05:00 parses like any other date; test it with
 * `isRemovalSentinel`. Returns undefined for anything else.
 */
export function parseLimaIso(text: string): Date | undefined {
  if (typeof text !== "string") return undefined;
  const m = ISO_WITH_OFFSET.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].padEnd(3, "0").slice(0, 3));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const offsetMinutes = parseOffset(m[8]);
  if (offsetMinutes === undefined) return undefined;
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
  const utc = new Date(Date.UTC(2000, 0, 1, hour, minute, second, millis));
  utc.setUTCFullYear(year, month - 1, day);
  const ms = utc.getTime() - offsetMinutes * 60_000;
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

function parseOffset(text: string | undefined): number | undefined {
  if (text === undefined) return LIMA_OFFSET_MINUTES;
  if (text.toUpperCase() === "Z") return 0;
  const sign = text.startsWith("-") ? -1 : 1;
  const digits = text.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 14 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

const REMOVAL_SENTINEL =
  /^(?:1900|0001)-01-01[T ]00:00(?::00(?:[.,]0+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * True for PagoEfectivo's "not removed" placeholder in `dateRemoval`
 * ("1900-01-01T00:00:00-05:00"), whatever offset or fraction digits it is written with. .NET's
 * `DateTime.MinValue` ("0001-01-01T00:00:00") is accepted too: PagoEfectivo's backend is .NET
 * and an unset date can leak through in that form.
 */
export function isRemovalSentinel(text: unknown): boolean {
  return typeof text === "string" && REMOVAL_SENTINEL.test(text.trim());
}

export type DeadlineLocale = "es" | "en";

export const WEEKDAY_NAMES: Readonly<Record<DeadlineLocale, readonly string[]>> = {
  es: ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"],
  en: ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
};

export const MONTH_NAMES: Readonly<Record<DeadlineLocale, readonly string[]>> = {
  es: [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
  ],
  en: [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
  ],
};

/**
 * The shopper-facing deadline in Lima time, without the year (a CIP lives for days, not years):
 * es → "lunes 24 de noviembre, 10:15 a. m." (es-PE style: 12-hour clock, "a. m."/"p. m."),
 * en → "Monday, November 24, 10:15 AM". Plain spaces, not ICU's narrow no-break spaces, so the
 * text is identical in every runtime and in plain-text email.
 */
export function formatLimaDeadline(date: Date, locale: DeadlineLocale): string {
  const p = limaParts(date);
  const weekday = WEEKDAY_NAMES[locale][p.weekday]!;
  const month = MONTH_NAMES[locale][p.month - 1]!;
  const hour12 = p.hour % 12 === 0 ? 12 : p.hour % 12;
  const clock = `${hour12}:${pad2(p.minute)}`;
  const pm = p.hour >= 12;
  if (locale === "es") {
    return `${weekday} ${p.dayOfMonth} de ${month}, ${clock} ${pm ? "p. m." : "a. m."}`;
  }
  return `${weekday}, ${month} ${p.dayOfMonth}, ${clock} ${pm ? "PM" : "AM"}`;
}

/**
 * Compact 24-hour Lima date-time for tables: es → "24/11/2026 10:15" (day first, as in Peru),
 * en → "2026-11-24 10:15" (ISO order, because "11/24" vs "24/11" is ambiguous in English).
 */
export function formatLimaDateTimeShort(date: Date, locale: DeadlineLocale): string {
  const p = limaParts(date);
  const time = `${pad2(p.hour)}:${pad2(p.minute)}`;
  if (locale === "es") return `${pad2(p.dayOfMonth)}/${pad2(p.month)}/${p.yearText} ${time}`;
  return `${p.day} ${time}`;
}

interface LimaParts {
  /** "YYYY-MM-DD" */
  day: string;
  yearText: string;
  month: number;
  dayOfMonth: number;
  /** 0 = Sunday */
  weekday: number;
  hour: number;
  minute: number;
}

function limaParts(date: Date): LimaParts {
  assertValidDate(date, "date");
  // A Date shifted by the offset whose UTC fields read as Lima wall-clock time.
  const shifted = new Date(date.getTime() + LIMA_OFFSET_MINUTES * 60_000);
  const year = shifted.getUTCFullYear();
  const month = shifted.getUTCMonth() + 1;
  const dayOfMonth = shifted.getUTCDate();
  const yearText = year.toString().padStart(4, "0");
  return {
    day: `${yearText}-${pad2(month)}-${pad2(dayOfMonth)}`,
    yearText,
    month,
    dayOfMonth,
    weekday: shifted.getUTCDay(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
  };
}

function assertValidDate(date: unknown, name: string): asserts date is Date {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new RangeError(`${name} must be a valid Date`);
  }
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function pad2(n: number): string {
  return n.toString().padStart(2, "0");
}
