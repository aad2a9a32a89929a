import fc from "fast-check";
import { formatDecimal, formatMoneyForShopper, minorFromJsonNumber, parseMoney } from "./money";
import { ValidationError } from "./errors";
import { jsonDecimal, stringifyWithDecimals } from "./pagoefectivo-json";

describe("parseMoney", () => {
  it.each([
    ["149.90", 14990],
    ["18.50", 1850],
    ["18.5", 1850],
    ["7", 700],
    ["0.01", 1],
    ["1000000.00", 100_000_000],
  ])("parses %s exactly", (text, minor) => {
    expect(parseMoney(text, "PEN")).toEqual({ minor, currency: "PEN" });
  });

  it.each([
    ["-1.00", "negative"],
    ["1.234", "too_many_decimals"],
    ["1e3", "invalid_format"],
    ["NaN", "invalid_format"],
    ["", "required"],
    ["   ", "required"],
    ["1,50", "invalid_format"],
    ["01.50", "invalid_format"],
    ["0.00", "too_small"],
    ["1000000.01", "too_large"],
  ])("rejects %s with code %s", (text, code) => {
    try {
      parseMoney(text, "PEN");
      throw new Error("should have thrown");
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).issues[0]).toMatchObject({ field: "amount", code });
    }
  });

  it("reports amount and currency together, honouring a custom maximum and field name", () => {
    try {
      parseMoney("600.00", "EUR", { field: "total", maxMinor: 50_000 });
      throw new Error("should have thrown");
    } catch (e) {
      expect((e as ValidationError).issues.map((i) => `${i.field}:${i.code}`)).toEqual([
        "total:too_large",
        "currency:unsupported",
      ]);
    }
  });

  it("rejects non-string amounts (numbers are floats on the wire)", () => {
    expect(() => parseMoney(149.9, "PEN")).toThrow(ValidationError);
  });

  it("round-trips every amount (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000_000 }), (minor) => {
        expect(parseMoney(formatDecimal(minor), "USD").minor).toBe(minor);
      }),
    );
  });
});

describe("formatting", () => {
  it("formats for shoppers in es-PE style", () => {
    expect(formatMoneyForShopper({ minor: 123450, currency: "PEN" })).toBe("S/ 1,234.50");
    expect(formatMoneyForShopper({ minor: 15050, currency: "PEN" })).toBe("S/ 150.50");
    expect(formatMoneyForShopper({ minor: 2500, currency: "USD" })).toBe("US$ 25.00");
    expect(formatMoneyForShopper({ minor: 100_000_000, currency: "PEN" })).toBe("S/ 1,000,000.00");
    expect(formatMoneyForShopper({ minor: 5, currency: "PEN" })).toBe("S/ 0.05");
  });

  it("writes PagoEfectivo amounts as JSON numbers with two decimals", () => {
    const body = stringifyWithDecimals({
      amount: jsonDecimal(15050),
      note: "x",
      n: [jsonDecimal(1)],
    });
    expect(body).toBe('{"amount":150.50,"note":"x","n":[0.01]}');
    expect(JSON.parse(body).amount).toBe(150.5);
  });

  it("does not rewrite a look-alike string typed by a shopper", () => {
    const body = stringifyWithDecimals({ concept: "__pe_decimal_0000000000000000__1.00" });
    expect(JSON.parse(body).concept).toBe("__pe_decimal_0000000000000000__1.00");
  });

  it("reads PagoEfectivo JSON numbers back exactly, refusing extra decimals", () => {
    expect(minorFromJsonNumber(150.5)).toBe(15050);
    expect(minorFromJsonNumber(0.29)).toBe(29);
    expect(minorFromJsonNumber(89.9)).toBe(8990);
    expect(minorFromJsonNumber("150.50")).toBe(15050);
    expect(minorFromJsonNumber(1.005)).toBeUndefined();
    expect(minorFromJsonNumber(1e21)).toBeUndefined();
    expect(minorFromJsonNumber(Number.NaN)).toBeUndefined();
  });
});
