import { ValidationError, type FieldIssue } from "./errors";

/**
 * Phone numbers as PagoEfectivo wants them: `userCodeCountry` ("+51") and `userPhone` (the
 * national significant number, digits only, no trunk "0").
 *
 * Peru's plan: mobiles are 9 digits starting with 9; landlines are an area code plus subscriber
 * number, 8 digits in all — Lima/Callao "1" + 7 digits, every other department a 2-digit code +
 * 6 digits — dialled nationally with a trunk "0" ("(01) 234-5678", "(044) 123456").
 * A 7-digit number alone is taken as a Lima landline, as Lima residents commonly write it.
 * Subscriber numbers never start with 0 or 1, which keeps short garbage from passing.
 * Foreign numbers must be written internationally ("+" or "00") and keep their own code.
 */
export interface PhoneNumber {
  /** "+51", or the foreign country calling code, e.g. "+1", "+34", "+593". */
  countryCode: string;
  /** Digits only, without country code or trunk prefix. */
  number: string;
}

export const PERU_COUNTRY_CODE = "+51";

/** Department area codes (besides Lima/Callao's "1"), per MTC's numbering plan. */
// prettier-ignore
export const PERU_AREA_CODES: readonly string[] = [
  "41", "42", "43", "44", "51", "52", "53", "54", "56", "61", "62", "63", "64", "65", "66",
  "67", "72", "73", "74", "76", "82", "83", "84",
];

/**
 * E.164 calling codes are prefix-free: 1 and 7 are the only 1-digit codes, these are the 2-digit
 * ones, and every other code has 3 digits.
 */
// prettier-ignore
const TWO_DIGIT_CALLING_CODES = new Set([
  "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
  "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
  "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
]);

/** Separators people type inside phone numbers. Anything else (letters, "ext") is refused. */
const SEPARATORS = /[\s\u00A0().-]/g;

export type PhoneResult = { ok: true; phone: PhoneNumber } | { ok: false; issue: FieldIssue };

/** Parses without throwing; the issue is reported on `field` (default "userPhone"). */
export function parsePeruPhone(input: unknown, field = "userPhone"): PhoneResult {
  const fail = (code: string, message: string): PhoneResult => ({
    ok: false,
    issue: { field, code, message },
  });
  if (typeof input !== "string" || input.trim() === "") {
    return fail("required", "a phone number is required");
  }
  const compact = input.trim().replace(SEPARATORS, "");
  let international: string | undefined;
  if (compact.startsWith("+")) international = compact.slice(1);
  else if (compact.startsWith("00")) international = compact.slice(2);
  const digits = international ?? compact;
  if (!/^\d+$/.test(digits)) {
    return fail("invalid_format", "a phone number may contain only digits, spaces, - ( ) and +");
  }
  if (international !== undefined) {
    if (digits.startsWith("51")) {
      const national = peruNational(digits.slice(2), true);
      return national
        ? { ok: true, phone: { countryCode: PERU_COUNTRY_CODE, number: national } }
        : fail("invalid_format", "not a valid Peruvian mobile or landline number");
    }
    return foreign(digits) ?? fail("invalid_format", "not a valid international phone number");
  }
  const national = peruNational(digits, false) ?? withoutCountryCode(digits);
  return national
    ? { ok: true, phone: { countryCode: PERU_COUNTRY_CODE, number: national } }
    : fail(
        "invalid_format",
        "expected a Peruvian mobile (9 digits starting with 9), a landline, or +<country><number>",
      );
}

/** Like `parsePeruPhone`, but throws ValidationError. */
export function normalizePeruPhone(input: unknown, field = "userPhone"): PhoneNumber {
  const result = parsePeruPhone(input, field);
  if (!result.ok) throw new ValidationError([result.issue]);
  return result.phone;
}

/** "51987654321" typed without the "+": only when what follows is a valid Peruvian number. */
function withoutCountryCode(digits: string): string | undefined {
  return digits.startsWith("51") ? peruNational(digits.slice(2), true) : undefined;
}

/**
 * The national significant number, or undefined. `afterCountryCode` means the digits followed
 * "+51", where a 7-digit bare Lima number is not plausible (it would need the "1").
 */
function peruNational(digits: string, afterCountryCode: boolean): string | undefined {
  if (/^9\d{8}$/.test(digits)) return digits;
  // "+51 (01) 234 5678" is a common mix-up of the two formats; the trunk 0 is dropped.
  const rest = digits.startsWith("0") ? digits.slice(1) : digits;
  if (/^1[2-9]\d{6}$/.test(rest)) return rest;
  const area = rest.slice(0, 2);
  if (rest.length === 8 && PERU_AREA_CODES.includes(area) && /^\d{2}[2-9]\d{5}$/.test(rest)) {
    return rest;
  }
  if (!afterCountryCode && digits === rest && /^[2-9]\d{6}$/.test(digits)) return `1${digits}`;
  return undefined;
}

function foreign(digits: string): PhoneResult | undefined {
  // E.164: at most 15 digits in all; fewer than 8 is no real subscriber number anywhere.
  if (digits.length < 8 || digits.length > 15 || digits.startsWith("0")) return undefined;
  const codeLength =
    digits[0] === "1" || digits[0] === "7"
      ? 1
      : TWO_DIGIT_CALLING_CODES.has(digits.slice(0, 2))
        ? 2
        : 3;
  return {
    ok: true,
    phone: { countryCode: `+${digits.slice(0, codeLength)}`, number: digits.slice(codeLength) },
  };
}
