import { toLimaIso } from "./clock";
import { ValidationError, type FieldIssue } from "./errors";
import { DEFAULT_MAX_MINOR, isCurrency, type Currency, type Money } from "./money";
import { jsonDecimal, stringifyWithDecimals, type JsonDecimal } from "./pagoefectivo-json";
import { parsePeruPhone } from "./peru-phone";
import { sanitizeText } from "./text";

/**
 * Builds the body of `POST /v1/cips` from a platform-neutral charge, validating every field at
 * once so a merchant sees the whole list of problems (with PagoEfectivo's own field names) rather
 * than fixing them one round trip at a time.
 *
 * Identifiers (transactionCode, emails, document, ubigeo, userId) are validated, never altered
 * beyond trimming surrounding whitespace: silently changing a reference would break
 * reconciliation. Free text (paymentConcept, additionalData, names) is cleaned of control
 * characters and truncated on a grapheme boundary, because a long product name must not block a
 * payment. Issue messages never echo the submitted value (it is shopper personal data).
 */

/**
 * Field limits. PagoEfectivo does not publish them; these are conservative values that fit every
 * public client reviewed. Text lengths count UTF-16 code units (see text.ts).
 */
export const CIP_FIELD_LIMITS = {
  transactionCode: { maxLength: 64, pattern: /^[A-Za-z0-9_-]+$/ },
  paymentConcept: { maxLength: 100 },
  additionalData: { maxLength: 200 },
  userName: { maxLength: 50 },
  userLastName: { maxLength: 50 },
  /** Applies to userEmail and adminEmail. */
  email: { maxLength: 100 },
  /** Printable ASCII without spaces: numeric ids and Shopify GIDs both fit. */
  userId: { maxLength: 64, pattern: /^[\x21-\x7E]+$/ },
  userUbigeo: { pattern: /^\d{6}$/ },
  amount: { maxMinor: DEFAULT_MAX_MINOR },
  /** A sanity ceiling that catches seconds-vs-milliseconds mix-ups; cash codes live for days. */
  dateExpiry: { maxDaysAhead: 365 },
} as const;

/**
 * Document types: DNI, PAS (passport), LMI (libreta militar), PAR (partida de nacimiento),
 * NAN (no document) [confirmed]; CE (carné de extranjería) [observed].
 */
export const DOCUMENT_TYPES = ["DNI", "CE", "PAS", "LMI", "PAR", "NAN"] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/**
 * Document number formats. DNI is 8 digits by law; CE and passport lengths are what public
 * clients accept; LMI and PAR formats are unpublished, so only a generic alphanumeric bound
 * applies. NAN must come without a number.
 */
export const DOCUMENT_NUMBER_PATTERNS: Readonly<Record<Exclude<DocumentType, "NAN">, RegExp>> = {
  DNI: /^\d{8}$/,
  CE: /^[A-Z0-9]{9,12}$/,
  PAS: /^[A-Z0-9]{6,12}$/,
  LMI: /^[A-Z0-9]{1,15}$/,
  PAR: /^[A-Z0-9]{1,15}$/,
};

/**
 * Pragmatic address check, not RFC 5322: ASCII local part without leading, trailing or double
 * dots (max 64), and a domain of LDH labels with at least one dot.
 */
