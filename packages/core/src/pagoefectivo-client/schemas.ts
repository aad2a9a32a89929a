import { z } from "zod";
import type { FieldIssue } from "../errors";
import { CURRENCIES, minorFromJsonNumber, type Money } from "../money";

/**
 * Response parsing. Everything PagoEfectivo sends is read tolerantly (unknown fields ignored,
 * `Data`/`data` and `Cip`/`cip` casing accepted) but strictly where money and identifiers are
 * concerned: a CIP is a string of digits, never a float, and an amount with more than two
 * decimals is a malformed answer, not something to round.
 */

/** Keys whose numeric values are kept as their exact source text (see parsePagoEfectivoJson). */
const EXACT_NUMBER_KEYS = new Set([
  "cip",
  "transactionid",
  "amount",
  "feeamount",
  "netamount",
  "grossamount",
  "refundamount",
]);

/**
 * An exact-key member whose value is a number literal, e.g. `"Amount": 150.50`. Only used on
 * texts without a backslash: there every `"` delimits a string, so `"cip":` can only be a key.
 */
const EXACT_NUMBER_MEMBER =
  /("(?:cip|transactionid|amount|feeamount|netamount|grossamount|refundamount)"[ \t\n\r]*:[ \t\n\r]*)(-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/gi;

/**
 * JSON.parse that keeps CIPs and amounts as the digits PagoEfectivo wrote. A 9+ digit CIP or
 * an amount like `150.50` survives exactly; a CIP above 2^53 would otherwise be silently
 * rounded by JSON.parse.
 * The usual answer has no backslash, and then those literals are wrapped as
 * `{"__exactNumber": "…"}` in the text itself before a plain JSON.parse: a reviver is called for
 * every value of the answer and was most of the client's parsing time. Texts with escapes take
 * the reviver; both routes give the same value (schemas.test.ts compares them).
 */
export function parsePagoEfectivoJson(text: string): unknown {
  if (!text.includes("\\")) {
    return normalizeKeys(JSON.parse(text.replace(EXACT_NUMBER_MEMBER, '$1{"__exactNumber":"$2"}')));
  }
  return normalizeKeys(parseWithSourceReviver(text));
}

/** Falls back to the parsed number where the runtime lacks source access. */
export function parseWithSourceReviver(text: string): unknown {
  const reviver = function (
    this: unknown,
    key: string,
    value: unknown,
    context?: { source?: string },
  ): unknown {
    if (
      typeof value === "number" &&
      typeof context?.source === "string" &&
      EXACT_NUMBER_KEYS.has(key.toLowerCase())
    ) {
      return { __exactNumber: context.source };
    }
    return value;
  };
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown);
}

interface ExactNumber {
  __exactNumber: string;
}
function isExactNumber(v: unknown): v is ExactNumber {
  return typeof v === "object" && v !== null && "__exactNumber" in v;
}

/** `Data` → `data`, `TransactionCode` → `transactionCode`; camelCase wins if both are present. */
export function normalizeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeKeys);
  if (value === null || typeof value !== "object" || isExactNumber(value)) return value;
  const out: Record<string, unknown> = {};
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [key, v] of entries) {
    const camel = key.charAt(0).toLowerCase() + key.slice(1);
    if (camel !== key && Object.prototype.hasOwnProperty.call(value, camel)) continue;
    out[camel] = normalizeKeys(v);
  }
  return out;
}

/** Numbers arrive as source text (exact) or, without source access, as JS numbers. */
const numberish = z.union([
  z.number(),
  z.string(),
  z.object({ __exactNumber: z.string() }).transform((v) => v.__exactNumber),
]);

const DIGITS = /^\d{1,40}$/;

/** A CIP (or refund transactionId): numeric or string on the wire, always a digit string here. */
export const digitStringSchema = numberish.transform((v, ctx) => {
  let text: string | undefined;
  if (typeof v === "number") text = Number.isSafeInteger(v) && v >= 0 ? String(v) : undefined;
  else text = v.trim();
  if (text === undefined || !DIGITS.test(text)) {
    ctx.addIssue({ code: "custom", message: "expected a string of digits" });
    return z.NEVER;
  }
  return text;
});

/** Non-negative amount with at most 2 decimals → minor units. */
export const amountMinorSchema = numberish.transform((v, ctx) => {
  const minor = minorFromJsonNumber(v);
  if (minor === undefined) {
    ctx.addIssue({ code: "custom", message: "expected a non-negative decimal with ≤ 2 decimals" });
    return z.NEVER;
  }
  return minor;
});

/** Settlement figures may be negative (refunds, adjustments). */
export const signedAmountMinorSchema = numberish.transform((v, ctx) => {
  const text = typeof v === "number" ? String(v) : v.trim();
  const negative = text.startsWith("-");
  const minor = minorFromJsonNumber(negative ? text.slice(1) : text);
  if (minor === undefined) {
    ctx.addIssue({ code: "custom", message: "expected a decimal with ≤ 2 decimals" });
    return z.NEVER;
  }
  return negative && minor !== 0 ? -minor : minor;
});

export const currencySchema = z.enum(CURRENCIES);

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const ISO_NO_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Parses a PagoEfectivo instant. Missing, empty and the `1900-01-01…` "not set" sentinel
 * (contract §5, dateRemoval) become null. A value without offset is Lima time, as the contract
 * says every PagoEfectivo time is.
 */
