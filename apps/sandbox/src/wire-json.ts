import { jsonDecimal, stringifyWithDecimals } from "@pe-pay/core";
import { randomBytes } from "node:crypto";
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

export function toWireJson(value: unknown): string {
  const marker = `__pe_signed_${randomBytes(8).toString("hex")}__`;
  return stringifyWithDecimals(replaceSigned(value, marker)).replace(
    new RegExp(`"${marker}(-\\d+\\.\\d{2})"`, "g"),
    "$1",
  );
}

function replaceSigned(value: unknown, marker: string): unknown {
  if (value instanceof SignedAmount) return `${marker}${signedDecimal(value.minor)}`;
  if (Array.isArray(value)) return value.map((v) => replaceSigned(v, marker));
  if (value && typeof value === "object" && value.constructor === Object) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = replaceSigned(v, marker);
    return out;
  }
  return value;
}
