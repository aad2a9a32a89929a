import { ConflictError } from "@pe-pay/core";
import {
  activateTenant,
  createTenant,
  findTenantByShop,
  getTenantCredentials,
  resealColumn,
  setTenantCredentials,
  type Database,
  type Keyring,
  type ReencryptStep,
  type Row,
} from "@pe-pay/engine";
import type { TenantStore, WooStoreRecord } from "../ports";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Binds the sealed secrets to their tenant: a blob copied onto another row fails to open. */
const secretsAad = (storeId: string) => `woo_store:${storeId}:secrets`;

/**
 * Start-up step (openAppStorage): re-seals the webhook and plugin secrets under the primary key.
 * A re-sealed blob is a new "version" for DbPluginKeys: instances holding the old one in memory
 * see their next nonce refused as stale and re-read the secret (same value), once.
 */
export const reencryptWooStoreSecrets: ReencryptStep = (db, keyring) =>
  resealColumn(db, keyring, {
    table: "woo_stores",
    column: "secrets",
    idColumn: "tenant_id",
    keyIdColumn: "secrets_key_id",
    aad: (row) => secretsAad(String(row.id)),
  });

export interface SealedSecrets {
  webhookSecret: string;
  pluginSecret: string;
}

export interface WooStoreSummary {
  storeId: string;
  storeUrl: string;
  reconciledUntil: Date | null;
}

/**
 * Connected WooCommerce stores on the engine's storage. The store id is the engine tenant id;
 * the REST keys go through the tenants repository (encrypted like every platform credential),
 * the webhook and plugin secrets are sealed with the same keyring in `woo_stores`.
 */
export class DbTenantStore implements TenantStore {
  constructor(
    private readonly db: Database,
    private readonly keyring: Keyring,
  ) {}

  static isStoreId(id: string): boolean {
    return UUID.test(id);
  }

  async storeIdFor(storeUrl: string): Promise<string> {
    const existing = await findTenantByShop(this.db, "woocommerce", storeUrl);
    if (existing) return existing.id;
    try {
      const tenant = await createTenant(this.db, this.keyring, {
        platform: "woocommerce",
        shopDomain: storeUrl,
        displayName: hostOf(storeUrl),
      });
      return tenant.id;
    } catch (error) {
      // Two connects of the same store racing: the other one created it.
      if (!(error instanceof ConflictError)) throw error;
      const raced = await findTenantByShop(this.db, "woocommerce", storeUrl);
      if (!raced) throw error;
      return raced.id;
    }
  }

  async setDisplayName(storeId: string, name: string): Promise<void> {
    await this.db.query("UPDATE tenants SET display_name = $2, updated_at = now() WHERE id = $1", [
      storeId,
      name,
    ]);
  }

  async saveWooStore(record: WooStoreRecord): Promise<void> {
    const secrets: SealedSecrets = {
      webhookSecret: record.webhookSecret,
      pluginSecret: record.pluginSecret,
    };
    const sealed = this.keyring.encrypt(JSON.stringify(secrets), secretsAad(record.storeId));
    await this.db.transaction(async (tx) => {
      await setTenantCredentials(tx, this.keyring, record.storeId, {
        platformCredentials: {
          kind: "woocommerce",
          consumerKey: record.consumerKey,
          consumerSecret: record.consumerSecret,
        },
      });
      await activateTenant(tx, record.storeId);
      await tx.query(
        `INSERT INTO woo_stores (tenant_id, store_url, key_id, webhook_id, secrets, secrets_key_id,
           connected_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (tenant_id) DO UPDATE SET store_url = EXCLUDED.store_url,
           key_id = EXCLUDED.key_id, webhook_id = EXCLUDED.webhook_id, secrets = EXCLUDED.secrets,
           secrets_key_id = EXCLUDED.secrets_key_id, connected_at = EXCLUDED.connected_at,
           updated_at = now()`,
        [
          record.storeId,
          record.storeUrl,
          record.keyId,
          record.webhookId,
          sealed,
          this.keyring.primaryKeyId,
          record.connectedAt,
        ],
      );
    });
  }