export const EMAIL_PATTERN =
  /^(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

export interface CipCustomer {
  email: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
  documentType?: string;
  documentNumber?: string;
  /** 6-digit INEI district code. */
  ubigeo?: string;
  /** The platform's customer id. */
  id?: string;
}

export interface CipCharge {
  /** The merchant's unique reference for this charge (PagoEfectivo echoes it back). */
  transactionCode: string;
  amount: Money;
  adminEmail: string;
  dateExpiry: Date;
  paymentConcept: string;
  additionalData?: string;
  customer: CipCustomer;
}

/** The JSON body of `POST /v1/cips`, keys in the contract's order. Absent optionals are omitted. */
export interface CipRequestBody {
  currency: Currency;
  amount: JsonDecimal;
  transactionCode: string;
  adminEmail: string;
  dateExpiry: string;
  paymentConcept: string;
  additionalData?: string;
  userEmail: string;
  userId?: string;
  userName?: string;
  userLastName?: string;
  userUbigeo?: string;
  userCountry: "PERU";
  userDocumentType?: DocumentType;
  userDocumentNumber?: string;
  /** Present together with userPhone: "+51" or the phone's foreign calling code. */
  userCodeCountry?: string;
  userPhone?: string;
}

/**
 * Validates `charge` and returns the request body, or throws ValidationError listing every
 * invalid field. `now` is a separate, required argument (pass `clock.now()`): `dateExpiry` must
 * be later than it once cut to the wire's whole seconds, and at most
 * `CIP_FIELD_LIMITS.dateExpiry.maxDaysAhead` days ahead.
 *
 * Optional customer fields that are missing, or blank after trimming, are treated as absent:
 * platforms send "" for unknown phones and names.
 */
export function buildCipRequest(charge: CipCharge, now: Date): CipRequestBody {
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new RangeError("now must be a valid Date");
  }
  const issues: FieldIssue[] = [];
  const issue = (field: string, code: string, message: string) =>
    issues.push({ field, code, message });
  const customer: Partial<CipCustomer> = charge?.customer ?? {};

  // currency + amount
  const amount = charge?.amount as Partial<Money> | undefined;
  if (!isCurrency(amount?.currency))
    issue("currency", "unsupported", "currency must be PEN or USD");
  const minor = amount?.minor;
  if (typeof minor !== "number" || !Number.isSafeInteger(minor)) {
    issue("amount", "invalid", "amount must be an integer number of minor units");
  } else if (minor <= 0) {
    issue("amount", "too_small", "amount must be greater than zero");
  } else if (minor > CIP_FIELD_LIMITS.amount.maxMinor) {
    issue("amount", "too_large", "amount exceeds the maximum for one CIP");
  }

  // transactionCode: validated verbatim — it is the key PagoEfectivo echoes back.
  const transactionCode = charge?.transactionCode;
  const tcLimits = CIP_FIELD_LIMITS.transactionCode;
  if (typeof transactionCode !== "string" || transactionCode === "") {
    issue("transactionCode", "required", "transactionCode is required");
  } else if (transactionCode.length > tcLimits.maxLength) {
    issue("transactionCode", "too_long", `at most ${tcLimits.maxLength} characters`);
  } else if (!tcLimits.pattern.test(transactionCode)) {
    issue("transactionCode", "invalid_format", "only letters A-Z, digits, '-' and '_' are allowed");
  }

  const adminEmail = checkEmail(charge?.adminEmail, "adminEmail", issues);
  const userEmail = checkEmail(customer.email, "userEmail", issues);

  // dateExpiry
  const expiry = charge?.dateExpiry;
  let dateExpiry: string | undefined;
  if (!(expiry instanceof Date) || Number.isNaN(expiry.getTime())) {
    issue("dateExpiry", "required", "dateExpiry must be a valid date");
  } else {
    // The wire has second precision; what PagoEfectivo sees is the truncated second.
    const wireMs = Math.floor(expiry.getTime() / 1000) * 1000;
    const maxMs = now.getTime() + CIP_FIELD_LIMITS.dateExpiry.maxDaysAhead * 86_400_000;
    if (wireMs <= now.getTime()) {
      issue("dateExpiry", "in_past", "dateExpiry must be in the future");
    } else if (wireMs > maxMs) {
      issue(
        "dateExpiry",
        "too_far",
        `dateExpiry must be within ${CIP_FIELD_LIMITS.dateExpiry.maxDaysAhead} days`,
      );
    } else {
      dateExpiry = toLimaIso(expiry);
    }
  }

  // Free text
  const paymentConcept = freeText(charge?.paymentConcept, "paymentConcept", issues, true);
  const additionalData = freeText(charge?.additionalData, "additionalData", issues, false);
  const userName = freeText(customer.firstName, "userName", issues, false);
  const userLastName = freeText(customer.lastName, "userLastName", issues, false);

  // userId
  const userId = optionalTrimmed(customer.id, "userId", issues);
  if (userId !== undefined) {
    const limits = CIP_FIELD_LIMITS.userId;
    if (userId.length > limits.maxLength) {
      issue("userId", "too_long", `at most ${limits.maxLength} characters`);
    } else if (!limits.pattern.test(userId)) {
      issue("userId", "invalid_format", "only printable ASCII without spaces is allowed");
    }
  }

  // userUbigeo
  const userUbigeo = optionalTrimmed(customer.ubigeo, "userUbigeo", issues);
  if (userUbigeo !== undefined && !CIP_FIELD_LIMITS.userUbigeo.pattern.test(userUbigeo)) {
    issue("userUbigeo", "invalid_format", "ubigeo must be a 6-digit INEI district code");
  }

  const document = checkDocument(customer, issues);

  // userPhone
  const rawPhone = optionalTrimmed(customer.phone, "userPhone", issues);
  let phone: { countryCode: string; number: string } | undefined;
  if (rawPhone !== undefined) {
    const parsed = parsePeruPhone(rawPhone, "userPhone");
    if (parsed.ok) phone = parsed.phone;
    else issues.push(parsed.issue);
  }

  if (issues.length > 0) {
    throw new ValidationError(issues, {
      merchantMessage: `The PagoEfectivo payment code could not be requested: ${issues
        .map((i) => `${i.field}: ${i.message}`)
        .join("; ")}`,
    });
  }

  // Keys in the contract's order; undefined values are dropped when serialised.
  return dropUndefined({
    currency: amount!.currency as Currency,
    amount: jsonDecimal(minor as number),
    transactionCode: transactionCode as string,
    adminEmail: adminEmail!,
    dateExpiry: dateExpiry!,
    paymentConcept: paymentConcept!,
    additionalData,
    userEmail: userEmail!,
    userId,
    userName,
    userLastName,
    userUbigeo,
    userCountry: "PERU",
    userDocumentType: document.type,
    userDocumentNumber: document.number,
    userCodeCountry: phone?.countryCode,
    userPhone: phone?.number,
  });
}

