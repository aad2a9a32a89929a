/**
 * Code 128 (ISO/IEC 15417) encoder for code sets B and C: printable ASCII, with runs of digit pairs
 * packed two per symbol in set C. CIPs are digits only, so set A (control characters) and the FNC
 * characters are left out; they are refused rather than encoded wrongly.
 */

/**
 * Bar and space widths in modules (bar first) of symbol values 0–105, six elements each; the stop
 * pattern (value 106) has seven.
 */
const PATTERNS = (
  "212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 " +
  "221312 231212 112232 122132 122231 113222 123122 123221 223211 221132 " +
  "221231 213212 223112 312131 311222 321122 321221 312212 322112 322211 " +
  "212123 212321 232121 111323 131123 131321 112313 132113 132311 211313 " +
  "231113 231311 112133 112331 132131 113123 113321 133121 313121 211331 " +
  "231131 213113 213311 213131 311123 311321 331121 312113 312311 332111 " +
  "314111 221411 431111 111224 111422 121124 121421 141122 141221 112214 " +
  "112412 122114 122411 142112 142211 241211 221114 413111 241112 134111 " +
  "111242 121142 121241 114212 124112 124211 411212 421112 421211 212141 " +
  "214121 412121 111143 111341 131141 114113 114311 411113 411311 113141 " +
  "114131 311141 411131 211412 211214 211232 2331112"
)
  .split(" ")
  .map((p) => Array.from(p, Number));

export const CODE128_PATTERNS: readonly (readonly number[])[] = PATTERNS;

export const CODE_C = 99;
export const CODE_B = 100;
export const START_B = 104;
export const START_C = 105;
export const STOP = 106;

/** Minimum quiet zone on each side, in modules (ISO/IEC 15417 §4.4.2). */
export const CODE128_QUIET_ZONE = 10;

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Symbol values of `data`: start, data (with code set switches), check, stop. The encoding has the
 * fewest symbols possible with sets B and C (a shortest path over "which set am I in"); on a tie it
 * stays in the current set, and starts in C, so an odd-length number is encoded as pairs then
 * Code B before the last digit (ISO/IEC 15417 Annex E), as bwip-js did.
 */
export function code128Values(data: string): number[] {
  const n = data.length;
  if (n === 0) throw new RangeError("Code 128: nothing to encode");
  const codes = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = data.charCodeAt(i);
    if (c < 32 || c > 127) {
      throw new RangeError(
        `Code 128 set B/C: character code ${c} at position ${i} is not printable ASCII (32–127)`,
      );
    }
    codes[i] = c;
  }

  // costB[i] / costC[i]: fewest symbols that encode data[i..] when the current set is B / C.
  const costB = new Int32Array(n + 2);
  const costC = new Int32Array(n + 2);
  const pairAt = (i: number) => i + 1 < n && isDigit(codes[i]!) && isDigit(codes[i + 1]!);
  for (let i = n - 1; i >= 0; i--) {
    const stayB = 1 + costB[i + 1]!;
    const stayC = pairAt(i) ? 1 + costC[i + 2]! : Infinity;
    costB[i] = Math.min(stayB, 1 + stayC);
    costC[i] = Math.min(stayC, 1 + stayB);
  }

  let inC = costC[0]! <= costB[0]!;
  const values = [inC ? START_C : START_B];
  for (let i = 0; i < n;) {
    if (inC) {
      if (pairAt(i) && 1 + costC[i + 2]! === costC[i]) {
        values.push((codes[i]! - 48) * 10 + (codes[i + 1]! - 48));
        i += 2;
      } else {
        values.push(CODE_B);
        inC = false;
      }
    } else if (1 + costB[i + 1]! === costB[i]) {
      values.push(codes[i]! - 32);
      i += 1;
    } else {
      values.push(CODE_C);
      inC = true;
    }
  }
  values.push(code128Checksum(values), STOP);
  return values;
}

/** Start value plus each following value times its position, mod 103. */
export function code128Checksum(startAndData: readonly number[]): number {
  let sum = startAndData[0]!;
  for (let i = 1; i < startAndData.length; i++) sum += i * startAndData[i]!;
  return sum % 103;
}

/**
 * The symbol as modules, left to right, without quiet zones: 1 is a bar, 0 a space. Its length is
 * 11 per symbol plus 2 for the stop's final bar.
 */
export function code128Modules(data: string): Uint8Array {
  const values = code128Values(data);
  const modules = new Uint8Array(values.length * 11 + 2);
  let at = 0;
  for (const v of values) {
    const widths = PATTERNS[v]!;
    for (let e = 0; e < widths.length; e++) {
      const w = widths[e]!;
      if (e % 2 === 0) modules.fill(1, at, at + w);
      at += w;
    }
  }
  return modules;
}