  /** Null for unknown, never-connected or deactivated stores. */
  async getWooStore(storeId: string): Promise<WooStoreRecord | null> {
    if (!UUID.test(storeId)) return null;
    const { rows } = await this.db.query(
      `SELECT w.* FROM woo_stores w JOIN tenants t ON t.id = w.tenant_id
       WHERE w.tenant_id = $1 AND t.status = 'active'`,
      [storeId],
    );
    const row = rows[0];
    if (!row) return null;
    const creds = await getTenantCredentials(this.db, this.keyring, storeId);
    if (creds.platform?.kind !== "woocommerce") return null;
    return {
      ...this.mapStore(row),
      consumerKey: creds.platform.consumerKey,
      consumerSecret: creds.platform.consumerSecret,
    };
  }

  /** Only the plugin secret: the hot path of every signed plugin request (one query). */
  async pluginSecretFor(storeId: string): Promise<string | null> {
    if (!UUID.test(storeId)) return null;
    const { rows } = await this.db.query<{ secrets: Buffer }>(
      `SELECT w.secrets FROM woo_stores w JOIN tenants t ON t.id = w.tenant_id
       WHERE w.tenant_id = $1 AND t.status = 'active'`,
      [storeId],
    );
    return rows[0] ? this.open(storeId, rows[0].secrets).pluginSecret : null;
  }

  /** The home URL of a connected store (no secrets read), or null. */
  async storeUrlOf(storeId: string): Promise<string | null> {
    if (!UUID.test(storeId)) return null;
    const { rows } = await this.db.query<{ store_url: string }>(
      "SELECT store_url FROM woo_stores WHERE tenant_id = $1",
      [storeId],
    );
    return rows[0]?.store_url ?? null;
  }

  async listStores(): Promise<WooStoreSummary[]> {
    const { rows } = await this.db.query<{
      tenant_id: string;
      store_url: string;
      reconciled_until: Date | null;
    }>(
      `SELECT w.tenant_id, w.store_url, w.reconciled_until FROM woo_stores w
       JOIN tenants t ON t.id = w.tenant_id WHERE t.status = 'active' ORDER BY w.connected_at`,
    );
    return rows.map((r) => ({
      storeId: String(r.tenant_id),
      storeUrl: r.store_url,
      reconciledUntil: r.reconciled_until ?? null,
    }));
  }

  /** Moves the reconciliation cursor forward (never back: two instances may both run it). */
  async setReconciledUntil(storeId: string, at: Date): Promise<void> {
    await this.db.query(
      `UPDATE woo_stores SET reconciled_until = GREATEST(COALESCE(reconciled_until, $2), $2)
       WHERE tenant_id = $1`,
      [storeId, at],
    );
  }

  private mapStore(row: Row): Omit<WooStoreRecord, "consumerKey" | "consumerSecret"> {
    const storeId = String(row.tenant_id);
    const secrets = this.open(storeId, row.secrets as Buffer);
    return {
      storeId,
      storeUrl: String(row.store_url),
      keyId: Number(row.key_id),
      webhookId: row.webhook_id === null ? null : Number(row.webhook_id),
      webhookSecret: secrets.webhookSecret,
      pluginSecret: secrets.pluginSecret,
      connectedAt: row.connected_at as Date,
    };
  }

  private open(storeId: string, blob: Buffer): SealedSecrets {
    return openStoreSecrets(this.keyring, storeId, blob);
  }
}

/** The webhook and plugin secrets sealed in `woo_stores.secrets` for this store. */
export function openStoreSecrets(keyring: Keyring, storeId: string, blob: Buffer): SealedSecrets {
  return JSON.parse(keyring.decrypt(blob, secretsAad(storeId)).toString("utf8")) as SealedSecrets;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
