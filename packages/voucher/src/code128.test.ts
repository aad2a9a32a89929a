import { Code128Reader } from "@zxing/library";
import fc from "fast-check";
import {
  CODE128_PATTERNS,
  code128Checksum,
  code128Modules,
  code128Values,
  CODE_B,
  CODE_C,
  START_B,
  START_C,
  STOP,
} from "./code128";

/** Modules → bar/space widths, to compare with the reference tables. */
function runs(modules: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < modules.length;) {
    let w = 1;
    while (modules[i + w] === modules[i]) w++;
    out.push(w);
    i += w;
  }
  return out;
}

/** Reads symbol values back into text (sets B and C only), independently of the encoder. */
function decodeValues(values: number[]): string {
  expect(values[0] === START_B || values[0] === START_C).toBe(true);
  expect(values.at(-1)).toBe(STOP);
  expect(values.at(-2)).toBe(code128Checksum(values.slice(0, -2)));
  let set = values[0] === START_C ? "C" : "B";
  let text = "";
  for (const v of values.slice(1, -2)) {
    if (v === CODE_B && set === "C") set = "B";
    else if (v === CODE_C && set === "B") set = "C";
    else if (set === "C") {
      expect(v).toBeLessThan(100);
      text += String(v).padStart(2, "0");
    } else {
      expect(v).toBeLessThan(96);
      text += String.fromCharCode(v + 32);
    }
  }
  return text;
}

/**
 * Fewest data symbols (switches included) over every way of encoding `s` with sets B and C: a
 * plain recursive search, no memo, only for short strings. A switch is never followed by another.
 */
function fewestDataSymbols(
  s: string,
  i = 0,
  set: "B" | "C" | "start" = "start",
  justSwitched = false,
): number {
  if (i === s.length) return 0;
  const digitPair = /^\d\d$/.test(s.slice(i, i + 2));
  const options: number[] = [];
  if (set !== "C") options.push(1 + fewestDataSymbols(s, i + 1, "B"));
  if (set !== "B" && digitPair) options.push(1 + fewestDataSymbols(s, i + 2, "C"));
  if (set !== "start" && !justSwitched) {
    options.push(1 + fewestDataSymbols(s, i, set === "B" ? "C" : "B", true));
  }
  return Math.min(...options);
}

describe("Code 128 patterns", () => {
  it("match ZXing's table (an independent copy of ISO/IEC 15417 table 1)", () => {
    const zxing = (Code128Reader as unknown as { CODE_PATTERNS: ArrayLike<number>[] })
      .CODE_PATTERNS;
    expect(CODE128_PATTERNS.map((p) => [...p])).toEqual(zxing.map((p) => Array.from(p)));
  });

  it("are 11 modules with an even number of bar modules; the stop is 13", () => {
    expect(CODE128_PATTERNS).toHaveLength(107);
    for (const p of CODE128_PATTERNS.slice(0, 106)) {
      expect(p).toHaveLength(6);
      expect(p.reduce((a, b) => a + b)).toBe(11);
      expect((p[0]! + p[2]! + p[4]!) % 2).toBe(0);
    }
    expect(CODE128_PATTERNS[STOP]).toEqual([2, 3, 3, 1, 1, 1, 2]);
  });
});

