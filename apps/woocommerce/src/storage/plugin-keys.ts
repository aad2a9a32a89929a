import type { Clock } from "@pe-pay/core";
import type { Database, Keyring } from "@pe-pay/engine";
import type { PluginKey, PluginKeys, RememberOutcome } from "../plugin-auth";
import { MicroBatcher } from "../engine-ports";
import { DbTenantStore, openStoreSecrets } from "./woo-stores";

interface NonceItem {
  storeId: string;
  nonce: string;
  expiresAt: Date;
  sealedHex: string;
}

/**
 * A store's plugin and webhook secrets for request verification, cached in memory, and the
 * durable nonce record of plugin requests, in one statement per request — or fewer: concurrent
 * requests share it.
 *
 * A signed request costs: the HMAC against the cached secret (no query, no decryption), then one
 * statement that records the nonce only if the store is still active AND its sealed secrets are
 * still the blob the cached secret came from. So the cache needs no expiry to stay correct: a
 * reconnect that rotated the secret, or a deactivation, on any instance makes that statement
 * record nothing, and the verifier starts again from a fresh read (`stale`). Replays are refused
 * across instances because every instance writes the same table under its primary key.
 */
export class DbPluginKeys implements PluginKeys {
  private readonly cache = new Map<
    string,
    { secret: string; webhookSecret: string; sealed: Buffer; at: number }
  >();
  private readonly nonces: MicroBatcher<NonceItem, RememberOutcome>;

  constructor(
    private readonly db: Database,
    private readonly keyring: Keyring,
    private readonly clock: Clock,
    /** Stores kept in memory; the whole cache is dropped beyond it (a re-read is cheap). */
    private readonly maxEntries = 10_000,
    /** How long a webhook secret is trusted from memory (webhooks have no nonce to anchor it). */
    private readonly webhookSecretTtlMs = 60_000,
  ) {
    // Two statements in flight at most; what arrives meanwhile goes together in the next one.
    this.nonces = new MicroBatcher((items) => this.rememberBatch(items), {
      maxSize: 100,
      concurrency: 2,
    });
  }

  async keyFor(storeId: string, opts: { fresh?: boolean } = {}): Promise<PluginKey | null> {
    const hit = opts.fresh ? undefined : this.cache.get(storeId);
    if (hit) return { secret: hit.secret, version: hit.sealed, cached: true };
    const entry = await this.load(storeId);
    return entry ? { secret: entry.secret, version: entry.sealed } : null;
  }

  /**
   * The secret WooCommerce signs this store's webhooks with: every order save of the store is a
   * delivery, PagoEfectivo's or not, so it is served from memory for up to a minute. A delivery
   * that fails against it is re-checked against a fresh read (`fresh`), so a reconnect's new
   * secret is picked up at once; a deactivation, within the minute.
   */
  async webhookSecretFor(storeId: string, opts: { fresh?: boolean } = {}): Promise<string | null> {
    const hit = opts.fresh ? undefined : this.cache.get(storeId);
    if (hit && Date.now() - hit.at < this.webhookSecretTtlMs) return hit.webhookSecret;
    return (await this.load(storeId))?.webhookSecret ?? null;
  }

  private async load(storeId: string) {
    if (!DbTenantStore.isStoreId(storeId)) return null;
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
    const opened = openStoreSecrets(this.keyring, storeId, sealed);
    const entry = {
      secret: opened.pluginSecret,
      webhookSecret: opened.webhookSecret,
      sealed,
      at: Date.now(),
    };
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(storeId, entry);
    return entry;
  }

  async remember(
    storeId: string,
    nonce: string,
    expiresAt: Date,
    key: PluginKey,
  ): Promise<RememberOutcome> {
    if (!DbTenantStore.isStoreId(storeId) || !(key.version instanceof Uint8Array)) return "stale";
    const outcome = await this.nonces.submit({
      storeId,
      nonce,
      expiresAt,
      sealedHex: Buffer.from(key.version).toString("hex"),
    });
    if (outcome === "stale") this.cache.delete(storeId);
    return outcome;
  }

  /**
   * One statement for every nonce of a batch: requests arriving together (several checkouts at
   * once) share the round trip. A nonce is recorded only where its store is active with the
   * sealed secrets its key came from; an expired row may be reused (the timestamp check refuses
   * such requests anyway).
   */
  private async rememberBatch(items: NonceItem[]): Promise<RememberOutcome[]> {
    // The same (store, nonce) twice in one batch is a replay racing its original: one statement
    // cannot insert a row twice, so the later copies are refused here.
    const seen = new Set<string>();
    const unique = items.filter((i) => {
      const k = `${i.storeId}\u0000${i.nonce}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    const { rows } = await this.db.query<{ i: number; store_ok: boolean; inserted: boolean }>(
      `WITH req AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[])
           WITH ORDINALITY AS r(store_id, nonce, expires_at, sealed_hex, i)
       ), ok AS (
         SELECT req.* FROM req
         JOIN woo_stores w ON w.tenant_id = req.store_id::uuid
           AND w.secrets = decode(req.sealed_hex, 'hex')
         JOIN tenants t ON t.id = w.tenant_id AND t.status = 'active'
       ), ins AS (
         INSERT INTO woo_plugin_nonces (store_id, nonce, expires_at)
         SELECT store_id, nonce, expires_at FROM ok
         ON CONFLICT (store_id, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at
           WHERE woo_plugin_nonces.expires_at <= $5
         RETURNING store_id, nonce
       )
       SELECT req.i::int AS i,
         EXISTS (SELECT 1 FROM ok WHERE ok.i = req.i) AS store_ok,
         EXISTS (SELECT 1 FROM ins WHERE ins.store_id = req.store_id AND ins.nonce = req.nonce)
           AS inserted
       FROM req`,
      [
        unique.map((i) => i.storeId),
        unique.map((i) => i.nonce),
        unique.map((i) => i.expiresAt.toISOString()),
        unique.map((i) => i.sealedHex),
        this.clock.now(),
      ],
    );
    const byIndex = new Map(rows.map((r) => [Number(r.i), r]));
    const outcomes = new Map<NonceItem, RememberOutcome>();
    unique.forEach((item, n) => {
      const r = byIndex.get(n + 1);
      outcomes.set(item, !r || !r.store_ok ? "stale" : r.inserted ? "fresh" : "replayed");
    });
    return items.map((item) => outcomes.get(item) ?? "replayed");
  }

  /** Drops a store's cached secret (after this instance changed it; other instances self-heal). */
  forget(storeId: string): void {
    this.cache.delete(storeId);
  }
}
