import { randomBytes } from "node:crypto";
import { formatDecimal } from "./money";

/**
 * PagoEfectivo wants amounts as JSON numbers with two decimals ("amount": 150.50). JSON.stringify
 * cannot print 150.50 (it prints 150.5) and building the number with float arithmetic is exactly
 * what we must not do, so amounts are marked with `JsonDecimal` and written verbatim.
 */
export class JsonDecimal {
  constructor(readonly minor: number) {}
  toText(): string {
    return formatDecimal(this.minor);
  }
}

export function jsonDecimal(minor: number): JsonDecimal {
  return new JsonDecimal(minor);
}

/** JSON.stringify that writes every JsonDecimal as a bare number with exactly two decimals. */
export function stringifyWithDecimals(value: unknown): string {
  const nonce = randomBytes(8).toString("hex");
  const marker = `__pe_decimal_${nonce}__`;
  const text = JSON.stringify(value, (_key, v: unknown) =>
    v instanceof JsonDecimal ? `${marker}${v.toText()}` : v,
  );
  return text.replace(new RegExp(`"${marker}(\\d+\\.\\d{2})"`, "g"), "$1");
}