/** The exact request text: `amount` is written as a JSON number with two decimals (150.50). */
export function serializeCipRequest(body: CipRequestBody): string {
  return stringifyWithDecimals(body);
}

function checkEmail(value: unknown, field: string, issues: FieldIssue[]): string | undefined {
  if (typeof value !== "string" || value.trim() === "") {
    issues.push({ field, code: "required", message: `${field} is required` });
    return undefined;
  }
  const email = value.trim();
  const max = CIP_FIELD_LIMITS.email.maxLength;
  if (email.length > max) {
    issues.push({ field, code: "too_long", message: `at most ${max} characters` });
    return undefined;
  }
  if (!EMAIL_PATTERN.test(email)) {
    issues.push({ field, code: "invalid_format", message: "not a valid email address" });
    return undefined;
  }
  return email;
}

type FreeTextField = "paymentConcept" | "additionalData" | "userName" | "userLastName";

function freeText(
  value: unknown,
  field: FreeTextField,
  issues: FieldIssue[],
  required: boolean,
): string | undefined {
  if (value !== undefined && value !== null && typeof value !== "string") {
    issues.push({ field, code: "invalid_type", message: `${field} must be text` });
    return undefined;
  }
  const text =
    typeof value === "string" ? sanitizeText(value, CIP_FIELD_LIMITS[field].maxLength) : "";
  if (text === "") {
    if (required) issues.push({ field, code: "required", message: `${field} is required` });
    return undefined;
  }
  return text;
}

/** Trimmed string, or undefined when absent/blank; a non-string is reported. */
function optionalTrimmed(value: unknown, field: string, issues: FieldIssue[]): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    issues.push({ field, code: "invalid_type", message: `${field} must be text` });
    return undefined;
  }
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

function checkDocument(
  customer: Partial<CipCustomer>,
  issues: FieldIssue[],
): { type?: DocumentType; number?: string } {
  const rawType = optionalTrimmed(customer.documentType, "userDocumentType", issues);
  const rawNumber = optionalTrimmed(customer.documentNumber, "userDocumentNumber", issues);
  if (rawType === undefined) {
    if (rawNumber !== undefined) {
      issues.push({
        field: "userDocumentType",
        code: "required",
        message: "userDocumentType is required when a document number is given",
      });
    }
    return {};
  }
  const type = rawType.toUpperCase();
  if (!(DOCUMENT_TYPES as readonly string[]).includes(type)) {
    issues.push({
      field: "userDocumentType",
      code: "unsupported",
      message: `userDocumentType must be one of ${DOCUMENT_TYPES.join(", ")}`,
    });
    return {};
  }
  const docType = type as DocumentType;
  if (docType === "NAN") {
    if (rawNumber !== undefined) {
      issues.push({
        field: "userDocumentNumber",
        code: "not_allowed",
        message: "no document number may be sent with userDocumentType NAN",
      });
    }
    return { type: docType };
  }
  if (rawNumber === undefined) {
    issues.push({
      field: "userDocumentNumber",
      code: "required",
      message: `userDocumentNumber is required for ${docType}`,
    });
    return { type: docType };
  }
  const number = rawNumber.toUpperCase();
  if (!DOCUMENT_NUMBER_PATTERNS[docType].test(number)) {
    issues.push({
      field: "userDocumentNumber",
      code: "invalid_format",
      message: DOCUMENT_NUMBER_MESSAGES[docType],
    });
    return { type: docType };
  }
  return { type: docType, number };
}

const DOCUMENT_NUMBER_MESSAGES: Record<Exclude<DocumentType, "NAN">, string> = {
  DNI: "a DNI has exactly 8 digits",
  CE: "a carné de extranjería has 9 to 12 letters or digits",
  PAS: "a passport number has 6 to 12 letters or digits",
  LMI: "a libreta militar number has 1 to 15 letters or digits",
  PAR: "a partida number has 1 to 15 letters or digits",
};

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