export const peDateSchema = z
  .union([z.string(), z.null(), z.undefined()])
  .transform((v, ctx): Date | null => {
    if (v === null || v === undefined) return null;
    const text = v.trim();
    // Any year up to 1900 is a "not set" sentinel: 1900-01-01 with or without offset, or
    // .NET's DateTime.MinValue (0001-01-01), as pagoefectivo-status also reads them.
    if (text === "" || (/^(\d{4})-/.test(text) && Number(text.slice(0, 4)) <= 1900)) return null;
    let iso: string | undefined;
    if (ISO_WITH_OFFSET.test(text)) iso = text;
    else if (ISO_NO_OFFSET.test(text)) iso = `${text}-05:00`;
    else if (DATE_ONLY.test(text)) iso = `${text}T00:00:00-05:00`;
    const at = iso === undefined ? NaN : Date.parse(iso);
    if (Number.isNaN(at)) {
      ctx.addIssue({ code: "custom", message: "expected an ISO-8601 date-time" });
      return z.NEVER;
    }
    return new Date(at);
  });

const peCodeSchema = z
  .union([z.number(), z.string()])
  .optional()
  .transform((v) => (v === undefined ? undefined : String(v)));

export function envelope<T extends z.ZodType>(data: T) {
  return z.object({ code: peCodeSchema, message: z.string().optional(), data });
}

// §1 Authorization
export const authorizationResponseSchema = envelope(
  z.object({
    token: z.string().min(1),
    tokenStart: peDateSchema.optional(),
    tokenExpires: peDateSchema.refine((d) => d !== null, "tokenExpires is required"),
  }),
);

// §3 Create CIP
export const createCipResponseSchema = envelope(
  z.object({
    cip: digitStringSchema,
    currency: currencySchema.optional(),
    amount: amountMinorSchema.optional(),
    transactionCode: z.union([z.string(), z.number()]).transform(String).optional(),
    dateExpiry: peDateSchema.optional(),
    cipUrl: z.string().url(),
  }),
);

// §5 Search
export const searchItemSchema = z.object({
  cip: digitStringSchema,
  transactionCode: z.union([z.string(), z.number()]).transform(String).nullish(),
  amount: amountMinorSchema,
  currency: currencySchema,
  status: z.union([z.number(), z.string()]),
  statusName: z.string().nullish(),
  dateCreation: peDateSchema.optional(),
  dateExpiry: peDateSchema.optional(),
  datePayment: peDateSchema.optional(),
  dateRemoval: peDateSchema.optional(),
});
export const searchResponseSchema = envelope(z.array(searchItemSchema));

// §9 Refunds
export const refundDataSchema = z.object({
  refundId: z.string().min(1),
  status: z.string(),
  transactionId: digitStringSchema,
  amount: amountMinorSchema,
  currency: currencySchema,
  reference: z.string().nullish(),
  createdAt: peDateSchema.optional(),
  processedDate: peDateSchema.optional(),
  reasonCode: z.union([z.string(), z.number()]).transform(String).nullish(),
});
export const refundResponseSchema = envelope(refundDataSchema);

// §10 Settlements
const optionalDigits = z
  .union([digitStringSchema, z.null(), z.literal("")])
  .optional()
  .transform((v) => (v === null || v === "" || v === undefined ? undefined : v));

export const settlementItemSchema = z.object({
  type: z.string().min(1),
  cip: optionalDigits,
  transactionCode: z.union([z.string(), z.number()]).transform(String).nullish(),
  refundId: z.string().nullish(),
  channel: z.string().nullish(),
  operationDate: peDateSchema.optional(),
  amount: signedAmountMinorSchema,
  feeAmount: signedAmountMinorSchema.optional(),
  netAmount: signedAmountMinorSchema.optional(),
});
export const settlementSchema = z.object({
  settlementId: z.union([z.string().min(1), z.number()]).transform(String),
  date: z.string().regex(DATE_ONLY),
  currency: currencySchema,
  payoutDate: z.string().nullish(),
  grossAmount: signedAmountMinorSchema,
  feeAmount: signedAmountMinorSchema,
  refundAmount: signedAmountMinorSchema,
  netAmount: signedAmountMinorSchema,
  items: z.array(settlementItemSchema),
});
export const settlementResponseSchema = envelope(settlementSchema);

/** Generic envelope for extend/delete, whose `data` the contract does not describe. */
export const anyEnvelopeSchema = envelope(z.unknown().optional());

// §4 Error envelope, read leniently: whatever is usable is kept, nothing here ever throws.
export function readErrorEnvelope(body: unknown): {
  code?: string;
  message?: string;
  field?: string;
  issues: FieldIssue[];
} {
  if (body === null || typeof body !== "object") return { issues: [] };
  const b = body as Record<string, unknown>;
  const str = (v: unknown) =>
    typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
  const list = Array.isArray(b.data) ? b.data : Array.isArray(b.errors) ? b.errors : [];
  const issues: FieldIssue[] = [];
  for (const item of list) {
    if (item === null || typeof item !== "object") continue;
    const i = item as Record<string, unknown>;
    issues.push({
      field: str(i.field) ?? "",
      code: str(i.code) ?? "",
      message: str(i.message) ?? "",
    });
  }
  return {
    code: str(b.code),
    message: str(b.message),
    field: str(b.field) ?? (issues.length === 1 ? issues[0]!.field : undefined),
    issues,
  };
}

/** Zod issues as "path: message", never quoting the offending value. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
}

export function money(minor: number, currency: Money["currency"]): Money {
  return { minor, currency };
}
