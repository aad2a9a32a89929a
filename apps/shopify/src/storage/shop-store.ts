import { ConflictError, NotFoundError, type Clock } from "@pe-pay/core";
import {
  activateTenant,
  createTenant,
  findTenantByShop,
  getTenant,
  getTenantCredentials,
  listOpenAlerts,
  PLATFORM_REAUTHORIZATION_ALERT,
  raiseAlert,
  resealColumn,
  resolveAlert,
  setTenantCredentials,
  type Database,
  type Executor,
  type Keyring,
  type PeCredentials,
  type PeEnvironment,
  type ReencryptStep,
  type TenantRecord,
} from "@pe-pay/engine";
import type { ShopifyTenant, TenantStore } from "../ports";

/** Both PagoEfectivo credential sets a merchant may keep; the engine uses the active one. */
export type PeCredentialSets = Partial<Record<PeEnvironment, PeCredentials>>;

interface ShopSecrets {
  refreshToken?: string;
  pe?: PeCredentialSets;
  /**
   * ISO time Shopify refused the refresh token; cleared by the next install. Not a secret, but
   * shopify_shops has no column for it and adding one is an engine migration.
   */
  reauthorizationRequiredAt?: string;
}

/** Alert kind raised when a shop must re-authorise the app; resolved by the next install. */
export const REAUTHORIZATION_ALERT = PLATFORM_REAUTHORIZATION_ALERT;

/** What the token refresher needs of a shop (decrypted: never log it). */
export interface ShopTokenState {
  tenantId: string;
  accessToken: string | null;
  expiresAt: Date | null;
  refreshToken: string | null;
  reauthorizationRequiredAt: Date | null;
}

export interface RefreshedToken {
  accessToken: string;
  scope: string;
  expiresInSeconds?: number;
  refreshToken?: string;
}

export interface ShopifyShop {
  tenant: TenantRecord;
  scope: string;
  accessTokenExpiresAt: Date | null;
  /** Set when Shopify refused the refresh token: the merchant must open the app again. */
  reauthorizationRequiredAt: Date | null;
  configuredAt: Date | null;
  externalHandle: string | null;
  installedAt: Date;
}

const aad = (tenantId: string) => `tenant:${tenantId}:shopify_shops.secrets`;

/** Start-up step (openAppStorage): re-seals `shopify_shops.secrets` under the primary key. */
export const reencryptShopSecrets: ReencryptStep = (db, keyring) =>
  resealColumn(db, keyring, {
    table: "shopify_shops",
    column: "secrets",
    idColumn: "tenant_id",
    keyIdColumn: "secrets_key_id",
    aad: (row) => aad(String(row.id)),
  });

/**
 * Installed Shopify shops on the engine's storage. The offline token is sealed in
 * `tenants.platform_credentials` (engine keyring, bound to the tenant); the refresh token and
 * both PagoEfectivo credential sets are sealed in `shopify_shops.secrets`.
 */
export class DbShopStore implements TenantStore {
  constructor(
    private readonly db: Database,
    private readonly keyring: Keyring,
    private readonly clock: Clock,
    /** Told when a tenant's credentials or status changed (the engine caches them). */
    private readonly onTenantChanged: (tenantId: string) => void = () => {},
  ) {}

  async upsertShopifyTenant(input: Parameters<TenantStore["upsertShopifyTenant"]>[0]) {
    const credentials = {
      kind: "shopify" as const,
      accessToken: input.accessToken,
      scope: input.scope,
    };
    const expiresAt =
      input.expiresInSeconds !== undefined
        ? new Date(this.clock.now().getTime() + input.expiresInSeconds * 1000)
        : null;
    const tenant = await this.db.transaction(async (tx) => {
      let t = await findTenantByShop(tx, "shopify", input.shopDomain);
      if (!t) {
        t = await createTenant(tx, this.keyring, {
          platform: "shopify",
          shopDomain: input.shopDomain,
          platformCredentials: credentials,
        });
      } else {
        await setTenantCredentials(tx, this.keyring, t.id, { platformCredentials: credentials });
        t = (await activateTenant(tx, t.id))!;
      }
      const secrets = await this.readSecrets(tx, t.id);
      // A reinstall without a refresh token means the token no longer expires.
      if (input.refreshToken) secrets.refreshToken = input.refreshToken;
      else delete secrets.refreshToken;
      delete secrets.reauthorizationRequiredAt;
      const now = this.clock.now();
      for (const alert of await listOpenAlerts(tx, t.id)) {
        if (alert.kind === REAUTHORIZATION_ALERT) await resolveAlert(tx, alert.id, now);
      }
      const sealed = this.seal(t.id, secrets);
      await tx.query(
        `INSERT INTO shopify_shops (tenant_id, scope, access_token_expires_at, secrets, secrets_key_id)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id) DO UPDATE SET scope = EXCLUDED.scope,
           access_token_expires_at = EXCLUDED.access_token_expires_at,
           secrets = EXCLUDED.secrets, secrets_key_id = EXCLUDED.secrets_key_id,
           installed_at = now(), uninstalled_at = NULL, updated_at = now()`,
        [t.id, input.scope, expiresAt, sealed.blob, sealed.keyId],
      );
      return t;
    });
    this.onTenantChanged(tenant.id);
    return { tenantId: tenant.id, shopDomain: tenant.shopDomain };
  }

