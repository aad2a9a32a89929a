import { randomBytes, randomUUID } from "node:crypto";
import { ConflictError, NotFoundError } from "@pe-pay/core";
import type { Keyring } from "../crypto/keyring";
import type { SealedColumn } from "../crypto/reseal";
import { isUniqueViolation, type Executor, type Row } from "./database";
import { optDate, optString } from "./sql-helpers";
import { platformContextStampSql } from "./sql-fragments";

export type Platform = "shopify" | "woocommerce";
export type PeEnvironment = "sandbox" | "production";
export type TenantStatus = "active" | "inactive";

/** PagoEfectivo merchant-service credentials (README "Credentials"). */
export interface PeCredentials {
  accessKey: string;
  secretKey: string;
  idService: number;
}

/** Shopify offline access token, or WooCommerce REST API keys. */
export type PlatformCredentials =
  | { kind: "shopify"; accessToken: string; scope?: string }
  | { kind: "woocommerce"; consumerKey: string; consumerSecret: string };

export interface TenantRecord {
  id: string;
  platform: Platform;
  shopDomain: string;
  status: TenantStatus;
  environment: PeEnvironment;
  notificationToken: string;
  displayName: string | null;
  hasPeCredentials: boolean;
  hasPlatformCredentials: boolean;
  /** Key ids the credentials are encrypted with (a rotation job re-encrypts old ones). */
  peCredentialsKeyId: string | null;
  platformCredentialsKeyId: string | null;
  createdAt: Date;
  updatedAt: Date;
  deactivatedAt: Date | null;
}

export interface TenantCredentials {
  pagoEfectivo: PeCredentials | null;
  platform: PlatformCredentials | null;
}

export function normaliseShopDomain(shop: string): string {
  return shop
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, "")
    .replace(/\/+$/, "");
}

/** 32 random bytes, base64url: unguessable, URL-safe. */
export function newNotificationToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Associated data binding a ciphertext to its tenant and column (see crypto/keyring.ts). */
const aad = (tenantId: string, column: string) => `tenant:${tenantId}:${column}`;

function mapTenant(r: Row): TenantRecord {
  return {
    id: String(r.id),
    platform: r.platform as Platform,
    shopDomain: String(r.shop_domain),
    status: r.status as TenantStatus,
    environment: r.environment as PeEnvironment,
    notificationToken: String(r.notification_token),
    displayName: optString(r.display_name),
    hasPeCredentials: r.pe_credentials !== null,
    hasPlatformCredentials: r.platform_credentials !== null,
    peCredentialsKeyId: optString(r.pe_credentials_key_id),
    platformCredentialsKeyId: optString(r.platform_credentials_key_id),
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
    deactivatedAt: optDate(r.deactivated_at),
  };
}

export interface NewTenant {
  platform: Platform;
  shopDomain: string;
  environment?: PeEnvironment;
  displayName?: string;
  peCredentials?: PeCredentials;
  platformCredentials?: PlatformCredentials;
}

function seal(keyring: Keyring, tenantId: string, column: string, value: unknown) {
  if (value === undefined || value === null) return { blob: null, keyId: null };
  return {
    blob: keyring.encrypt(JSON.stringify(value), aad(tenantId, column)),
    keyId: keyring.primaryKeyId,
  };
}

/** A tenant credential column as resealColumn re-seals it (same associated data as `seal`). */
export function tenantSealedColumn(
  column: "pe_credentials" | "platform_credentials",
): SealedColumn {
  return {
    table: "tenants",
    column,
    idColumn: "id",
    keyIdColumn: `${column}_key_id`,
    aad: (row) => aad(String(row.id), column),
  };
}

/** Opens what `seal` sealed (null stays null). Tampered or foreign ciphertext → DecryptionError. */
function unseal<T>(keyring: Keyring, tenantId: string, column: string, blob: unknown): T | null {
  if (!blob) return null;
  return JSON.parse(keyring.decrypt(blob as Buffer, aad(tenantId, column)).toString("utf8")) as T;
}

/**
 * Creates the tenant and its default settings row in one statement. A second install of the
 * same shop is a ConflictError: reinstall flows use `findTenantByShop` + `setTenantCredentials`
 * + `activateTenant`, which keep the notification URL the merchant already configured.
 */
export async function createTenant(
  q: Executor,
  keyring: Keyring,
  input: NewTenant,
): Promise<TenantRecord> {
  const id = randomUUID();
  const pe = seal(keyring, id, "pe_credentials", input.peCredentials);
  const platform = seal(keyring, id, "platform_credentials", input.platformCredentials);
  try {
    const { rows } = await q.query(
      `WITH t AS (
         INSERT INTO tenants (id, platform, shop_domain, environment, notification_token,
           display_name, pe_credentials, pe_credentials_key_id, platform_credentials,
           platform_credentials_key_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         RETURNING *
       ), s AS (
         INSERT INTO tenant_settings (tenant_id) SELECT id FROM t
       )
       SELECT * FROM t`,
      [
        id,
        input.platform,
        normaliseShopDomain(input.shopDomain),
        input.environment ?? "sandbox",
        newNotificationToken(),
        input.displayName ?? null,
        pe.blob,
        pe.keyId,
        platform.blob,
        platform.keyId,
      ],
    );
    return mapTenant(rows[0]!);
  } catch (e) {
    if (isUniqueViolation(e)) {
      throw new ConflictError(`a ${input.platform} tenant for this shop already exists`);
    }
    throw e;
  }
}

export async function getTenant(q: Executor, tenantId: string): Promise<TenantRecord | null> {
  const { rows } = await q.query("SELECT * FROM tenants WHERE id = $1", [tenantId]);
  return rows[0] ? mapTenant(rows[0]) : null;
}

