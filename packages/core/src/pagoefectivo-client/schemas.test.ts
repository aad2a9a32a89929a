import fc from "fast-check";
import {
  amountMinorSchema,
  digitStringSchema,
  normalizeKeys,
  parsePagoEfectivoJson,
  parseWithSourceReviver,
  peDateSchema,
  readErrorEnvelope,
  signedAmountMinorSchema,
} from "./schemas";

/** JSON texts written token by token, so number literals and spacing are exactly as chosen. */
const space = fc.constantFrom("", " ", "\n  ", "\t", "\r\n");
const numberLiteral = fc.oneof(
  fc.constantFrom("0", "-0", "150.50", "150.5", "0.00", "1e2", "-12.30", "2.5E-3", "150.500"),
  fc.bigInt({ min: 0n, max: 10n ** 25n }).map(String),
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => (n / 100).toFixed(2)),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
);
const key = fc.constantFrom(
  "cip",
  "Cip",
  "CIP",
  "transactionId",
  "TransactionId",
  "amount",
  "Amount",
  "feeAmount",
  "netamount",
  "grossAmount",
  "refundAmount",
  "code",
  "data",
  "Data",
  "status",
  "amountx",
  "xcip",
  "cip ",
  "message",
);
const stringLiteral = fc.oneof(
  fc.constantFrom('"Consulta exitosa."', '"2026-11-24T10:15:30-05:00"', '"cip"', '"amount: 1"'),
  fc.string().map((s) => JSON.stringify(s)),
  fc.constantFrom('"valid\\u00e1cion"', '"a \\"cip\\": 5"', '"\\\\"'),
);
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    numberLiteral,
    stringLiteral,
    fc.constantFrom("true", "false", "null"),
    fc
      .array(fc.tuple(space, tie("value"), space), { maxLength: 4 })
      .map((items) => `[${items.map(([a, v, b]) => `${a}${v}${b}`).join(",")}]`),
    fc
      .array(fc.tuple(space, fc.oneof(key, stringLiteral), space, space, tie("value")), {
        maxLength: 5,
      })
      .map(
        (members) =>
          `{${members
            .map(
              ([a, k, b, c, v]) => `${a}${k.startsWith('"') ? k : JSON.stringify(k)}${b}:${c}${v}`,
            )
            .join(",")}}`,
      ),
  ),
})).value;

describe("PagoEfectivo response schemas", () => {
  it("keeps CIPs and amounts as the exact digits sent", () => {
    const parsed = parsePagoEfectivoJson(
      '{"Data":{"Cip":123456789012345678901,"Amount":150.50,"code":100}}',
    ) as { data: { cip: unknown; amount: unknown; code: unknown } };
    expect(digitStringSchema.parse(parsed.data.cip)).toBe("123456789012345678901");
    expect(amountMinorSchema.parse(parsed.data.amount)).toBe(15050);
    expect(parsed.data.code).toBe(100);
  });

  it.each([2495383.5, -1, "12 3", "", "1e5", Number.MAX_SAFE_INTEGER + 2])(
    "refuses CIP %p",
    (v) => {
      expect(digitStringSchema.safeParse(v).success).toBe(false);
    },
  );

  it.each([
    [150.5, 15050],
    ["0.01", 1],
    [7, 700],
  ])("amount %p → %p", (v, minor) => {
    expect(amountMinorSchema.parse(v)).toBe(minor);
  });

  it.each([150.505, -1, "1,50", "abc", Infinity])("refuses amount %p", (v) => {
    expect(amountMinorSchema.safeParse(v).success).toBe(false);
  });

  it("signed amounts", () => {
    expect(signedAmountMinorSchema.parse("-50.00")).toBe(-5000);
    expect(signedAmountMinorSchema.parse(-0.5)).toBe(-50);
    expect(signedAmountMinorSchema.parse("-0.00")).toBe(0);
    expect(signedAmountMinorSchema.safeParse("--1").success).toBe(false);
  });

  it("dates: offsets, Lima default, sentinel and empty → null", () => {
    expect(peDateSchema.parse("2026-11-24T10:15:30-05:00")).toEqual(
      new Date("2026-11-24T15:15:30Z"),
    );
    expect(peDateSchema.parse("2026-11-24T10:15:30")).toEqual(new Date("2026-11-24T15:15:30Z"));
    expect(peDateSchema.parse("2026-11-24T15:15:30.250Z")).toEqual(
      new Date("2026-11-24T15:15:30.250Z"),
    );
    expect(peDateSchema.parse("1900-01-01T00:00:00-05:00")).toBeNull();
    expect(peDateSchema.parse("1900-01-01T00:00:00")).toBeNull();
    expect(peDateSchema.parse("0001-01-01T00:00:00")).toBeNull();
    expect(peDateSchema.parse("")).toBeNull();
    expect(peDateSchema.parse(null)).toBeNull();
    expect(peDateSchema.safeParse("24/11/2026").success).toBe(false);
    expect(peDateSchema.safeParse("2026-13-45T99:00:00Z").success).toBe(false);
  });

  it("parses exactly as the per-value reviver does, escapes or not", () => {
    fc.assert(
      fc.property(jsonText, (text) => {
        let expected: unknown;
        try {
          expected = normalizeKeys(parseWithSourceReviver(text));
        } catch {
          expect(() => parsePagoEfectivoJson(text)).toThrow(SyntaxError);
          return;
        }
        expect(parsePagoEfectivoJson(text)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps a literal of an exact key even with odd spacing and casing", () => {
    expect(
      parsePagoEfectivoJson('{"DATA" :[ {"CIP"\n:\t123456789012345678901 ,"x":1.50}]}'),
    ).toEqual({
      dATA: [{ cIP: { __exactNumber: "123456789012345678901" }, x: 1.5 }],
    });
  });

  it("normalizes PascalCase keys, camelCase winning on a clash", () => {
    expect(normalizeKeys({ Data: [{ Cip: 1 }], data: "camel", Code: 1 })).toEqual({
      data: "camel",
      code: 1,
    });
  });

  it("reads error envelopes leniently", () => {
    expect(
      readErrorEnvelope({ code: 111, message: "m", data: [{ code: 313, field: "f" }, 5] }),
    ).toEqual({
      code: "111",
      message: "m",
      field: "f",
      issues: [{ code: "313", field: "f", message: "" }],
    });
    expect(readErrorEnvelope("nope")).toEqual({ issues: [] });
  });
});