  /**
   * Uninstall: the tenant goes inactive (no new vouchers, refunds or deliveries), polling of its
   * vouchers and refunds stops, and its undelivered Shopify callbacks are parked — the token is
   * revoked, so they could only fail. Data stays until shop/redact.
   */
  async deactivate(shopDomain: string): Promise<void> {
    const id = await this.db.transaction(async (tx) => {
      const t = await findTenantByShop(tx, "shopify", shopDomain);
      if (!t) return null;
      const now = this.clock.now();
      await tx.query(
        `UPDATE tenants SET status = 'inactive', deactivated_at = COALESCE(deactivated_at, $2),
           updated_at = now() WHERE id = $1`,
        [t.id, now],
      );
      await tx.query(
        "UPDATE shopify_shops SET uninstalled_at = $2, updated_at = now() WHERE tenant_id = $1",
        [t.id, now],
      );
      await tx.query(
        "UPDATE vouchers SET next_poll_at = NULL WHERE tenant_id = $1 AND next_poll_at IS NOT NULL",
        [t.id],
      );
      await tx.query(
        "UPDATE refunds SET next_poll_at = NULL WHERE tenant_id = $1 AND next_poll_at IS NOT NULL",
        [t.id],
      );
      await tx.query(
        `UPDATE outbox SET status = 'dead', dead_at = $2, last_error = 'shop uninstalled'
         WHERE tenant_id = $1 AND status = 'pending'`,
        [t.id, now],
      );
      return t.id;
    });
    if (id) this.onTenantChanged(id);
  }

  async findActiveShopifyTenant(shopDomain: string): Promise<ShopifyTenant | null> {
    const t = await findTenantByShop(this.db, "shopify", shopDomain);
    if (!t || t.status !== "active") return null;
    return { tenantId: t.id, shopDomain: t.shopDomain };
  }

  async getShop(shopDomain: string): Promise<ShopifyShop | null> {
    const t = await findTenantByShop(this.db, "shopify", shopDomain);
    if (!t) return null;
    const { rows } = await this.db.query("SELECT * FROM shopify_shops WHERE tenant_id = $1", [
      t.id,
    ]);
    const r = rows[0];
    const secrets = this.open(t.id, (r?.secrets as Buffer | null | undefined) ?? null);
    return {
      tenant: t,
      scope: r ? String(r.scope) : "",
      accessTokenExpiresAt: (r?.access_token_expires_at as Date | null) ?? null,
      reauthorizationRequiredAt: dateOrNull(secrets.reauthorizationRequiredAt),
      configuredAt: (r?.configured_at as Date | null) ?? null,
      externalHandle: (r?.external_handle as string | null) ?? null,
      installedAt: (r?.installed_at as Date | undefined) ?? t.createdAt,
    };
  }

  /** The decrypted offline token (never log it). */
  async accessToken(tenantId: string): Promise<string | null> {
    const creds = await getTenantCredentials(this.db, this.keyring, tenantId);
    return creds.platform?.kind === "shopify" ? creds.platform.accessToken : null;
  }

  async refreshToken(tenantId: string): Promise<string | null> {
    return (await this.readSecrets(this.db, tenantId)).refreshToken ?? null;
  }

  /** Token, expiry and refresh token of an active shop; null if unknown or uninstalled. */
  async tokenState(shopDomain: string): Promise<ShopTokenState | null> {
    const t = await findTenantByShop(this.db, "shopify", shopDomain);
    if (!t || t.status !== "active") return null;
    const { rows } = await this.db.query<{
      access_token_expires_at: Date | null;
      secrets: Buffer | null;
    }>("SELECT access_token_expires_at, secrets FROM shopify_shops WHERE tenant_id = $1", [t.id]);
    const secrets = this.open(t.id, rows[0]?.secrets ?? null);
    return {
      tenantId: t.id,
      accessToken: await this.accessToken(t.id),
      expiresAt: rows[0]?.access_token_expires_at ?? null,
      refreshToken: secrets.refreshToken ?? null,
      reauthorizationRequiredAt: dateOrNull(secrets.reauthorizationRequiredAt),
    };
  }

