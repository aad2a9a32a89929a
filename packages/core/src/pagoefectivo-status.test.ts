import fc from "fast-check";
import {
  PAGOEFECTIVO_REMOVAL_SENTINEL,
  mapCipSearchStatus,
  mapNotificationEventType,
  mapRefundRemoteStatus,
} from "./pagoefectivo-status";

const NOW = new Date("2026-11-23T15:00:00Z"); // 10:00 in Lima
const FUTURE = "2026-11-24T10:15:30-05:00";
const PAST = "2026-11-22T10:15:30-05:00";

const item = (over: Record<string, unknown> = {}) => ({
  status: 22,
  statusName: "Generado",
  dateExpiry: FUTURE,
  datePayment: null,
  dateRemoval: PAGOEFECTIVO_REMOVAL_SENTINEL,
  ...over,
});

describe("mapCipSearchStatus", () => {
  it("only status 23 means paid (number or numeric string)", () => {
    expect(mapCipSearchStatus(item({ status: 23, statusName: "Pagado" }), NOW)).toBe("paid");
    expect(mapCipSearchStatus(item({ status: "23" }), NOW)).toBe("paid");
    expect(mapCipSearchStatus(item({ status: 22, statusName: "Pagado" }), NOW)).toBe("pending");
    expect(mapCipSearchStatus(item({ status: 230 }), NOW)).toBe("pending");
    expect(mapCipSearchStatus(item({ status: "Pagado" }), NOW)).toBe("pending");
  });

  it("paid wins over a removal date or a past expiry (the money arrived)", () => {
    expect(mapCipSearchStatus(item({ status: 23, dateExpiry: PAST }), NOW)).toBe("paid");
    expect(mapCipSearchStatus(item({ status: 23, dateRemoval: PAST }), NOW)).toBe("paid");
  });

  it("a real dateRemoval means cancelled, even before expiry", () => {
    expect(mapCipSearchStatus(item({ dateRemoval: "2026-11-22T11:00:00-05:00" }), NOW)).toBe(
      "cancelled",
    );
    expect(
      mapCipSearchStatus(item({ dateRemoval: "2026-11-22T11:00:00-05:00", dateExpiry: PAST }), NOW),
    ).toBe("cancelled");
  });

  it.each([
    PAGOEFECTIVO_REMOVAL_SENTINEL,
    "1900-01-01T00:00:00",
    "1900-01-01T00:00:00Z",
    "0001-01-01T00:00:00",
    "",
    null,
    undefined,
    "not a date",
  ])("dateRemoval %j means not removed", (dateRemoval) => {
    expect(mapCipSearchStatus(item({ dateRemoval }), NOW)).toBe("pending");
  });

  it("expired only strictly after dateExpiry and only without a payment", () => {
    expect(mapCipSearchStatus(item({ dateExpiry: PAST }), NOW)).toBe("expired");
    expect(mapCipSearchStatus(item({ dateExpiry: "2026-11-23T10:00:00-05:00" }), NOW)).toBe(
      "pending",
    );
    expect(mapCipSearchStatus(item({ dateExpiry: "2026-11-23T09:59:59-05:00" }), NOW)).toBe(
      "expired",
    );
  });

  it("reads dates without an offset as Lima time, and .NET's 7 fractional digits", () => {
    // 10:00 Lima = 15:00Z: an offset-less 10:00 is not past yet; 09:59 is.
    expect(mapCipSearchStatus(item({ dateExpiry: "2026-11-23T10:00:00" }), NOW)).toBe("pending");
    expect(mapCipSearchStatus(item({ dateExpiry: "2026-11-23T09:59:00.1234567" }), NOW)).toBe(
      "expired",
    );
    expect(mapCipSearchStatus(item({ dateExpiry: "2026-11-23T14:59:00Z" }), NOW)).toBe("expired");
  });

  it("unknown or missing data maps to pending", () => {
    expect(mapCipSearchStatus({}, NOW)).toBe("pending");
    expect(mapCipSearchStatus(item({ dateExpiry: "garbage", status: null }), NOW)).toBe("pending");
  });

  it("property: never paid without status 23", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.string()).filter((s) => String(s).trim() !== "23"),
        fc.option(fc.string()),
        fc.option(fc.constantFrom(PAST, FUTURE, PAGOEFECTIVO_REMOVAL_SENTINEL, "x")),
        fc.option(fc.constantFrom(PAST, FUTURE, PAGOEFECTIVO_REMOVAL_SENTINEL, "x")),
        (status, statusName, dateExpiry, dateRemoval) => {
          const s = mapCipSearchStatus({ status, statusName, dateExpiry, dateRemoval }, NOW);
          expect(s).not.toBe("paid");
        },
      ),
    );
  });
});

describe("mapRefundRemoteStatus", () => {
  it.each([
    ["pending", "pending"],
    ["completed", "completed"],
    ["rejected", "rejected"],
    [" Completed ", "completed"],
    ["REJECTED", "rejected"],
    ["processing", "pending"],
    ["failed", "pending"],
    ["", "pending"],
    [null, "pending"],
    [3, "pending"],
  ])("%j → %s", (raw, expected) => {
    expect(mapRefundRemoteStatus(raw)).toBe(expected);
  });
});

describe("mapNotificationEventType", () => {
  it.each([
    ["cip.paid", "cip.paid"],
    ["cip.expired", "cip.expired"],
    ["cip.refunded", "cip.refunded"],
    ["refund.completed", "refund.completed"],
    ["refund.rejected", "refund.rejected"],
    ["CIP.PAID", "cip.paid"],
    ["cip.cancelled", "unknown"],
    ["cip.paid.v2", "unknown"],
    ["unknown", "unknown"],
    ["", "unknown"],
    [undefined, "unknown"],
    [{}, "unknown"],
  ])("%j → %s", (raw, expected) => {
    expect(mapNotificationEventType(raw)).toBe(expected);
  });
});