describe("code128Values", () => {
  it("7-digit CIP: start C, three pairs, Code B before the odd last digit (Annex E)", () => {
    // check = (105 + 1·24 + 2·95 + 3·38 + 4·100 + 5·19) mod 103 = 928 mod 103 = 1
    expect(code128Values("2495383")).toEqual([105, 24, 95, 38, 100, 19, 1, 106]);
  });

  it("even-length digits are all set C", () => {
    // check = (105 + 12 + 2·34 + 3·56 + 4·78 + 5·90) mod 103 = 1115 mod 103 = 85
    expect(code128Values("1234567890")).toEqual([105, 12, 34, 56, 78, 90, 85, 106]);
    // (105 + 12) mod 103 = 14
    expect(code128Values("12")).toEqual([105, 12, 14, 106]);
    // leading zeros are kept as pairs: (105 + 0 + 2·12 + 3·34 + 4·56) mod 103 = 455 mod 103 = 43
    expect(code128Values("00123456")).toEqual([105, 0, 12, 34, 56, 43, 106]);
  });

  it("text in set B: 'PJJ123C'", () => {
    // 104 + 1·48 + 2·42 + 3·42 + 4·17 + 5·18 + 6·19 + 7·35 = 879; 879 mod 103 = 55
    expect(code128Values("PJJ123C")).toEqual([104, 48, 42, 42, 17, 18, 19, 35, 55, 106]);
  });

  it("switches to set C for a long digit run inside text, only where it saves symbols", () => {
    // A B Code-C 12 34 56 check stop: (104 + 33 + 2·34 + 3·99 + 4·12 + 5·34 + 6·56) mod 103 = 1056 mod 103 = 26
    expect(code128Values("AB123456")).toEqual([104, 33, 34, 99, 12, 34, 56, 26, 106]);
    expect(code128Values("1")).toEqual([104, 17, (104 + 17) % 103, 106]);
    expect(code128Values("A1")).toHaveLength(5); // start, A, 1, check, stop: no switch
  });

  it("symbol width is 11 modules per symbol + 2, e.g. 101 modules for a 9-digit CIP", () => {
    expect(code128Modules("249538300")).toHaveLength(101); // start, 4 pairs, Code B, 0, check, stop
    expect(code128Modules("1234")).toHaveLength(57);
    expect(code128Modules("12345678901234567890")).toHaveLength(145);
    expect(runs(code128Modules("12")).slice(-7)).toEqual([2, 3, 3, 1, 1, 1, 2]);
  });

  it("modules are the patterns of the values, bar first, ending on a bar", () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.integer({ min: 32, max: 127 }).map((c) => String.fromCharCode(c)),
          minLength: 1,
          maxLength: 30,
        }),
        (s) => {
          const modules = code128Modules(s);
          expect(modules[0]).toBe(1);
          expect(modules.at(-1)).toBe(1);
          expect(runs(modules)).toEqual(code128Values(s).flatMap((v) => [...CODE128_PATTERNS[v]!]));
        },
      ),
    );
  });

  it("printable ASCII reads back, in as few symbols as any B/C encoding (exhaustive search)", () => {
    const printable = (maxLength: number) =>
      fc.string({
        unit: fc.oneof(
          fc.constantFrom(..."0123456789"),
          fc.integer({ min: 32, max: 127 }).map((c) => String.fromCharCode(c)),
        ),
        minLength: 1,
        maxLength,
      });
    fc.assert(
      fc.property(printable(12), (s) => {
        const values = code128Values(s);
        expect(decodeValues(values)).toBe(s);
        expect(values.length - 3).toBe(fewestDataSymbols(s));
      }),
      { numRuns: 300 },
    );
    fc.assert(fc.property(printable(60), (s) => expect(decodeValues(code128Values(s))).toBe(s)));
  });

  it("digit strings: start C and Code B before an odd last digit", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{2,40}$/), (digits) => {
        const values = code128Values(digits);
        expect(decodeValues(values)).toBe(digits);
        expect(values[0]).toBe(START_C);
        const odd = digits.length % 2 === 1;
        // (the check symbol itself may be 100, so only the data part is searched)
        expect(values.slice(0, -2).indexOf(CODE_B)).toBe(odd ? values.length - 4 : -1);
        expect(values).toHaveLength(3 + Math.floor(digits.length / 2) + (odd ? 2 : 0));
      }),
    );
  });

  it("refuses what sets B and C cannot encode, with a clear error", () => {
    expect(() => code128Values("")).toThrow(/nothing to encode/);
    expect(() => code128Values("12\n34")).toThrow(/character code 10 at position 2/);
    expect(() => code128Values("Pérez")).toThrow(/character code 233 at position 1/);
    expect(() => code128Values("\u0000")).toThrow(RangeError);
  });
});
