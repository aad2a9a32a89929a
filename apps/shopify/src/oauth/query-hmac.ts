import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * OAuth query HMAC (contract §6): drop `hmac` and `signature`, sort the rest by key, form-encode
 * like URLSearchParams with spaces as %20, HMAC-SHA256 with the client secret, lowercase hex.
 * This is the message @shopify/shopify-api builds (stringifyQueryForAdmin); repeated keys are
 * joined with "," like its normalizeQuery. Kept local to avoid configuring that library's runtime
 * adapter just for one digest.
 */
export type QueryInput = URLSearchParams | Record<string, string | string[] | undefined>;

function toPairs(query: QueryInput): Map<string, string> {
  const out = new Map<string, string>();
  const add = (k: string, v: string) => out.set(k, out.has(k) ? `${out.get(k)},${v}` : v);
  if (query instanceof URLSearchParams) {
    for (const [k, v] of query.entries()) add(k, v);
  } else {
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) add(k, item);
    }
  }
  return out;
}

export function queryHmacMessage(query: QueryInput): string {
  const pairs = toPairs(query);
  pairs.delete("hmac");
  pairs.delete("signature");
  const params = new URLSearchParams();
  for (const key of [...pairs.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    params.append(key, pairs.get(key)!);
  }
  return params.toString().replace(/\+/g, "%20");
}

export function computeQueryHmac(query: QueryInput, secret: string): string {
  return createHmac("sha256", secret).update(queryHmacMessage(query), "utf8").digest("hex");
}

const HEX_64 = /^[0-9a-f]{64}$/i;

export function isQueryHmacValid(query: QueryInput, secret: string): boolean {
  const received = toPairs(query).get("hmac");
  if (!received || !HEX_64.test(received)) return false;
  const expected = Buffer.from(computeQueryHmac(query, secret), "hex");
  return timingSafeEqual(expected, Buffer.from(received.toLowerCase(), "hex"));
}

/** Shopify's timestamp is in seconds; reject stale or far-future links (replay window). */
export function isTimestampFresh(timestamp: unknown, now: Date, toleranceMs: number): boolean {
  if (typeof timestamp !== "string" || !/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(now.getTime() - Number(timestamp) * 1000) <= toleranceMs;
}
