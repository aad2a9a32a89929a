import { ValidationError } from "./errors";

/**
 * Money is always an integer count of minor units (céntimos / cents) plus a currency.
 * Floats never carry an amount: decimal strings are parsed digit by digit and formatted back
 * the same way, so "149.90" → 14990 → "149.90" exactly.
 */
export const CURRENCIES = ["PEN", "USD"] as const;
export type Currency = (typeof CURRENCIES)[number];

export interface Money {
  readonly minor: number;
  readonly currency: Currency;
}

/** Default ceiling for a single charge: S/ 1,000,000.00. Callers may pass their own. */
export const DEFAULT_MAX_MINOR = 100_000_000;

const DECIMAL = /^(0|[1-9]\d{0,14})(?:\.(\d{1,2}))?$/;

export function isCurrency(value: unknown): value is Currency {
  return typeof value === "string" && (CURRENCIES as readonly string[]).includes(value);
}

export interface ParseMoneyOptions {
  /** Name reported in the field-level error, e.g. "amount". */
  field?: string;
  /** Largest accepted amount in minor units (inclusive). */
  maxMinor?: number;
  /** Whether 0.00 is acceptable (a charge never is; a refund of nothing neither). */
  allowZero?: boolean;
}

/** Parses a decimal string such as "149.90" (Shopify) or "18.50" (WooCommerce) exactly. */
export function parseMoney(
  amount: unknown,
  currency: unknown,
  opts: ParseMoneyOptions = {},
): Money {
  const field = opts.field ?? "amount";
  const issues = [];
  let minor: number | undefined;
  if (typeof amount !== "string" || amount.trim() === "") {
    issues.push({ field, code: "required", message: "amount must be a non-empty decimal string" });
  } else {
    const parsed = parseDecimalToMinor(amount.trim());
    if (parsed.ok) minor = parsed.minor;
    else issues.push({ field, code: parsed.code, message: parsed.message });
  }
  if (minor !== undefined) {
    const max = opts.maxMinor ?? DEFAULT_MAX_MINOR;
    if (minor === 0 && !opts.allowZero) {
      issues.push({ field, code: "too_small", message: "amount must be greater than zero" });
    } else if (minor > max) {
      issues.push({
        field,
        code: "too_large",
        message: `amount must not exceed ${formatDecimal(max)}`,
      });
    }
  }
  if (!isCurrency(currency)) {
    issues.push({ field: "currency", code: "unsupported", message: "currency must be PEN or USD" });
  }
  if (issues.length > 0 || minor === undefined) throw new ValidationError(issues);
  return { minor, currency: currency as Currency };
}

type DecimalResult = { ok: true; minor: number } | { ok: false; code: string; message: string };

export function parseDecimalToMinor(text: string): DecimalResult {
  if (text.startsWith("-")) {
    return { ok: false, code: "negative", message: "amount must not be negative" };
  }
  if (/e/i.test(text)) {
    return { ok: false, code: "invalid_format", message: "exponent notation is not accepted" };
  }
  const m = DECIMAL.exec(text);
  if (!m) {
    if (/^\d+\.\d{3,}$/.test(text)) {
      return { ok: false, code: "too_many_decimals", message: "at most 2 decimals are allowed" };
    }
    return { ok: false, code: "invalid_format", message: 'expected a decimal like "149.90"' };
  }
  const units = Number(m[1]);
  const cents = Number((m[2] ?? "").padEnd(2, "0"));
  const minor = units * 100 + cents;
  if (!Number.isSafeInteger(minor)) {
    return { ok: false, code: "too_large", message: "amount is too large" };
  }
  return { ok: true, minor };
}

/**
 * Converts an amount PagoEfectivo sent as a JSON number (already parsed by JSON.parse) into
 * minor units. `String(n)` is the shortest round-trip text, so 150.5 → "150.5" exactly; anything
 * with more than 2 decimals or an exponent is refused rather than rounded.
 */
export function minorFromJsonNumber(value: number | string): number | undefined {
  const text = typeof value === "number" ? String(value) : value.trim();
  if (typeof value === "number" && !Number.isFinite(value)) return undefined;
  const parsed = parseDecimalToMinor(text);
  return parsed.ok ? parsed.minor : undefined;
}

/** "150.50" from 15050: used for PagoEfectivo bodies and WooCommerce strings. */
export function formatDecimal(minor: number): string {
  if (!Number.isSafeInteger(minor) || minor < 0)
    throw new RangeError(`invalid minor amount ${minor}`);
  const units = Math.floor(minor / 100);
  const cents = minor % 100;
  return `${units}.${cents.toString().padStart(2, "0")}`;
}

const SHOPPER_SYMBOL: Record<Currency, string> = { PEN: "S/", USD: "US$" };

/** Shopper-facing amount in es-PE style: "S/ 1,234.50", "US$ 25.00". */
export function formatMoneyForShopper(money: Money): string {
  const [units, cents] = formatDecimal(money.minor).split(".") as [string, string];
  const grouped = units.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${SHOPPER_SYMBOL[money.currency]} ${grouped}.${cents}`;
}

export function money(minor: number, currency: Currency): Money {
  if (!Number.isSafeInteger(minor) || minor < 0)
    throw new RangeError(`invalid minor amount ${minor}`);
  return { minor, currency };
}

export function sameMoney(a: Money, b: Money): boolean {
  return a.minor === b.minor && a.currency === b.currency;
}
