import { formatDecimal, toLimaIso, type Currency } from "@pe-pay/core";
import { addBusinessDays, limaDay } from "./lima";
import type { CipRecord, RefundRecord } from "./state";

/** Cash channels settle about T+1..T+3; the sandbox always pays out two business days later. */
export const PAYOUT_BUSINESS_DAYS = 2;

export interface SettlementItem {
  type: "payment" | "refund";
  cip: number;
  transactionCode: string;
  refundId?: string;
  channel: string;
  operationDate: string;
  /** Positive amount of the payment or refund, as in the records it reconciles with. */
  amountMinor: number;
  feeMinor: number;
  /** Signed effect on the payout: payment amount − fee, or −refund. */
  netMinor: number;
}

export interface Settlement {
  settlementId: string;
  idService: number;
  date: string;
  currency: Currency;
  payoutDate: string;
  grossMinor: number;
  feeMinor: number;
  refundMinor: number;
  netMinor: number;
  items: SettlementItem[];
}

/** Fee in minor units, rounded half up, from a rate in hundredths of a percent. */
export function feeFor(amountMinor: number, feeBps: number): number {
  return Math.floor((amountMinor * feeBps + 5000) / 10_000);
}

export function settlementId(idService: number, date: string, currency: Currency): string {
  return `STL-${idService}-${date.replaceAll("-", "")}-${currency}`;
}

const SETTLEMENT_ID = /^STL-(\d{1,10})-(\d{4})(\d{2})(\d{2})-(PEN|USD)$/;

export function parseSettlementId(
  id: string,
): { idService: number; date: string; currency: Currency } | undefined {
  const m = SETTLEMENT_ID.exec(id);
  if (!m) return undefined;
  return { idService: Number(m[1]), date: `${m[2]}-${m[3]}-${m[4]}`, currency: m[5] as Currency };
}

/**
 * One settlement per merchant, Lima day and currency: the payments made that day and the refunds
 * completed that day. The fee applies to payments only.
 */
export function computeSettlement(args: {
  idService: number;
  date: string;
  currency: Currency;
  feeBps: number;
  cips: Iterable<CipRecord>;
  refunds: Iterable<RefundRecord>;
  cipByNumber: (cip: number) => CipRecord | undefined;
}): Settlement {
  const items: (SettlementItem & { at: number })[] = [];
  for (const c of args.cips) {
    if (c.idService !== args.idService || c.currency !== args.currency) continue;
    if (c.state !== "paid" || !c.paidAt || c.paidAmountMinor === undefined) continue;
    if (limaDay(c.paidAt) !== args.date) continue;
    const fee = feeFor(c.paidAmountMinor, args.feeBps);
    items.push({
      at: c.paidAt.getTime(),
      type: "payment",
      cip: c.cip,
      transactionCode: c.transactionCode,
      channel: c.channel ?? "",
      operationDate: toLimaIso(c.paidAt),
      amountMinor: c.paidAmountMinor,
      feeMinor: fee,
      netMinor: c.paidAmountMinor - fee,
    });
  }
  for (const r of args.refunds) {
    if (r.idService !== args.idService || r.currency !== args.currency) continue;
    if (r.status !== "completed" || !r.processedAt || limaDay(r.processedAt) !== args.date)
      continue;
    const c = args.cipByNumber(r.cip);
    items.push({
      at: r.processedAt.getTime(),
      type: "refund",
      cip: r.cip,
      transactionCode: c?.transactionCode ?? "",
      refundId: r.refundId,
      channel: c?.channel ?? "",
      operationDate: toLimaIso(r.processedAt),
      amountMinor: r.amountMinor,
      feeMinor: 0,
      netMinor: -r.amountMinor,
    });
  }
  items.sort((a, b) => a.at - b.at || a.cip - b.cip);
  const sum = (f: (i: SettlementItem) => number, t?: SettlementItem["type"]) =>
    items.filter((i) => !t || i.type === t).reduce((s, i) => s + f(i), 0);
  return {
    settlementId: settlementId(args.idService, args.date, args.currency),
    idService: args.idService,
    date: args.date,
    currency: args.currency,
    payoutDate: addBusinessDays(args.date, PAYOUT_BUSINESS_DAYS),
    grossMinor: sum((i) => i.amountMinor, "payment"),
    feeMinor: sum((i) => i.feeMinor),
    refundMinor: sum((i) => i.amountMinor, "refund"),
    netMinor: sum((i) => i.netMinor),
    items: items.map(({ at: _at, ...rest }) => rest),
  };
}

/** "-12.30" / "12.30": core's formatDecimal is unsigned, net amounts here can be negative. */
export function signedDecimal(minor: number): string {
  return minor < 0 ? `-${formatDecimal(-minor)}` : formatDecimal(minor);
}

export const CSV_COLUMNS = [
  "type",
  "cip",
  "transactionCode",
  "refundId",
  "channel",
  "operationDate",
  "amount",
  "feeAmount",
  "netAmount",
] as const;

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** RFC 4180 CSV, CRLF line ends, dot decimals, UTF-8 (no BOM). */
export function settlementCsv(s: Settlement): string {
  const rows = [CSV_COLUMNS.join(",")];
  for (const i of s.items) {
    rows.push(
      [
        i.type,
        String(i.cip),
        i.transactionCode,
        i.refundId ?? "",
        i.channel,
        i.operationDate,
        formatDecimal(i.amountMinor),
        formatDecimal(i.feeMinor),
        signedDecimal(i.netMinor),
      ]
        .map(csvField)
        .join(","),
    );
  }
  return `${rows.join("\r\n")}\r\n`;
}
