import { JsonDecimal, jsonDecimal, rawJson } from "@pe-pay/core";
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

function decimals(_key: string, v: unknown): unknown {
  if (v instanceof JsonDecimal) return rawJson(v.toText());
  if (v instanceof SignedAmount) return rawJson(signedDecimal(v.minor));
  return v;
}

/**
 * JSON.stringify with JsonDecimal and SignedAmount written as bare two-decimal numbers, the way
 * core's stringifyWithDecimals writes JsonDecimal (both through core's rawJson, in one native
 * pass). Every answer and notification body goes through here. wire-json.test.ts compares the
 * output with core's on generated values.
 */
export function toWireJson(value: unknown): string {
  const text = JSON.stringify(value, decimals) as string | undefined;
  if (text === undefined) throw new TypeError("value has no JSON representation");
  return text;
}
