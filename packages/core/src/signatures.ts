import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { SignatureError } from "./errors";

/**
 * PagoEfectivo's three signing schemes, in one place so the client, the sandbox and the engine
 * cannot drift apart. All comparisons are constant time; nothing here logs.
 */

export interface AuthorizationHashInput {
  idService: number;
  accessKey: string;
  secretKey: string;
  dateRequest: string;
}

/** `hashString` of POST /v1/authorizations: plain SHA-256 of "id.accessKey.secretKey.date". */
export function authorizationHash(input: AuthorizationHashInput): string {
  return createHash("sha256")
    .update(`${input.idService}.${input.accessKey}.${input.secretKey}.${input.dateRequest}`, "utf8")
    .digest("hex");
}

export function hmacSha256Hex(secret: string, data: Uint8Array | string): string {
  return createHmac("sha256", secret).update(data).digest("hex");
}

/** `PE-Signature` of a notification: HMAC-SHA256 hex over the raw body bytes exactly as sent. */
export function signNotification(rawBody: Uint8Array | string, secretKey: string): string {
  return hmacSha256Hex(secretKey, rawBody);
}

const HEX_64 = /^[0-9a-fA-F]{64}$/;

/** Constant-time comparison of two hex digests; malformed input is simply "not equal". */
export function hexDigestEquals(expectedHex: string, receivedHex: string): boolean {
  if (!HEX_64.test(receivedHex) || !HEX_64.test(expectedHex)) return false;
  return timingSafeEqual(Buffer.from(expectedHex, "hex"), Buffer.from(receivedHex, "hex"));
}

type HeaderBag = Record<string, string | string[] | undefined> | Headers;

/** Reads a header case-insensitively from a Node/Express header object or a fetch Headers. */
export function readHeader(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") {
    return (headers as Headers).get(name) ?? undefined;
  }
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(
    headers as Record<string, string | string[] | undefined>,
  )) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

export const NOTIFICATION_SIGNATURE_HEADER = "PE-Signature";

/** Verifies a notification on its raw bytes; throws SignatureError (no detail leaks) if it fails. */
export function verifyNotification(
  rawBody: Uint8Array,
  headers: HeaderBag,
  secretKey: string,
): void {
  const received = readHeader(headers, NOTIFICATION_SIGNATURE_HEADER)?.trim();
  if (!received) throw new SignatureError("missing PE-Signature header");
  if (!isNotificationSignatureValid(rawBody, received, secretKey)) {
    throw new SignatureError("PE-Signature does not match the body");
  }
}

/**
 * The hot path of every notification: one HMAC, one hex decode of what was received and a
 * constant-time compare of the raw digests (no hex encoding of ours, no lowercased copies).
 */
export function isNotificationSignatureValid(
  rawBody: Uint8Array,
  signature: string | undefined,
  secretKey: string,
): boolean {
  const received = signature === undefined ? "" : signature.trim();
  if (received.length !== 64) return false;
  // Buffer's hex decoder stops at the first non-hex character, so 32 bytes means 64 valid digits.
  const decoded = Buffer.from(received, "hex");
  if (decoded.length !== 32) return false;
  const expected = createHmac("sha256", secretKey).update(rawBody).digest();
  return timingSafeEqual(expected, decoded);
}

export const REFUND_TIMESTAMP_HEADER = "PE-Timestamp";
export const REFUND_SIGNATURE_HEADER = "PE-Signature";
export const REFUND_TIMESTAMP_TOLERANCE_MS = 5 * 60_000;

/** `PE-Signature` of POST /v2/refunds: HMAC-SHA256 hex over "{PE-Timestamp}.{raw body}". */
export function signRefundRequest(
  timestamp: string,
  rawBody: string | Uint8Array,
  secretKey: string,
): string {
  const body = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : Buffer.from(rawBody);
  return hmacSha256Hex(secretKey, Buffer.concat([Buffer.from(`${timestamp}.`, "utf8"), body]));
}

export type RefundSignatureCheck =
  | { ok: true }
  | {
      ok: false;
      reason: "missing_headers" | "bad_timestamp" | "stale_timestamp" | "bad_signature";
    };

/** Server side of refund signing: timestamp within ±5 minutes of `now`, then the HMAC. */
export function checkRefundRequestSignature(args: {
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Uint8Array;
  secretKey: string;
  now: Date;
  toleranceMs?: number;
}): RefundSignatureCheck {
  if (!args.timestamp || !args.signature) return { ok: false, reason: "missing_headers" };
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(args.timestamp)) {
    return { ok: false, reason: "bad_timestamp" };
  }
  const at = Date.parse(args.timestamp);
  if (Number.isNaN(at)) return { ok: false, reason: "bad_timestamp" };
  if (Math.abs(args.now.getTime() - at) > (args.toleranceMs ?? REFUND_TIMESTAMP_TOLERANCE_MS)) {
    return { ok: false, reason: "stale_timestamp" };
  }
  const expected = signRefundRequest(args.timestamp, args.rawBody, args.secretKey);
  return hexDigestEquals(expected, args.signature.trim().toLowerCase())
    ? { ok: true }
    : { ok: false, reason: "bad_signature" };
}
