import { parseDecimalToMinor, DEFAULT_MAX_MINOR } from "@pe-pay/core";
import type { z } from "zod";
import { validationError, type PeFieldError } from "./errors";
import type { ParsedJson } from "./json-body";

/**
 * Field error codes inside the 111 envelope. 313 for userEmail is the one PagoEfectivo example;
 * the rest are the sandbox's own, one number per field (the message tells required from invalid).
 */
export const FIELD_CODES: Record<string, number> = {
  body: 300,
  currency: 310,
  amount: 311,
  transactionCode: 312,
  userEmail: 313,
  dateExpiry: 314,
  adminEmail: 315,
  paymentConcept: 316,
  additionalData: 317,
  userId: 318,
  userName: 319,
  userLastName: 320,
  userUbigeo: 321,
  userCountry: 322,
  userDocumentType: 323,
  userDocumentNumber: 324,
  userCodeCountry: 325,
  userPhone: 326,
  serviceId: 327,
  accessKey: 330,
  idService: 331,
  dateRequest: 332,
  hashString: 333,
  data: 334,
  cip: 335,
  transactionId: 340,
  reason: 341,
  reference: 342,
  invoiceNumber: 343,
  date: 350,
  channel: 360,
  offsetMs: 361,
  notificationUrl: 362,
  feePercent: 363,
  secretKey: 364,
  codeService: 365,
  reasonCode: 366,
  force: 367,
  notifications: 368,
  api: 369,
};

const LABELS: Record<string, string> = {
  userEmail: "El email",
  adminEmail: "El email del comercio",
};

export function fieldError(
  field: string,
  kind: "required" | "invalid",
  detail?: string,
): PeFieldError {
  const root = field.split(/[.[]/)[0] ?? field;
  const label = LABELS[field] ?? `El campo ${field}`;
  const message =
    kind === "required"
      ? `${label} es requerido.`
      : `${label} no es válido.${detail ? ` ${detail}` : ""}`;
  return { code: FIELD_CODES[root] ?? 300, field, message };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === "string" && v.trim() === "");
}

/**
 * Runs a zod object schema and reports at most one error per field, in schema order, each as
 * "required" (absent/blank) or "invalid". Returns the parsed value only when nothing is wrong.
 */
export class FieldErrors {
  private errors = new Map<string, PeFieldError>();

  add(e: PeFieldError): void {
    if (!this.errors.has(e.field)) this.errors.set(e.field, e);
  }
  has(field: string): boolean {
    return this.errors.has(field);
  }
  get size(): number {
    return this.errors.size;
  }
  throwIfAny(): void {
    if (this.errors.size > 0) throw validationError([...this.errors.values()]);
  }

  check<S extends z.ZodType>(schema: S, input: Record<string, unknown>): z.infer<S> | undefined {
    const result = schema.safeParse(input);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const field = issue.path
        .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
        .join("");
      const name = field || "body";
      const value = issue.path.length === 1 ? input[String(issue.path[0])] : undefined;
      const blank = issue.path.length === 1 && isBlank(value);
      // zod's own messages are English and technical; only our custom ones are shown.
      const custom = !/^(Invalid|Too|Expected|Unrecognized)/.test(issue.message);
      const detail = custom ? issue.message : undefined;
      this.add(fieldError(name, blank ? "required" : "invalid", blank ? undefined : detail));
    }
    return undefined;
  }
}

/** Requires an object body; anything else (array, string, number) is a single body error. */
export function requireObject(parsed: ParsedJson): Record<string, unknown> {
  if (!isObject(parsed.value)) {
    throw validationError([fieldError("body", "invalid", "Se esperaba un objeto JSON.")]);
  }
  return parsed.value;
}

/**
 * An amount must be a JSON number written with at most 2 decimals, positive and not above the
 * maximum; judged on the literal text so "150.500" or "1.5e2" are refused, not rounded.
 */
export function checkAmount(
  errors: FieldErrors,
  parsed: ParsedJson,
  holder: Record<string, unknown>,
  field = "amount",
  opts: { allowString?: boolean } = {},
): number | undefined {
  const v = holder[field];
  if (isBlank(v)) {
    errors.add(fieldError(field, "required"));
    return undefined;
  }
  let text: string | undefined;
  if (typeof v === "number") text = parsed.numberSource(holder, field) ?? String(v);
  else if (typeof v === "string" && opts.allowString) text = v.trim();
  if (text === undefined) {
    errors.add(fieldError(field, "invalid", "Debe ser un número."));
    return undefined;
  }
  const r = parseDecimalToMinor(text);
  if (!r.ok) {
    const detail =
      r.code === "too_many_decimals"
        ? "Como máximo 2 decimales."
        : r.code === "negative"
          ? "No puede ser negativo."
          : "Formato decimal inválido.";
    errors.add(fieldError(field, "invalid", detail));
    return undefined;
  }
  if (r.minor <= 0) {
    errors.add(fieldError(field, "invalid", "Debe ser mayor que cero."));
    return undefined;
  }
  if (r.minor > DEFAULT_MAX_MINOR) {
    errors.add(fieldError(field, "invalid", "Supera el monto máximo."));
    return undefined;
  }
  return r.minor;
}
