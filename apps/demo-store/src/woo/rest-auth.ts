import { createHmac, timingSafeEqual } from "node:crypto";
import type { Request } from "express";
import { WpError } from "./orders";
import type { WooApiKey, WooState } from "./state";

/**
 * WooCommerce REST authentication (class-wc-rest-authentication.php):
 *  - `consumer_key`/`consumer_secret` query pair (checked first) or HTTP Basic;
 *  - one-legged OAuth 1.0a (HMAC-SHA1/SHA256) with params in the query, a form body or an
 *    `Authorization: OAuth …` header — what @woocommerce/woocommerce-rest-api uses over http.
 * Deviation (documented): real WordPress ignores Basic credentials over plain http; the local demo
 * accepts them so tools like curl work against http://127.0.0.1.
 */
export const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const authError = (message: string) =>
  new WpError("woocommerce_rest_authentication_error", message, { status: 401 });

function findKey(state: WooState, consumerKey: string): WooApiKey | undefined {
  return [...state.keys.values()].find((k) => safeEqual(k.consumerKey, consumerKey));
}

function parseOAuthHeader(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of value.replace(/^OAuth\s+/i, "").matchAll(/([a-z_]+)="([^"]*)"/gi)) {
    out[m[1]!] = decodeURIComponent(m[2]!);
  }
  return out;
}

export interface AuthInput {
  req: Request;
  query: URLSearchParams;
  formBody: URLSearchParams | null;
  nowSeconds: number;
}

/** Returns the key, null for an anonymous request, or throws the WP error. */
export function authenticate(state: WooState, input: AuthInput): WooApiKey | null {
  const { req, query } = input;
  const qKey = query.get("consumer_key");
  const qSecret = query.get("consumer_secret");
  if (qKey && qSecret) return checkSecret(state, qKey, qSecret);
  const header = req.header("authorization") ?? "";
  if (/^basic\s/i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) throw authError("Consumer key is invalid.");
    return checkSecret(state, decoded.slice(0, colon), decoded.slice(colon + 1));
  }
  const params = new Map<string, string>();
  for (const [k, v] of query) params.set(k, v);
  for (const [k, v] of input.formBody ?? []) params.set(k, v);
  if (/^oauth\s/i.test(header))
    for (const [k, v] of Object.entries(parseOAuthHeader(header))) params.set(k, v);
  const required = [
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
  ];
  const present = required.filter((p) => params.has(p));
  if (present.length === 0) return null;
  const missing = required.filter((p) => !params.has(p));
  if (missing.length > 0) {
    throw new WpError(
      "woocommerce_rest_authentication_missing_parameter",
      `Missing OAuth parameter ${missing.join(", ")}`,
      { status: 401 },
    );
  }
  const method = params.get("oauth_signature_method")!;
  const algo = method === "HMAC-SHA1" ? "sha1" : method === "HMAC-SHA256" ? "sha256" : null;
  if (!algo) throw authError("Invalid signature - signature method is invalid.");
  const key = findKey(state, params.get("oauth_consumer_key")!);
  if (!key) throw authError("Consumer key is invalid.");
  const given = params.get("oauth_signature")!.replace(/ /g, "+");
  params.delete("oauth_signature");
  const paramString = [...params.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const baseUrl = `${req.protocol}://${req.headers.host ?? "127.0.0.1"}${req.originalUrl.split("?")[0]}`;
  const base = `${req.method.toUpperCase()}&${rfc3986(baseUrl)}&${rfc3986(paramString)}`;
  const expected = createHmac(algo, `${key.consumerSecret}&`).update(base).digest("base64");
  if (!safeEqual(expected, given))
    throw authError("Invalid signature - provided signature does not match.");
  const ts = Number(params.get("oauth_timestamp"));
  if (!Number.isFinite(ts) || Math.abs(input.nowSeconds - ts) > 15 * 60)
    throw authError("Invalid timestamp.");
  const nonce = params.get("oauth_nonce")!;
  for (const [n, at] of key.nonces) if (input.nowSeconds - at > 15 * 60) key.nonces.delete(n);
  if (key.nonces.has(nonce)) throw authError("Invalid nonce - nonce has already been used.");
  key.nonces.set(nonce, ts);
  return key;
}

function checkSecret(state: WooState, consumerKey: string, secret: string): WooApiKey {
  const key = findKey(state, consumerKey);
  if (!key) throw authError("Consumer key is invalid.");
  if (!safeEqual(key.consumerSecret, secret)) throw authError("Consumer secret is invalid.");
  return key;
}

/** Key scopes: read → GET/HEAD; write → everything else; read_write → both. */
export function checkPermission(key: WooApiKey, method: string): void {
  const reading = method === "GET" || method === "HEAD";
  if (reading && key.permissions === "write")
    throw authError("The API key provided does not have read permissions.");
  if (!reading && key.permissions === "read")
    throw authError("The API key provided does not have write permissions.");
}
