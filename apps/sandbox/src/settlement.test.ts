import fc from "fast-check";
import type { CipRecord, RefundRecord } from "./state";
import {
  computeSettlement,
  feeFor,
  parseSettlementId,
  settlementCsv,
  settlementId,
  signedDecimal,
} from "./settlement";
import { addBusinessDays, isValidDay, limaDay, parseIsoInstant } from "./lima";

const cip = (
  n: number,
  paidAt: string,
  minor: number,
  currency: "PEN" | "USD" = "PEN",
): CipRecord => ({
  cip: n,
  guid: `g${n}`,
  idService: 1234,
  transactionCode: `T${n}`,
  currency,
  amountMinor: minor,
  dateCreation: new Date(paidAt),
  dateExpiry: new Date(paidAt),
  state: "paid",
  paidAt: new Date(paidAt),
  paidAmountMinor: minor,
  channel: "BCP-agente",
  details: {},
});

describe("settlement arithmetic", () => {
  it("rounds the fee half up in integer arithmetic", () => {
    expect(feeFor(15050, 350)).toBe(527); // 5.2675
    expect(feeFor(9900, 250)).toBe(248); // 2.475
    expect(feeFor(100, 0)).toBe(0);
    expect(feeFor(1, 5000)).toBe(1); // 0.5 → 1
  });

  it("sums so that net = gross − fees − refunds, for any set of items (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 100_000_000 }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 5 }),
        fc.integer({ min: 0, max: 10_000 }),
        (payments, refundAmounts, bps) => {
          const cips = payments.map((m, i) => cip(i + 1, "2026-11-22T15:00:00Z", m));
          const refunds = refundAmounts.map((m, i): RefundRecord => ({
            refundId: `rf_${i}`,
            idService: 1234,
            cip: 1,
            amountMinor: m,
            currency: "PEN",
            reason: null,
            reference: `r${i}`,
            invoiceNumber: "F001-1",
            status: "completed",
            createdAt: new Date("2026-11-22T15:00:00Z"),
            processedAt: new Date("2026-11-22T16:00:00Z"),
            fingerprint: "",
          }));
          const s = computeSettlement({
            idService: 1234,
            date: "2026-11-22",
            currency: "PEN",
            feeBps: bps,
            cips,
            refunds,
            cipByNumber: () => cips[0],
          });
          expect(s.netMinor).toBe(s.grossMinor - s.feeMinor - s.refundMinor);
          expect(s.items.reduce((a, i) => a + i.netMinor, 0)).toBe(s.netMinor);
          const csvNet = settlementCsv(s)
            .trim()
            .split("\r\n")
            .slice(1)
            .reduce((a, l) => a + Math.round(Number(l.split(",").at(-1)) * 100), 0);
          expect(csvNet).toBe(s.netMinor);
        },
      ),
    );
  });

  it("uses the Lima day and the currency to pick items", () => {
    const cips = [
      cip(1, "2026-11-23T04:59:59Z", 100),
      cip(2, "2026-11-23T05:00:00Z", 200),
      cip(3, "2026-11-22T20:00:00Z", 300, "USD"),
    ];
    const s = computeSettlement({
      idService: 1234,
      date: "2026-11-22",
      currency: "PEN",
      feeBps: 0,
      cips,
      refunds: [],
      cipByNumber: () => undefined,
    });
    expect(s.items.map((i) => i.cip)).toEqual([1]);
    expect(s.payoutDate).toBe("2026-11-24");
  });

  it("formats signed decimals and round-trips settlement ids", () => {
    expect(signedDecimal(-4025)).toBe("-40.25");
    expect(signedDecimal(5)).toBe("0.05");
    const id = settlementId(1234, "2026-11-22", "USD");
    expect(id).toBe("STL-1234-20261122-USD");
    expect(parseSettlementId(id)).toEqual({ idService: 1234, date: "2026-11-22", currency: "USD" });
    expect(parseSettlementId("STL-1234-20261122-EUR")).toBeUndefined();
  });
});

describe("Lima helpers", () => {
  it("computes the Lima calendar day and business days", () => {
    expect(limaDay(new Date("2026-11-23T04:59:59Z"))).toBe("2026-11-22");
    expect(limaDay(new Date("2026-11-23T05:00:00Z"))).toBe("2026-11-23");
    expect(addBusinessDays("2026-11-20", 2)).toBe("2026-11-24"); // Friday → Tuesday
    expect(isValidDay("2026-02-29")).toBe(false);
    expect(isValidDay("2028-02-29")).toBe(true);
  });

  it("parses only ISO instants with an explicit offset", () => {
    expect(parseIsoInstant("2026-11-22T10:15:30-05:00")?.toISOString()).toBe(
      "2026-11-22T15:15:30.000Z",
    );
    expect(parseIsoInstant("2026-11-22T10:15:30Z")).toBeDefined();
    for (const bad of [
      "2026-11-22T10:15:30",
      "2026-11-22",
      "2026-02-30T00:00:00Z",
      "2026-11-22T24:00:00Z",
      5,
      null,
    ]) {
      expect(parseIsoInstant(bad)).toBeUndefined();
    }
  });
});
