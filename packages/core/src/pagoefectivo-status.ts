/**
 * PagoEfectivo's statuses and event types mapped onto closed unions. The rule everywhere: only
 * what the contract confirms can mean "paid" or "failed"; anything unrecognised maps to the
 * harmless value ("pending" / "unknown") so the caller keeps waiting or asks again, and never
 * fulfils or cancels an order on a guess.
 */

/** Our view of a CIP from `POST /v1/cips/search`. */
export const CIP_REMOTE_STATUSES = ["pending", "paid", "expired", "cancelled"] as const;
export type CipRemoteStatus = (typeof CIP_REMOTE_STATUSES)[number];

/** The fields of one `data[]` item of the search answer that decide the status. */
export interface CipSearchStatusFields {
  status?: number | string | null;
  statusName?: string | null;
  dateExpiry?: string | null;
  datePayment?: string | null;
  dateRemoval?: string | null;
}

/** Status code PagoEfectivo uses for "Pagado"; the only status code the contract confirms. */
export const PAGOEFECTIVO_STATUS_PAID = 23;
/** `dateRemoval` value meaning "not removed". */
export const PAGOEFECTIVO_REMOVAL_SENTINEL = "1900-01-01T00:00:00-05:00";

type CipSignal = "paid_code" | "removed" | "past_expiry" | "no_signal";

/**
 * Maps a CIP search item to our status, in this precedence: status 23 → paid (even if the CIP
 * also shows a removal or a past expiry: the money arrived, which the voucher machine then puts
 * in attention if needed); a real `dateRemoval` → cancelled; `now` strictly after `dateExpiry` →
 * expired; otherwise pending. `statusName` is display text and never decides; other status codes
 * are unpublished, so they only ever mean "not paid". A `dateRemoval` that is the sentinel, any
 * date in or before 1900 (the sentinel written without offset or as .NET's minimum date), empty or
 * unparseable means "not removed"; an unparseable `dateExpiry` means "not known to be expired".
 * Dates without an offset are read as Lima time (UTC-05:00).
 */
export function mapCipSearchStatus(item: CipSearchStatusFields, now: Date): CipRemoteStatus {
  const signal: CipSignal = isPaidCode(item.status)
    ? "paid_code"
    : isRemoved(item.dateRemoval)
      ? "removed"
      : isPast(item.dateExpiry, now)
        ? "past_expiry"
        : "no_signal";
  switch (signal) {
    case "paid_code":
      return "paid";
    case "removed":
      return "cancelled";
    case "past_expiry":
      return "expired";
    case "no_signal":
      return "pending";
    default:
      return assertNever(signal);
  }
}

function isPaidCode(status: unknown): boolean {
  if (typeof status === "number") return status === PAGOEFECTIVO_STATUS_PAID;
  return typeof status === "string" && status.trim() === String(PAGOEFECTIVO_STATUS_PAID);
}

function isRemoved(dateRemoval: unknown): boolean {
  if (typeof dateRemoval !== "string") return false;
  const text = dateRemoval.trim();
  if (text === "" || text === PAGOEFECTIVO_REMOVAL_SENTINEL) return false;
  const at = parsePeDateTime(text);
  return at !== undefined && at.getUTCFullYear() > 1900;
}

function isPast(dateExpiry: unknown, now: Date): boolean {
  if (typeof dateExpiry !== "string") return false;
  const at = parsePeDateTime(dateExpiry.trim());
  return at !== undefined && now.getTime() > at.getTime();
}

const ISO_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** ISO-8601 date-time; without an offset it is Lima time, never the host's time zone. */
function parsePeDateTime(text: string): Date | undefined {
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return undefined;
  // .NET can send 7 fractional digits; Date only understands milliseconds.
  let normalised = text.replace(/(\.\d{3})\d+/, "$1");
  if (m[1] === undefined) normalised += "-05:00";
  const at = new Date(normalised);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** Refund status from `GET /v2/refunds/{id}` and refund notifications. */
export const REFUND_REMOTE_STATUSES = ["pending", "completed", "rejected"] as const;
export type RefundRemoteStatus = (typeof REFUND_REMOTE_STATUSES)[number];

/** Unknown or missing → "pending": the refund is neither done nor failed until PagoEfectivo says so. */
export function mapRefundRemoteStatus(status: unknown): RefundRemoteStatus {
  const text = typeof status === "string" ? status.trim().toLowerCase() : "";
  return (REFUND_REMOTE_STATUSES as readonly string[]).includes(text)
    ? (text as RefundRemoteStatus)
    : "pending";
}

export const NOTIFICATION_EVENT_TYPES = [
  "cip.paid",
  "cip.expired",
  "cip.refunded",
  "refund.completed",
  "refund.rejected",
  "unknown",
] as const;
export type NotificationEventType = (typeof NOTIFICATION_EVENT_TYPES)[number];

/**
 * Notification `eventType`. Anything else → "unknown", which callers must treat as "query the
 * CIP / refund status" and never as a state change. Matching ignores case and surrounding spaces.
 */
export function mapNotificationEventType(eventType: unknown): NotificationEventType {
  const text = typeof eventType === "string" ? eventType.trim().toLowerCase() : "";
  return text !== "unknown" && (NOTIFICATION_EVENT_TYPES as readonly string[]).includes(text)
    ? (text as NotificationEventType)
    : "unknown";
}

function assertNever(value: never): never {
  throw new Error(`unhandled PagoEfectivo status case: ${JSON.stringify(value)}`);
}