  /**
   * Stores a refreshed token pair, both sealed, if `replacing` is still the stored refresh token.
   * false: another process refreshed first and its pair stands (Shopify rotates the refresh
   * token on every use, so only one of the two may be kept).
   */
  async saveRefreshedToken(
    tenantId: string,
    replacing: string,
    grant: RefreshedToken,
  ): Promise<boolean> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const row = await this.lockShop(tx, tenantId);
      if (!row || row.secrets.refreshToken !== replacing) return false;
      const secrets: ShopSecrets = { ...row.secrets };
      // Shopify sends a new refresh token with every refresh; keep the old one if it did not.
      if (grant.refreshToken) secrets.refreshToken = grant.refreshToken;
      const scope = grant.scope || row.scope;
      const expiresAt =
        grant.expiresInSeconds !== undefined
          ? new Date(now.getTime() + grant.expiresInSeconds * 1000)
          : null;
      await setTenantCredentials(tx, this.keyring, tenantId, {
        platformCredentials: { kind: "shopify", accessToken: grant.accessToken, scope },
      });
      const sealed = this.seal(tenantId, secrets);
      await tx.query(
        `UPDATE shopify_shops SET scope = $2, access_token_expires_at = $3, secrets = $4,
           secrets_key_id = $5, updated_at = now() WHERE tenant_id = $1`,
        [tenantId, scope, expiresAt, sealed.blob, sealed.keyId],
      );
      return true;
    });
  }

  /**
   * Shopify refused `refused` for good: forget it, flag the shop and raise a merchant alert.
   * false: the stored refresh token is no longer `refused` (another process refreshed first).
   */
  async markReauthorizationRequired(tenantId: string, refused: string): Promise<boolean> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const row = await this.lockShop(tx, tenantId);
      if (!row || row.secrets.refreshToken !== refused) return false;
      const secrets: ShopSecrets = { ...row.secrets, reauthorizationRequiredAt: now.toISOString() };
      delete secrets.refreshToken;
      const sealed = this.seal(tenantId, secrets);
      await tx.query(
        `UPDATE shopify_shops SET secrets = $2, secrets_key_id = $3, updated_at = now()
         WHERE tenant_id = $1`,
        [tenantId, sealed.blob, sealed.keyId],
      );
      await raiseAlert(tx, { tenantId, kind: REAUTHORIZATION_ALERT, at: now });
      return true;
    });
  }

  async peCredentialSets(tenantId: string): Promise<PeCredentialSets> {
    return (await this.readSecrets(this.db, tenantId)).pe ?? {};
  }

  /**
   * Saves the merchant's PagoEfectivo credentials (already checked live by the caller) and
   * makes `environment` the active one: its set is what the engine signs requests with.
   */
  async savePeCredentials(
    tenantId: string,
    input: { sets: PeCredentialSets; environment: PeEnvironment },
  ): Promise<void> {
    const active = input.sets[input.environment];
    if (!active) {
      throw new ConflictError(`no PagoEfectivo credentials for ${input.environment}`);
    }
    await this.db.transaction(async (tx) => {
      const tenant = await getTenant(tx, tenantId);
      if (!tenant) throw new NotFoundError("tenant not found");
      const secrets = await this.readSecrets(tx, tenantId);
      secrets.pe = { ...secrets.pe, ...input.sets };
      const sealed = this.seal(tenantId, secrets);
      await tx.query(
        `UPDATE shopify_shops SET secrets = $2, secrets_key_id = $3, updated_at = now()
         WHERE tenant_id = $1`,
        [tenantId, sealed.blob, sealed.keyId],
      );
      await setTenantCredentials(tx, this.keyring, tenantId, {
        peCredentials: active,
        environment: input.environment,
      });
    });
    this.onTenantChanged(tenantId);
  }

  async markConfigured(tenantId: string, externalHandle: string): Promise<void> {
    await this.db.query(
      `UPDATE shopify_shops SET configured_at = $2, external_handle = $3, updated_at = now()
       WHERE tenant_id = $1`,
      [tenantId, this.clock.now(), externalHandle],
    );
  }

  private seal(tenantId: string, secrets: ShopSecrets) {
    return {
      blob: this.keyring.encrypt(JSON.stringify(secrets), aad(tenantId)),
      keyId: this.keyring.primaryKeyId,
    };
  }

  private async readSecrets(q: Executor, tenantId: string): Promise<ShopSecrets> {
    const { rows } = await q.query<{ secrets: Buffer | null }>(
      "SELECT secrets FROM shopify_shops WHERE tenant_id = $1",
      [tenantId],
    );
    return this.open(tenantId, rows[0]?.secrets ?? null);
  }

  /** The shop row locked for a read-modify-write of its sealed secrets. */
  private async lockShop(q: Executor, tenantId: string) {
    const { rows } = await q.query<{ scope: string; secrets: Buffer | null }>(
      "SELECT scope, secrets FROM shopify_shops WHERE tenant_id = $1 FOR UPDATE",
      [tenantId],
    );
    const r = rows[0];
    return r ? { scope: r.scope, secrets: this.open(tenantId, r.secrets) } : null;
  }

  private open(tenantId: string, blob: Buffer | null): ShopSecrets {
    if (!blob) return {};
    return JSON.parse(this.keyring.decrypt(blob, aad(tenantId)).toString("utf8")) as ShopSecrets;
  }
}

function dateOrNull(iso: string | undefined): Date | null {
  return iso ? new Date(iso) : null;
}
