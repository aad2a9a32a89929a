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

type RawJson = (text: string) => unknown;
const nativeRawJson = (JSON as unknown as { rawJSON?: RawJson }).rawJSON;

/**
 * JSON.rawJSON (Node ≥ 21, we require 22): a value JSON.stringify writes as the given literal
 * text. `text` must be a JSON primitive literal (a number here); anything else throws.
 * Shared with the sandbox's wire writer so both sides write amounts the same way.
 */
export const rawJson: RawJson =
  typeof nativeRawJson === "function"
    ? nativeRawJson
    : () => {
        throw new Error("JSON.rawJSON is missing: PagoEfectivo bodies need Node.js 22 or later");
      };

function writeDecimals(_key: string, v: unknown): unknown {
  return v instanceof JsonDecimal ? rawJson(v.toText()) : v;
}

/**
 * JSON.stringify that writes every JsonDecimal as a bare number with exactly two decimals.
 * Each amount becomes a raw JSON literal in the one native pass, so no text written by a shopper
 * can ever be mistaken for an amount (the previous marker-and-regex route needed a random nonce
 * per call for that, and cost more than the stringify itself).
 */
export function stringifyWithDecimals(value: unknown): string {
  const text = JSON.stringify(value, writeDecimals) as string | undefined;
  if (text === undefined) throw new TypeError("value has no JSON representation");
  return text;
}
