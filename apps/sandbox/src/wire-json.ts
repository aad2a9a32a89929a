import { JsonDecimal, jsonDecimal } from "@pe-pay/core";
import { signedDecimal } from "./settlement";

/**
 * Core's stringifyWithDecimals writes non-negative amounts only; settlement net amounts can be
 * negative (a day of refunds), so those are marked here and written as bare "-12.30" numbers.
 */
export class SignedAmount {
  constructor(readonly minor: number) {}
}

export function amount(minor: number): unknown {
  return minor < 0 ? new SignedAmount(minor) : jsonDecimal(minor);
}

/**
 * JSON.stringify with JsonDecimal and SignedAmount written as bare two-decimal numbers. Every
 * answer and notification body goes through here, so it writes the text in one walk instead of
 * core's marker-and-regex route (a random nonce, a replacer call per value and a regex per body),
 * which was most of the sandbox's CPU per request. The output is the same text
 * (wire-json.test.ts compares the two on generated values).
 */
export function toWireJson(value: unknown): string {
  const text = write(value, "");
  if (text === undefined) throw new TypeError("value has no JSON representation");
  return text;
}

function write(input: unknown, key: string): string | undefined {
  let v = input;
  if (
    typeof v === "object" &&
    v !== null &&
    typeof (v as { toJSON?: unknown }).toJSON === "function"
  ) {
    v = (v as { toJSON(key: string): unknown }).toJSON(key);
  }
  switch (typeof v) {
    case "string":
      return JSON.stringify(v);
    case "number":
      return Number.isFinite(v) ? String(v) : "null";
    case "boolean":
      return v ? "true" : "false";
    case "object":
      break;
    case "bigint":
      return JSON.stringify(v); // throws, as JSON.stringify does
    default:
      return undefined; // undefined, functions and symbols are left out
  }
  if (v === null) return "null";
  if (v instanceof JsonDecimal) return v.toText();
  if (v instanceof SignedAmount) return signedDecimal(v.minor);
  if (Array.isArray(v)) {
    let out = "[";
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out += ",";
      out += write(v[i], String(i)) ?? "null";
    }
    return `${out}]`;
  }
  if (v instanceof Number || v instanceof String || v instanceof Boolean) return JSON.stringify(v);
  let out = "{";
  let first = true;
  for (const k of Object.keys(v)) {
    const text = write((v as Record<string, unknown>)[k], k);
    if (text === undefined) continue;
    out += `${first ? "" : ","}${JSON.stringify(k)}:${text}`;
    first = false;
  }
  return `${out}}`;
}