/**
 * The notification entry point: the URL's token picks the tenant before the body is trusted.
 * Inactive tenants are returned too (the caller decides: usually store and answer 2xx, apply
 * nothing); pass `activeOnly` to filter.
 */
export async function findTenantByNotificationToken(
  q: Executor,
  token: string,
  opts: { activeOnly?: boolean } = {},
): Promise<TenantRecord | null> {
  if (token.length < 32 || token.length > 128) return null;
  const { rows } = await q.query(
    `SELECT * FROM tenants WHERE notification_token = $1 ${opts.activeOnly ? "AND status = 'active'" : ""}`,
    [token],
  );
  return rows[0] ? mapTenant(rows[0]) : null;
}

export async function findTenantByShop(
  q: Executor,
  platform: Platform,
  shopDomain: string,
): Promise<TenantRecord | null> {
  const { rows } = await q.query("SELECT * FROM tenants WHERE platform = $1 AND shop_domain = $2", [
    platform,
    normaliseShopDomain(shopDomain),
  ]);
  return rows[0] ? mapTenant(rows[0]) : null;
}

export async function listActiveTenants(q: Executor): Promise<TenantRecord[]> {
  const { rows } = await q.query(
    "SELECT * FROM tenants WHERE status = 'active' ORDER BY created_at",
  );
  return rows.map(mapTenant);
}

export async function deactivateTenant(
  q: Executor,
  tenantId: string,
  at: Date,
): Promise<TenantRecord | null> {
  const { rows } = await q.query(
    `UPDATE tenants SET status = 'inactive', deactivated_at = COALESCE(deactivated_at, $2),
       updated_at = now() WHERE id = $1 RETURNING *`,
    [tenantId, at],
  );
  return rows[0] ? mapTenant(rows[0]) : null;
}

export async function activateTenant(q: Executor, tenantId: string): Promise<TenantRecord | null> {
  const { rows } = await q.query(
    `UPDATE tenants SET status = 'active', deactivated_at = NULL, updated_at = now()
     WHERE id = $1 RETURNING *`,
    [tenantId],
  );
  return rows[0] ? mapTenant(rows[0]) : null;
}

/** Replaces one or both credential sets (undefined = leave; null = remove). */
export async function setTenantCredentials(
  q: Executor,
  keyring: Keyring,
  tenantId: string,
  input: {
    peCredentials?: PeCredentials | null;
    platformCredentials?: PlatformCredentials | null;
    environment?: PeEnvironment;
  },
): Promise<TenantRecord> {
  const sets: string[] = ["updated_at = now()"];
  const params: unknown[] = [tenantId];
  const add = (column: string, value: unknown) => {
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  };
  if (input.peCredentials !== undefined) {
    const pe = seal(keyring, tenantId, "pe_credentials", input.peCredentials);
    add("pe_credentials", pe.blob);
    add("pe_credentials_key_id", pe.keyId);
  }
  if (input.platformCredentials !== undefined) {
    const p = seal(keyring, tenantId, "platform_credentials", input.platformCredentials);
    add("platform_credentials", p.blob);
    add("platform_credentials_key_id", p.keyId);
  }
  if (input.environment !== undefined) add("environment", input.environment);
  const { rows } = await q.query(
    `UPDATE tenants SET ${sets.join(", ")} WHERE id = $1 RETURNING *`,
    params,
  );
  if (!rows[0]) throw new NotFoundError("tenant not found");
  return mapTenant(rows[0]);
}

/** Decrypts a tenant's credentials. Tampered or foreign ciphertext → DecryptionError. */
export async function getTenantCredentials(
  q: Executor,
  keyring: Keyring,
  tenantId: string,
): Promise<TenantCredentials> {
  const { rows } = await q.query<{
    pe_credentials: Buffer | null;
    platform_credentials: Buffer | null;
  }>("SELECT pe_credentials, platform_credentials FROM tenants WHERE id = $1", [tenantId]);
  const r = rows[0];
  if (!r) throw new NotFoundError("tenant not found");
  return {
    pagoEfectivo: unseal<PeCredentials>(keyring, tenantId, "pe_credentials", r.pe_credentials),
    platform: unseal<PlatformCredentials>(
      keyring,
      tenantId,
      "platform_credentials",
      r.platform_credentials,
    ),
  };
}

export interface TenantWithCredentials {
  tenant: TenantRecord;
  credentials: TenantCredentials;
  /** platformContextStampSql of the row read. */
  platformStamp: string;
}

/**
 * getTenant and getTenantCredentials from ONE read of the row (the tenant row holds the sealed
 * credentials). Only the sets asked for are decrypted; the others come back null.
 */
export async function getTenantWithCredentials(
  q: Executor,
  keyring: Keyring,
  tenantId: string,
  open: { pagoEfectivo?: boolean; platform?: boolean } = { pagoEfectivo: true, platform: true },
): Promise<TenantWithCredentials | null> {
  const { rows } = await q.query(
    `SELECT t.*, ${platformContextStampSql("t")} AS platform_stamp__ FROM tenants t WHERE t.id = $1`,
    [tenantId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    tenant: mapTenant(r),
    credentials: {
      pagoEfectivo: open.pagoEfectivo
        ? unseal<PeCredentials>(keyring, tenantId, "pe_credentials", r.pe_credentials)
        : null,
      platform: open.platform
        ? unseal<PlatformCredentials>(
            keyring,
            tenantId,
            "platform_credentials",
            r.platform_credentials,
          )
        : null,
    },
    platformStamp: String(r.platform_stamp__),
  };
}
