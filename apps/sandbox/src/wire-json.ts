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

/** JSON.rawJSON (Node ≥ 21): a value JSON.stringify writes as the given literal text. */
const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

function decimals(_key: string, v: unknown): unknown {
  if (v instanceof JsonDecimal) return rawJSON(v.toText());
  if (v instanceof SignedAmount) return rawJSON(signedDecimal(v.minor));
  return v;
}

/**
 * JSON.stringify with JsonDecimal and SignedAmount written as bare two-decimal numbers. Every
 * answer and notification body goes through here: amounts become raw JSON literals in one
 * native pass, instead of core's route (a random nonce, a string marker per amount and a regex
 * over the text, twice with the signed amounts), which was most of the sandbox's CPU per
 * request. The output is the same text (wire-json.test.ts compares the two on generated values).
 */
export function toWireJson(value: unknown): string {
  const text = JSON.stringify(value, decimals) as string | undefined;
  if (text === undefined) throw new TypeError("value has no JSON representation");
  return text;
}
