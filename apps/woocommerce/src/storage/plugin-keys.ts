import type { Clock } from "@pe-pay/core";
import type { Database, Keyring } from "@pe-pay/engine";
import type { PluginKey, PluginKeys, RememberOutcome } from "../plugin-auth";
import { DbTenantStore, openStoreSecrets } from "./woo-stores";

/**
 * Plugin secrets for request verification, cached in memory, and the durable nonce record, in
 * one statement per request.
 *
 * A signed request costs: the HMAC against the cached secret (no query, no decryption), then one
 * statement that records the nonce only if the store is still active AND its sealed secrets are
 * still the blob the cached secret came from. So the cache needs no expiry to stay correct: a
 * reconnect that rotated the secret, or a deactivation, on any instance makes that statement
 * record nothing, and the verifier starts again from a fresh read (`stale`). Replays are refused
 * across instances because every instance writes the same table under its primary key.
 */
export class DbPluginKeys implements PluginKeys {
  private readonly cache = new Map<string, { secret: string; sealed: Buffer }>();

  constructor(
    private readonly db: Database,
    private readonly keyring: Keyring,
    private readonly clock: Clock,
    /** Stores kept in memory; the whole cache is dropped beyond it (a re-read is cheap). */
    private readonly maxEntries = 10_000,
  ) {}

  async keyFor(storeId: string, opts: { fresh?: boolean } = {}): Promise<PluginKey | null> {
    if (!DbTenantStore.isStoreId(storeId)) return null;
    const hit = opts.fresh ? undefined : this.cache.get(storeId);
    if (hit) return { secret: hit.secret, version: hit.sealed, cached: true };
    const { rows } = await this.db.query<{ secrets: Buffer }>(
      `SELECT w.secrets FROM woo_stores w JOIN tenants t ON t.id = w.tenant_id
       WHERE w.tenant_id = $1 AND t.status = 'active'`,
      [storeId],
    );
    const sealed = rows[0]?.secrets;
    if (!sealed) {
      this.cache.delete(storeId);
      return null;
    }
    const secret = openStoreSecrets(this.keyring, storeId, sealed).pluginSecret;
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(storeId, { secret, sealed });
    return { secret, version: sealed };
  }

  async remember(
    storeId: string,
    nonce: string,
    expiresAt: Date,
    key: PluginKey,
  ): Promise<RememberOutcome> {
    if (!DbTenantStore.isStoreId(storeId) || !(key.version instanceof Uint8Array)) return "stale";
    // An expired nonce row may be reused (the timestamp check refuses such requests anyway).
    const { rows } = await this.db.query<{ store_ok: number; inserted: number }>(
      `WITH store AS (
         SELECT 1 FROM woo_stores w JOIN tenants t ON t.id = w.tenant_id
         WHERE w.tenant_id = $1::text::uuid AND t.status = 'active' AND w.secrets = $5
       ), ins AS (
         INSERT INTO woo_plugin_nonces (store_id, nonce, expires_at)
         SELECT $1::text, $2, $3 FROM store
         ON CONFLICT (store_id, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at
           WHERE woo_plugin_nonces.expires_at <= $4
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM store)::int AS store_ok,
              (SELECT count(*) FROM ins)::int AS inserted`,
      [storeId, nonce, expiresAt, this.clock.now(), key.version],
    );
    const row = rows[0];
    if (!row || row.store_ok === 0) {
      this.cache.delete(storeId);
      return "stale";
    }
    return row.inserted === 1 ? "fresh" : "replayed";
  }

  /** Drops a store's cached secret (after this instance changed it; other instances self-heal). */
  forget(storeId: string): void {
    this.cache.delete(storeId);
  }
}
