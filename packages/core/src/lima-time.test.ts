import fc from "fast-check";
import { toLimaIso } from "./clock";
import { ValidationError } from "./errors";
import {
  computeExpiry,
  formatLimaDateTimeShort,
  formatLimaDeadline,
  isRemovalSentinel,
  limaCalendarDay,
  parseLimaIso,
} from "./lima-time";

const H = 3_600_000;
const at = (iso: string) => new Date(iso);
/** 2000–2100: Lima last observed daylight saving in 1994, so ICU is a valid oracle here. */
const anyDate = fc
  .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) })
  .map((ms) => new Date(ms));

function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).issues;
  }
  throw new Error("expected a ValidationError");
}

describe("computeExpiry", () => {
  const now = at("2026-11-22T15:15:30.000Z"); // 10:15:30 in Lima

  it("adds the validity", () => {
    expect(computeExpiry({ now, validityHours: 48 })).toEqual(at("2026-11-24T15:15:30.000Z"));
    expect(computeExpiry({ now, validityHours: 1.5 })).toEqual(at("2026-11-22T16:45:30.000Z"));
  });

  it("rounds down to the whole second the wire can carry", () => {
    const out = computeExpiry({ now: at("2026-11-22T15:15:30.999Z"), validityHours: 1 });
    expect(out).toEqual(at("2026-11-22T16:15:30.000Z"));
    expect(parseLimaIso(toLimaIso(out))).toEqual(out);
  });

  it("clamps to maxHours and raises to minHours", () => {
    expect(computeExpiry({ now, validityHours: 168, policy: { maxHours: 72 } })).toEqual(
      new Date(now.getTime() + 72 * H),
    );
    expect(computeExpiry({ now, validityHours: 0.25, policy: { minHours: 1 } })).toEqual(
      new Date(now.getTime() + H),
    );
  });

  it("never goes past notAfter, even against minHours", () => {
    const notAfter = at("2026-11-23T00:00:00.500Z");
    expect(computeExpiry({ now, validityHours: 48, policy: { notAfter, minHours: 24 } })).toEqual(
      at("2026-11-23T00:00:00.000Z"),
    );
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("rejects validity %p", (validityHours) => {
    expect(issuesOf(() => computeExpiry({ now, validityHours }))).toEqual([
      expect.objectContaining({ field: "validityHours", code: "invalid" }),
    ]);
  });

  it("reports every policy problem at once", () => {
    const issues = issuesOf(() =>
      computeExpiry({
        now,
        validityHours: -5,
        policy: { maxHours: 0, minHours: Number.NaN, notAfter: at("2026-11-22T15:00:00Z") },
      }),
    );
    expect(issues.map((i) => i.field)).toEqual([
      "validityHours",
      "policy.maxHours",
      "policy.minHours",
      "policy.notAfter",
    ]);
  });

  it("rejects minHours above maxHours and an invalid notAfter", () => {
    const issues = issuesOf(() =>
      computeExpiry({
        now,
        validityHours: 5,
        policy: { maxHours: 2, minHours: 3, notAfter: new Date(Number.NaN) },
      }),
    );
    expect(issues).toEqual([
      expect.objectContaining({ field: "policy.minHours", code: "inconsistent" }),
      expect.objectContaining({ field: "policy.notAfter", code: "invalid" }),
    ]);
  });

  it("refuses a window shorter than one second", () => {
    const issues = issuesOf(() =>
      computeExpiry({ now, validityHours: 1, policy: { notAfter: new Date(now.getTime() + 400) } }),
    );
    expect(issues[0]).toMatchObject({ field: "dateExpiry", code: "too_short" });
  });

  it("rejects an invalid now as a programming error", () => {
    expect(() => computeExpiry({ now: new Date("nope"), validityHours: 1 })).toThrow(RangeError);
  });

  it("always lands after now and within every bound (property)", () => {
    fc.assert(
      fc.property(
        anyDate,
        fc.double({ min: 0.01, max: 2000, noNaN: true }),
        fc.option(fc.double({ min: 0.01, max: 500, noNaN: true }), { nil: undefined }),
        fc.option(fc.integer({ min: 1000, max: 30 * 24 * H }), { nil: undefined }),
        (now, validityHours, maxHours, notAfterDelta) => {
          const notAfter =
            notAfterDelta === undefined ? undefined : new Date(now.getTime() + notAfterDelta);
          const out = computeExpiry({ now, validityHours, policy: { maxHours, notAfter } });
          expect(out.getTime()).toBeGreaterThan(now.getTime());
          expect(out.getTime() % 1000).toBe(0);
          expect(out.getTime()).toBeLessThanOrEqual(now.getTime() + validityHours * H + 1);
          if (maxHours !== undefined) {
            expect(out.getTime()).toBeLessThanOrEqual(now.getTime() + maxHours * H + 1);
          }
          if (notAfter) expect(out.getTime()).toBeLessThanOrEqual(notAfter.getTime());
        },
      ),
    );
  });
});

describe("limaCalendarDay", () => {
  it.each([
    ["2026-11-23T03:00:00Z", "2026-11-22"],
    ["2026-11-23T04:59:59.999Z", "2026-11-22"],
    ["2026-11-23T05:00:00Z", "2026-11-23"],
    ["2027-01-01T04:00:00Z", "2026-12-31"],
    ["2028-03-01T02:00:00Z", "2028-02-29"],
  ])("%s is %s in Lima", (iso, day) => {
    expect(limaCalendarDay(at(iso))).toBe(day);
  });

  it("agrees with the ICU America/Lima zone (test oracle only)", () => {
    const icu = new Intl.DateTimeFormat("en-CA", {
      timeZone: "America/Lima",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    fc.assert(
      fc.property(anyDate, (d) => {
        expect(limaCalendarDay(d)).toBe(icu.format(d));
      }),
      { numRuns: 300 },
    );
  });

  it("agrees with the day in toLimaIso", () => {
    fc.assert(
      fc.property(anyDate, (d) => {
        expect(limaCalendarDay(d)).toBe(toLimaIso(d).slice(0, 10));
      }),
    );
  });

  it("rejects an invalid date", () => {
    expect(() => limaCalendarDay(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe("parseLimaIso", () => {
  it.each([
    ["2026-11-22T10:15:30-05:00", "2026-11-22T15:15:30.000Z"],
    ["2026-11-22T15:15:30Z", "2026-11-22T15:15:30.000Z"],
    ["2026-11-22T15:15:30z", "2026-11-22T15:15:30.000Z"],
    ["2026-11-22T10:15:30-0500", "2026-11-22T15:15:30.000Z"],
    ["2026-11-22T10:15:30-05", "2026-11-22T15:15:30.000Z"],
    ["2026-11-22T16:15:30+01:00", "2026-11-22T15:15:30.000Z"],
    ["2026-11-22 10:15:30-05:00", "2026-11-22T15:15:30.000Z"],
    ["2026-11-22T10:15-05:00", "2026-11-22T15:15:00.000Z"],
    ["2026-11-22T10:15:30.1234567-05:00", "2026-11-22T15:15:30.123Z"],
    ["2026-11-22T10:15:30.5-05:00", "2026-11-22T15:15:30.500Z"],
    // No offset: read as Lima time.
    ["2026-11-22T10:15:30", "2026-11-22T15:15:30.000Z"],
    ["  2026-11-22T10:15:30-05:00 ", "2026-11-22T15:15:30.000Z"],
    ["2028-02-29T00:00:00-05:00", "2028-02-29T05:00:00.000Z"],
    ["1900-01-01T00:00:00-05:00", "1900-01-01T05:00:00.000Z"],
    ["0050-06-01T00:00:00Z", "0050-06-01T00:00:00.000Z"],
  ])("parses %s", (text, utc) => {
    expect(parseLimaIso(text)?.toISOString()).toBe(utc);
  });

  it.each([
    "",
    "2026-11-22",
    "2026-11-22T10:15:30+25:00",
    "2026-11-22T10:15:30-05:60",
    "2026-02-29T10:00:00-05:00",
    "2026-04-31T10:00:00-05:00",
    "2026-13-01T10:00:00-05:00",
    "2026-00-10T10:00:00-05:00",
    "2026-11-22T24:00:00-05:00",
    "2026-11-22T10:60:00-05:00",
    "2026-11-22T10:15:60-05:00",
    "22/11/2026 10:15",
    "2026-11-22T10:15:30-05:00 extra",
    "1732288530",
  ])("refuses %p", (text) => {
    expect(parseLimaIso(text)).toBeUndefined();
  });

  it("refuses non-strings without throwing", () => {
    expect(parseLimaIso(undefined as unknown as string)).toBeUndefined();
    expect(parseLimaIso(42 as unknown as string)).toBeUndefined();
  });

  it("round-trips toLimaIso to the second (property)", () => {
    fc.assert(
      fc.property(anyDate, (d) => {
        const seconds = new Date(Math.floor(d.getTime() / 1000) * 1000);
        expect(parseLimaIso(toLimaIso(d))).toEqual(seconds);
      }),
    );
  });
});

describe("isRemovalSentinel", () => {
  it.each([
    "1900-01-01T00:00:00-05:00",
    "1900-01-01T00:00:00",
    "1900-01-01T00:00:00.000-05:00",
    "1900-01-01T00:00:00Z",
    "1900-01-01 00:00:00-0500",
    " 1900-01-01T00:00:00-05:00 ",
    "0001-01-01T00:00:00",
  ])("recognises %p", (text) => {
    expect(isRemovalSentinel(text)).toBe(true);
  });

  it.each([
    "2026-11-22T10:15:30-05:00",
    "1900-01-01T00:00:01-05:00",
    "1900-01-02T00:00:00-05:00",
    "",
    null,
    undefined,
    0,
  ])("does not treat %p as the sentinel", (value) => {
    expect(isRemovalSentinel(value)).toBe(false);
  });
});

describe("formatLimaDeadline", () => {
  it.each([
    ["2025-11-24T15:15:30Z", "lunes 24 de noviembre, 10:15 a. m.", "Monday, November 24, 10:15 AM"],
    ["2025-11-24T17:00:00Z", "lunes 24 de noviembre, 12:00 p. m.", "Monday, November 24, 12:00 PM"],
    [
      "2026-11-25T05:30:00Z",
      "miércoles 25 de noviembre, 12:30 a. m.",
      "Wednesday, November 25, 12:30 AM",
    ],
    [
      "2026-11-25T04:59:59Z",
      "martes 24 de noviembre, 11:59 p. m.",
      "Tuesday, November 24, 11:59 PM",
    ],
    ["2027-01-02T18:05:00Z", "sábado 2 de enero, 1:05 p. m.", "Saturday, January 2, 1:05 PM"],
    ["2026-09-06T14:09:00Z", "domingo 6 de septiembre, 9:09 a. m.", "Sunday, September 6, 9:09 AM"],
  ])("formats %s", (iso, es, en) => {
    expect(formatLimaDeadline(at(iso), "es")).toBe(es);
    expect(formatLimaDeadline(at(iso), "en")).toBe(en);
  });

  it("uses the Lima day, not the UTC day", () => {
    // 02:00 UTC on the 25th is 21:00 on the 24th in Lima.
    expect(formatLimaDeadline(at("2026-11-25T02:00:00Z"), "es")).toBe(
      "martes 24 de noviembre, 9:00 p. m.",
    );
  });

  it("matches ICU's weekday, day, month and time in Lima (property, test oracle only)", () => {
    const icu = new Intl.DateTimeFormat("en-US", {
      timeZone: "America/Lima",
      weekday: "long",
      month: "long",
      day: "numeric",
      hour: "numeric",
      minute: "2-digit",
      hour12: true,
    });
    fc.assert(
      fc.property(anyDate, (d) => {
        const p = Object.fromEntries(icu.formatToParts(d).map((x) => [x.type, x.value]));
        const expected = `${p.weekday}, ${p.month} ${p.day}, ${p.hour}:${p.minute} ${p.dayPeriod}`;
        expect(formatLimaDeadline(d, "en")).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("rejects an invalid date", () => {
    expect(() => formatLimaDeadline(new Date(Number.NaN), "es")).toThrow(RangeError);
  });
});

describe("formatLimaDateTimeShort", () => {
  it("formats day-first in Spanish and ISO order in English, 24-hour, Lima time", () => {
    const d = at("2026-11-24T15:15:30Z");
    expect(formatLimaDateTimeShort(d, "es")).toBe("24/11/2026 10:15");
    expect(formatLimaDateTimeShort(d, "en")).toBe("2026-11-24 10:15");
    expect(formatLimaDateTimeShort(at("2027-01-01T04:05:00Z"), "es")).toBe("31/12/2026 23:05");
    expect(formatLimaDateTimeShort(at("2026-03-05T05:00:00Z"), "es")).toBe("05/03/2026 00:00");
  });
});
