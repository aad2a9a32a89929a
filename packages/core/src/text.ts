/**
 * Free-text helpers for values we send to PagoEfectivo and show on vouchers (payment concept,
 * shopper names, additional data).
 *
 * Lengths are counted in UTF-16 code units (`String#length`). The remote limits are not
 * published; PagoEfectivo's backend is .NET, whose string length counts UTF-16 code units, and a
 * cap in code units is also a cap in code points and in graphemes, so it is the safe unit.
 * Cuts only ever fall on grapheme boundaries: a surrogate pair, a letter and its combining
 * accent, or an emoji ZWJ sequence is kept whole or dropped whole.
 */

// Created once: constructing a Segmenter is far more expensive than using one. Node ≥ 22 always
// ships it (the engines field requires 22).
const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** U+0000–U+001F and U+007F–U+009F. */
const CONTROL = /\p{Cc}/gu;
/** Bidirectional embedding/override/isolate marks: invisible, and used to spoof text. */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/g;
/** A surrogate half without its partner cannot be encoded as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const LINE_BREAKS_AND_TABS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
const SPACE_RUNS = /[\s\u00A0]+/g;

/** True when the string has no unpaired surrogate (i.e. it is valid Unicode). */
export function isWellFormedText(text: string): boolean {
  LONE_SURROGATE.lastIndex = 0;
  return !LONE_SURROGATE.test(text);
}

/** Splits into user-perceived characters (extended grapheme clusters). */
export function splitGraphemes(text: string): string[] {
  return Array.from(graphemes.segment(text), (s) => s.segment);
}

/**
 * The longest prefix of `text` made of whole graphemes whose length is at most `maxLength`
 * UTF-16 code units. Never splits a surrogate pair or separates a combining mark from its base.
 */
export function truncateText(text: string, maxLength: number): string {
  if (!Number.isInteger(maxLength) || maxLength < 0) {
    throw new RangeError(`maxLength must be a non-negative integer, got ${maxLength}`);
  }
  if (text.length <= maxLength) return text;
  let length = 0;
  let out = "";
  for (const g of splitGraphemes(text)) {
    if (length + g.length > maxLength) break;
    out += g;
    length += g.length;
  }
  return out;
}

/**
 * Removes what must never reach a remote system or a voucher: control characters, bidi
 * overrides, unpaired surrogates. Line breaks and tabs become spaces (so "Pedido\n1001" does
 * not become "Pedido1001"), runs of whitespace collapse to one space, the ends are trimmed and
 * the result is NFC-normalised (a decomposed "é" becomes one code unit, which also makes length
 * limits count what a person sees).
 */
export function cleanText(text: string): string {
  // NFC last: removing a control between a letter and its accent can leave them adjacent.
  return text
    .replace(LONE_SURROGATE, "")
    .replace(LINE_BREAKS_AND_TABS, " ")
    .replace(CONTROL, "")
    .replace(BIDI_CONTROL, "")
    .replace(SPACE_RUNS, " ")
    .trim()
    .normalize("NFC");
}

/** `cleanText`, then `truncateText`, then trims again (a cut can leave a trailing space). */
export function sanitizeText(text: string, maxLength: number): string {
  return truncateText(cleanText(text), maxLength).trimEnd();
}
