import { createHmac, randomBytes } from "node:crypto";
import { hexDigestEquals, readHeader, SignatureError, type Clock } from "@pe-pay/core";
import type { ReplayGuard } from "./ports";

/**
 * Plugin ↔ bridge request signing. The PHP signer (extensions/woocommerce-pagoefectivo/includes/
 * class-pe-signer.php) builds the same string; shared fixtures prove they agree byte for byte.
 *
 *   signature = hex(HMAC-SHA256(storeSecret, `${timestamp}\n${METHOD}\n${path}\n${body}`))
 *
 * `path` is the request target as sent (path + query, no scheme/host); `body` the exact bytes.
 */
export const PLUGIN_HEADERS = {
  store: "X-PE-Store",
  timestamp: "X-PE-Timestamp",
  nonce: "X-PE-Nonce",
  signature: "X-PE-Signature",
} as const;

export const DEFAULT_TOLERANCE_SECONDS = 300;

const TIMESTAMP = /^\d{9,11}$/;
const NONCE = /^[A-Za-z0-9_-]{16,64}$/;
const STORE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function pluginStringToSign(
  timestamp: string,
  method: string,
  path: string,
  body: Uint8Array | string,
): Buffer {
  return Buffer.concat([
    Buffer.from(`${timestamp}\n${method.toUpperCase()}\n${path}\n`, "utf8"),
    typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body),
  ]);
}

export function signPluginRequest(args: {
  storeId: string;
  secret: string;
  method: string;
  path: string;
  body: Uint8Array | string;
  timestamp: number;
  nonce?: string;
}): Record<string, string> {
  const timestamp = String(args.timestamp);
  const nonce = args.nonce ?? randomBytes(16).toString("hex");
  const signature = createHmac("sha256", args.secret)
    .update(pluginStringToSign(timestamp, args.method, args.path, args.body))
    .digest("hex");
  return {
    [PLUGIN_HEADERS.store]: args.storeId,
    [PLUGIN_HEADERS.timestamp]: timestamp,
    [PLUGIN_HEADERS.nonce]: nonce,
    [PLUGIN_HEADERS.signature]: signature,
  };
}

export type PluginAuthFailure =
  | "missing_headers"
  | "bad_timestamp"
  | "stale_timestamp"
  | "unknown_store"
  | "bad_signature"
  | "replayed";

export class PluginAuthError extends SignatureError {
  constructor(readonly reason: PluginAuthFailure) {
    super(`plugin request refused: ${reason}`);
  }
}

/** A store's shared secret as the key source knows it. */
export interface PluginKey {
  secret: string;
  /** Served from memory: a signature that fails against it is re-checked against a fresh read. */
  cached?: boolean;
  /** Opaque to the verifier: what `remember` checks is still the store's current key. */
  version?: unknown;
}

/**
 * The nonce was recorded (`fresh`), was already recorded (`replayed`), or was not recorded because
 * `key` is no longer the store's key (rotated by a reconnect, or the store was deactivated):
 * `stale`, and the verifier starts again from a fresh read.
 */
export type RememberOutcome = "fresh" | "replayed" | "stale";

/** Where the verifier gets a store's key and records nonces; see `DbPluginKeys`. */
export interface PluginKeys {
  keyFor(storeId: string, opts?: { fresh?: boolean }): Promise<PluginKey | null>;
  remember(
    storeId: string,
    nonce: string,
    expiresAt: Date,
    key: PluginKey,
  ): Promise<RememberOutcome>;
}

/** A secret lookup and a replay guard as `PluginKeys` (no cache: keys are never stale). */
export function pluginKeysOf(
  secretFor: (storeId: string) => Promise<string | null>,
  replayGuard: ReplayGuard,
): PluginKeys {
  return {
    async keyFor(storeId) {
      const secret = await secretFor(storeId);
      return secret === null ? null : { secret };
    },
    async remember(storeId, nonce, expiresAt) {
      return (await replayGuard.remember(storeId, nonce, expiresAt)) ? "fresh" : "replayed";
    },
  };
}

export type VerifyPluginRequestDeps = (
  | { keys: PluginKeys }
  | {
      /** The store's shared secret, or null if the store is unknown. */
      secretFor(storeId: string): Promise<string | null>;
      replayGuard: ReplayGuard;
    }
) & {
  clock: Clock;
  toleranceSeconds?: number;
};

function sign(
  secret: string,
  timestamp: string,
  req: { method: string; path: string; rawBody: Uint8Array },
) {
  return createHmac("sha256", secret)
    .update(pluginStringToSign(timestamp, req.method, req.path, req.rawBody))
    .digest("hex");
}

/**
 * Verifies a signed plugin request and returns the store id. Order matters: cheap format and
 * clock checks first, then the HMAC, and only a correctly signed request may record its nonce
 * (so nobody can burn a store's nonces with forged requests).
 */
export async function verifyPluginRequest(
  deps: VerifyPluginRequestDeps,
  req: {
    method: string;
    path: string;
    rawBody: Uint8Array;
    headers: Record<string, string | string[] | undefined>;
  },
): Promise<{ storeId: string }> {
  const storeId = readHeader(req.headers, PLUGIN_HEADERS.store)?.trim();
  const timestamp = readHeader(req.headers, PLUGIN_HEADERS.timestamp)?.trim();
  const nonce = readHeader(req.headers, PLUGIN_HEADERS.nonce)?.trim();
  const signature = readHeader(req.headers, PLUGIN_HEADERS.signature)?.trim();
  if (!storeId || !timestamp || !nonce || !signature) throw new PluginAuthError("missing_headers");
  if (!STORE_ID.test(storeId) || !NONCE.test(nonce)) throw new PluginAuthError("missing_headers");
  if (!TIMESTAMP.test(timestamp)) throw new PluginAuthError("bad_timestamp");

  const tolerance = deps.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > tolerance)
    throw new PluginAuthError("stale_timestamp");

  const keys = "keys" in deps ? deps.keys : pluginKeysOf(deps.secretFor, deps.replayGuard);
  const given = signature.toLowerCase();
  const signedWith = (key: PluginKey) => hexDigestEquals(sign(key.secret, timestamp, req), given);
  let key = await keys.keyFor(storeId);
  if (!key) throw new PluginAuthError("unknown_store");
  if (!signedWith(key)) {
    // A cached key may predate a reconnect that rotated the secret.
    if (!key.cached) throw new PluginAuthError("bad_signature");
    key = await keys.keyFor(storeId, { fresh: true });
    if (!key) throw new PluginAuthError("unknown_store");
    if (!signedWith(key)) throw new PluginAuthError("bad_signature");
  }

  // A nonce must outlive the whole window in which its timestamp is acceptable.
  const expiresAt = new Date((Number(timestamp) + tolerance + 1) * 1000);
  let outcome = await keys.remember(storeId, nonce, expiresAt, key);
  if (outcome === "stale") {
    // The key changed (or the store went away) since it was cached: judge by the current one.
    const current = await keys.keyFor(storeId, { fresh: true });
    if (!current) throw new PluginAuthError("unknown_store");
    if (!signedWith(current)) throw new PluginAuthError("bad_signature");
    outcome = await keys.remember(storeId, nonce, expiresAt, current);
  }
  // Still stale: the key changed again meanwhile, so this request was not signed with it.
  if (outcome === "stale") throw new PluginAuthError("bad_signature");
  if (outcome !== "fresh") throw new PluginAuthError("replayed");
  return { storeId };
}
