import {
  isCurrency,
  mapNotificationEventType,
  minorFromJsonNumber,
  parseLimaIso,
  type Money,
  type NotificationEventType,
} from "@pe-pay/core";

export interface ParsedNotification {
  eventType: NotificationEventType;
  /** As sent (for the inbox); `eventType` is the mapped one. */
  rawEventType: string;
  operationNumber: string | null;
  cip: string | null;
  data: Record<string, unknown>;
}

const EXACT_KEYS = new Set(["cip", "amount", "operationnumber", "transactionid"]);
const DIGITS = /^\d{1,20}$/;
const MAX_TEXT = 128;

/**
 * JSON.parse that keeps CIPs, amounts and operation numbers as the exact text PagoEfectivo sent
 * (a 17-digit CIP would be rounded by a plain parse). Returns null for anything that is not a
 * JSON object with an `eventType` string and a `data` object.
 */
export function parseNotification(raw: Buffer): ParsedNotification | null {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString("utf8"), function (key, v, context?: { source?: string }) {
      if (typeof v === "number" && EXACT_KEYS.has(key.toLowerCase())) {
        return context?.source ?? String(v);
      }
      return v;
    });
  } catch {
    return null;
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  const eventType = o.eventType ?? o.EventType;
  const data = o.data ?? o.Data;
  if (typeof eventType !== "string" || eventType.length > MAX_TEXT) return null;
  if (!data || typeof data !== "object" || Array.isArray(data)) return null;
  const d = data as Record<string, unknown>;
  const op = o.operationNumber ?? o.OperationNumber;
  const cip = d.cip ?? d.Cip;
  return {
    eventType: mapNotificationEventType(eventType),
    rawEventType: eventType,
    operationNumber:
      typeof op === "string" && op.trim() !== "" && op.length <= MAX_TEXT ? op.trim() : null,
    cip: typeof cip === "string" && DIGITS.test(cip.trim()) ? cip.trim() : null,
    data: d,
  };
}

export interface PaidData {
  cip: string;
  amount: Money;
  paidAt: Date | null;
  transactionCode: string | null;
}

/** The `data` of cip.paid, checked; null if the notification cannot be a payment. */
export function readPaidData(n: ParsedNotification): PaidData | null {
  const d = n.data;
  const amountText = d.amount;
  const minor =
    typeof amountText === "string" || typeof amountText === "number"
      ? minorFromJsonNumber(amountText)
      : undefined;
  const currency = d.currency;
  if (!n.cip || minor === undefined || !isCurrency(currency)) return null;
  const tc = d.transactionCode;
  const date = typeof d.paymentDate === "string" ? parseLimaIso(d.paymentDate) : undefined;
  return {
    cip: n.cip,
    amount: { minor, currency },
    paidAt: date ?? null,
    transactionCode:
      typeof tc === "string" && tc.trim() !== "" && tc.length <= MAX_TEXT ? tc.trim() : null,
  };
}

export interface RefundData {
  refundId: string;
  reasonCode: string | undefined;
  reference: string | undefined;
}

export function readRefundData(n: ParsedNotification): RefundData | null {
  const id = n.data.refundId;
  if (typeof id !== "string" || !/^[A-Za-z0-9_-]{1,128}$/.test(id)) return null;
  const reason = n.data.reasonCode;
  const reference = n.data.reference;
  return {
    refundId: id,
    reasonCode: typeof reason === "string" && reason.length <= MAX_TEXT ? reason : undefined,
    // Our refund id as we sent it; the refunds module checks its shape and its tenant.
    reference:
      typeof reference === "string" && reference.length <= MAX_TEXT ? reference : undefined,
  };
}
