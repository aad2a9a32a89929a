/**
 * Groups CIP digits for reading aloud and typing: "2495383" → "249 53 83",
 * "123456789" → "123 456 789".
 *
 * Why: groups of three match how Peruvians read out 9-digit mobile numbers ("987 654 321"), which
 * is exactly the length of a production CIP. Plain 3s would leave a lone last digit on 7- and
 * 10-digit codes ("249 538 3"); a single trailing digit is the one a cashier mishears or drops,
 * so the tail is split into two pairs instead ("53 83"), read as two-digit numbers
 * ("cincuenta y tres, ochenta y tres"). Groups are never longer than three digits.
 */
export function groupCipForDictation(cip: string): string {
  const digits = cip.replace(/\D/g, "");
  if (digits.length <= 4) return digits;
  const sizes: number[] = [];
  let left = digits.length;
  while (left > 0) {
    if (left === 4) {
      sizes.push(2, 2);
      left = 0;
    } else if (left === 2) {
      sizes.push(2);
      left = 0;
    } else {
      sizes.push(Math.min(3, left));
      left -= Math.min(3, left);
    }
  }
  const out: string[] = [];
  let at = 0;
  for (const size of sizes) {
    out.push(digits.slice(at, at + size));
    at += size;
  }
  return out.join(" ");
}

/** PagoEfectivo CIPs are numeric; 7 digits seen in sandbox, 9 in production, no published max. */
export const CIP_PATTERN = /^\d{4,20}$/;
