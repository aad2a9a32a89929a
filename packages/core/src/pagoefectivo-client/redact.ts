/**
 * Audit entries end up in logs and support tickets, so credentials and the shopper's personal
 * data are removed before an entry leaves the client. Keys are matched case-insensitively
 * because PagoEfectivo's own demo uses PascalCase (`Data`, `Cip`).
 */
export const REDACTED = "[REDACTED]";

export const AUDIT_SECRET_FIELDS = [
  "accessKey",
  "secretKey",
  "token",
  "hashString",
  "authorization",
  "pe-signature",
] as const;

export const AUDIT_PERSONAL_FIELDS = [
  "userEmail",
  "userName",
  "userLastName",
  "userPhone",
  "userDocumentNumber",
] as const;

const PERSONAL_KEYS = new Set(AUDIT_PERSONAL_FIELDS.map((k) => k.toLowerCase()));
const REDACTED_KEYS = new Set(
  [...AUDIT_SECRET_FIELDS, ...AUDIT_PERSONAL_FIELDS].map((k) => k.toLowerCase()),
);

/** Replaces every occurrence of any secret value inside a free-text string. */
export function scrubSecrets(text: string, secrets: readonly string[], minLength = 8): string {
  let out = text;
  for (const secret of secrets) {
    // Very short values would blank out ordinary text; real secrets are 20+ characters.
    if (secret.length >= minLength && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/**
 * The personal values a request carries (userEmail, userName…), so that PagoEfectivo echoing
 * them in free text ("El email rosa@… no es válido") can be scrubbed from the audit too.
 */
export function collectPersonalValues(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 32) return out;
  if (Array.isArray(value)) value.forEach((v) => collectPersonalValues(v, out, depth + 1));
  else if (value !== null && typeof value === "object") {
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (PERSONAL_KEYS.has(key.toLowerCase()) && typeof v === "string" && v.trim().length >= 3) {
        out.push(v.trim());
      } else collectPersonalValues(v, out, depth + 1);
    }
  }
  return out;
}

/**
 * Deep copy of a request/response body with secret and personal fields replaced by
 * `[REDACTED]`, any known secret value (`secrets`, 8+ characters) and any known personal value
 * (`personalValues`, 3+ characters) scrubbed from the remaining strings.
 */
export function redactPagoEfectivoPayload(
  value: unknown,
  secrets: readonly string[] = [],
  personalValues: readonly string[] = [],
): unknown {
  return redact(value, (text) => scrubSecrets(scrubSecrets(text, secrets), personalValues, 3), 0);
}

function redact(value: unknown, scrub: (text: string) => string, depth: number): unknown {
  if (depth > 32) return REDACTED;
  if (typeof value === "string") return scrub(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, scrub, depth + 1));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      out[key] =
        REDACTED_KEYS.has(key.toLowerCase()) && v !== null && v !== undefined && v !== ""
          ? REDACTED
          : redact(v, scrub, depth + 1);
    }
    return out;
  }
  return value;
}
