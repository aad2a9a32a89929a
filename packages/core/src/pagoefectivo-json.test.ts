import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { JsonDecimal, jsonDecimal, rawJson, stringifyWithDecimals } from "./pagoefectivo-json";

/**
 * The previous implementation, kept verbatim as the reference: every JsonDecimal became a
 * string marker with a random nonce and a regex over the whole text turned markers into numbers.
 */
function reference(value: unknown): string {
  const nonce = randomBytes(8).toString("hex");
  const marker = `__pe_decimal_${nonce}__`;
  const text = JSON.stringify(value, (_key, v: unknown) =>
    v instanceof JsonDecimal ? `${marker}${v.toText()}` : v,
  );
  return text.replace(new RegExp(`"${marker}(\\d+\\.\\d{2})"`, "g"), "$1");
}

/** Texts close to what the old marker route looked for, plus quotes and escapes. */
const trickyString = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.constantFrom(
    "__pe_decimal_0000000000000000__1.00",
    '"__pe_decimal_0123456789abcdef__150.50"',
    '\\"__pe_decimal_',
    "__pe_decimal_",
    '"',
    "\\",
    "150.50",
    "\u2028\u2029",
    "\ud800",
  ),
  fc
    .tuple(fc.stringMatching(/^[0-9a-f]{16}$/), fc.nat({ max: 99_999 }))
    .map(([nonce, n]) => `__pe_decimal_${nonce}__${jsonDecimal(n).toText()}`),
);

const leaf = fc.oneof(
  trickyString,
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date({ noInvalidDate: true }),
  fc.nat({ max: 10_000_000 }).map((n) => jsonDecimal(n)),
  fc.maxSafeNat().map((n) => jsonDecimal(n)),
);
const tree = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small" }, leaf, tie("array"), tie("object")),
  array: fc.array(tie("node"), { maxLength: 5 }),
  object: fc.dictionary(trickyString, tie("node"), { maxKeys: 5, noNullPrototype: true }),
})).node;

describe("stringifyWithDecimals", () => {
  it("writes the same text as the marker-and-regex reference on generated payloads", () => {
    fc.assert(
      fc.property(
        tree.filter((v) => v !== undefined),
        (value) => {
          expect(stringifyWithDecimals(value)).toBe(reference(value));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("writes amounts as bare numbers with two decimals, anywhere in the tree", () => {
    expect(
      stringifyWithDecimals({
        amount: jsonDecimal(15050),
        n: [jsonDecimal(1), jsonDecimal(0), { fee: jsonDecimal(100) }],
        concept: 'Pedido "150.50"',
      }),
    ).toBe('{"amount":150.50,"n":[0.01,0.00,{"fee":1.00}],"concept":"Pedido \\"150.50\\""}');
    expect(stringifyWithDecimals(jsonDecimal(9_007_199_254_740_991))).toBe("90071992547409.91");
  });

  it("leaves marker-like text typed by a shopper alone", () => {
    const concept = '"__pe_decimal_0000000000000000__1.00"';
    const body = stringifyWithDecimals({ [concept]: concept, amount: jsonDecimal(100) });
    expect(JSON.parse(body)).toEqual({ [concept]: concept, amount: 1 });
  });

  it("uses toJSON first, as JSON.stringify does, and then writes a resulting JsonDecimal", () => {
    const price = { toJSON: () => jsonDecimal(2990) };
    expect(stringifyWithDecimals({ price })).toBe('{"price":29.90}');
  });

  it("refuses amounts that are not non-negative safe integers of minor units", () => {
    expect(() => stringifyWithDecimals({ amount: jsonDecimal(-1) })).toThrow(RangeError);
    expect(() => stringifyWithDecimals({ amount: jsonDecimal(1.5) })).toThrow(RangeError);
    expect(() => stringifyWithDecimals({ amount: jsonDecimal(Number.NaN) })).toThrow(RangeError);
  });

  it("throws for a value with no JSON text instead of returning undefined", () => {
    expect(() => stringifyWithDecimals(undefined)).toThrow(TypeError);
    expect(() => stringifyWithDecimals(() => 1)).toThrow(TypeError);
  });
});

describe("rawJson", () => {
  it("is JSON.rawJSON: the literal is written as is and must be a JSON primitive", () => {
    expect(JSON.stringify({ a: rawJson("1.10") })).toBe('{"a":1.10}');
    expect(() => rawJson("{}")).toThrow(SyntaxError);
    expect(() => rawJson('1, "b": 2')).toThrow(SyntaxError);
  });
});
