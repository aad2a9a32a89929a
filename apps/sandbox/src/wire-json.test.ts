import fc from "fast-check";
import { jsonDecimal, stringifyWithDecimals } from "@pe-pay/core";
import { signedDecimal } from "./settlement";
import { amount, SignedAmount, toWireJson } from "./wire-json";

/** Core's writer for JsonDecimal plus a marker and a regex for signed amounts (the previous route). */
function reference(value: unknown): string {
  const marker = "__pe_signed_reference__";
  const replace = (v: unknown): unknown => {
    if (v instanceof SignedAmount) return `${marker}${signedDecimal(v.minor)}`;
    if (Array.isArray(v)) return v.map(replace);
    if (v && typeof v === "object" && v.constructor === Object) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replace(x)]));
    }
    return v;
  };
  return stringifyWithDecimals(replace(value)).replace(
    new RegExp(`"${marker}(-\\d+\\.\\d{2})"`, "g"),
    "$1",
  );
}

const leaf = fc.oneof(
  fc.string(),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date({ noInvalidDate: true }),
  fc.nat({ max: 10_000_000 }).map((n) => jsonDecimal(n)),
  fc.integer({ min: -10_000_000, max: 10_000_000 }).map((n) => amount(n)),
);
const tree = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small" }, leaf, tie("array"), tie("object")),
  array: fc.array(tie("node"), { maxLength: 5 }),
  object: fc.dictionary(fc.string(), tie("node"), { maxKeys: 5, noNullPrototype: true }),
})).node;

describe("toWireJson", () => {
  it("writes the same text as JSON.stringify with decimals marked", () => {
    fc.assert(
      fc.property(fc.oneof(tree.filter((v) => v !== undefined)), (value) => {
        expect(toWireJson(value)).toBe(reference(value));
      }),
      { numRuns: 500 },
    );
  });

  it("writes amounts as bare numbers with two decimals", () => {
    expect(
      toWireJson({ a: jsonDecimal(15050), b: amount(-4025), c: [amount(0), undefined], d: 1e21 }),
    ).toBe('{"a":150.50,"b":-40.25,"c":[0.00,null],"d":1e+21}');
  });

  it("leaves out undefined members and uses toJSON, like JSON.stringify", () => {
    const at = new Date("2026-11-22T15:15:30.000Z");
    expect(toWireJson({ u: undefined, f: () => 1, at, n: NaN, s: 'q"\n' })).toBe(
      JSON.stringify({ at, n: null, s: 'q"\n' }),
    );
  });
});
