import fc from "fast-check";
import { cleanText, isWellFormedText, sanitizeText, splitGraphemes, truncateText } from "./text";

/** Any UTF-16 code unit, lone surrogates included: the worst a platform can hand us. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
const nastyPiece = fc.oneof(
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "binary" }),
  fc.string({ unit: codeUnit }),
  fc.constantFrom(
    "e\u0301", // e + combining acute
    "n\u0303\u0301", // two combining marks
    "👩‍👩‍👧‍👦", // ZWJ family
    "🇵🇪", // flag: two regional indicators
    "👍🏽", // skin tone modifier
    "\r\n",
    "\u0000",
    "\u202E",
  ),
);
const nastyText = fc.array(nastyPiece, { maxLength: 12 }).map((parts) => parts.join(""));
const hasControl = (s: string) => /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u.test(s);

describe("truncateText", () => {
  it("returns short text untouched", () => {
    expect(truncateText("Pedido #1001", 100)).toBe("Pedido #1001");
    expect(truncateText("", 0)).toBe("");
  });

  it("cuts at the limit on a grapheme boundary", () => {
    expect(truncateText("abcdef", 3)).toBe("abc");
    // "😀" is two code units: with room for one only, it is dropped, not halved.
    expect(truncateText("ab😀", 3)).toBe("ab");
    expect(truncateText("ab😀", 4)).toBe("ab😀");
    // "é" written as e + U+0301 is kept whole or dropped whole.
    expect(truncateText("cafe\u0301", 4)).toBe("caf");
    expect(truncateText("cafe\u0301", 5)).toBe("cafe\u0301");
    expect(truncateText("x🇵🇪", 3)).toBe("x");
    expect(truncateText("👩‍👩‍👧‍👦!", 5)).toBe("");
  });

  it("rejects a bad limit", () => {
    expect(() => truncateText("a", -1)).toThrow(RangeError);
    expect(() => truncateText("a", 1.5)).toThrow(RangeError);
  });

  it("never exceeds the limit, never breaks a code point or grapheme, and keeps a prefix", () => {
    fc.assert(
      fc.property(nastyText, fc.integer({ min: 0, max: 60 }), (text, max) => {
        const out = truncateText(text, max);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(text.startsWith(out)).toBe(true);
        // Whole graphemes: the result's clusters are the input's first clusters.
        const inParts = splitGraphemes(text);
        const outParts = splitGraphemes(out);
        expect(outParts).toEqual(inParts.slice(0, outParts.length));
        // Maximal: the next grapheme would not have fitted.
        const next = inParts[outParts.length];
        if (next !== undefined) expect(out.length + next.length).toBeGreaterThan(max);
        // A well-formed input stays well-formed (no half surrogate pair at the cut).
        if (isWellFormedText(text)) expect(isWellFormedText(out)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe("cleanText", () => {
  it("strips control characters and bidi overrides, turns line breaks into spaces", () => {
    expect(cleanText("  Pedido\n#1001\t\u0000 ok\u202E  ")).toBe("Pedido #1001 ok");
    expect(cleanText("a\u0007b\u009Fc")).toBe("abc");
    expect(cleanText("a\r\n\r\nb")).toBe("a b");
  });

  it("keeps accents, ñ, emoji and ZWJ sequences", () => {
    expect(cleanText("Señora Núñez 👩‍👩‍👧‍👦")).toBe("Señora Núñez 👩‍👩‍👧‍👦");
  });

  it("drops lone surrogates and normalises to NFC", () => {
    expect(cleanText("a\uD800b\uDC00c")).toBe("abc");
    expect(cleanText("Jose\u0301")).toBe("José");
    expect(cleanText("Jose\u0000\u0301")).toBe("José");
  });
});

describe("sanitizeText", () => {
  it("never exceeds the limit and always yields clean, well-formed text", () => {
    fc.assert(
      fc.property(nastyText, fc.integer({ min: 0, max: 60 }), (text, max) => {
        const out = sanitizeText(text, max);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(isWellFormedText(out)).toBe(true);
        expect(hasControl(out)).toBe(false);
        expect(out).toBe(out.trim());
        expect(out).toBe(out.normalize("NFC"));
      }),
      { numRuns: 500 },
    );
  });

  it("does not leave a trailing space at the cut", () => {
    expect(sanitizeText("Polo talla M", 5)).toBe("Polo");
  });
});

describe("isWellFormedText", () => {
  it("detects unpaired surrogates only", () => {
    expect(isWellFormedText("ok 😀")).toBe(true);
    expect(isWellFormedText("\uD83D")).toBe(false);
    expect(isWellFormedText("x\uDE00")).toBe(false);
    expect(isWellFormedText("\uDE00\uD83D")).toBe(false);
  });
});
