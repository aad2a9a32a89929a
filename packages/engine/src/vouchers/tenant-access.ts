import { ConflictError, NotFoundError, type PagoEfectivoClient } from "@pe-pay/core";
import type { EngineContext } from "../context";
import {
  getTenantWithCredentials,
  findTenantByNotificationToken,
  type PeCredentials,
  type PeEnvironment,
  type TenantRecord,
} from "../db/tenants";

export interface TenantEntry {
  tenant: TenantRecord;
  credentials: PeCredentials | null;
}

/**
 * Tenants with their decrypted PagoEfectivo credentials and clients, cached for a short time:
 * every notification needs the secret key, and decrypting it (plus a query) per request
 * would dominate the notification path. The cache lives in one engine instance's memory only;
 * a signature that fails against a cached secret is re-checked against a fresh read, so a
 * credential rotation is picked up at once.
 */
export class TenantAccess {
  private readonly byId = new Map<string, { at: number; entry: TenantEntry }>();
  private readonly tokenToId = new Map<string, string>();
  private readonly clients = new Map<string, PagoEfectivoClient>();
  /**
   * The validity setting createVoucher last saw per tenant. Only a guess: its insert applies an
   * expiry computed from it only while the stored setting is still the same, so it needs no
   * expiry or invalidation.
   */
  private readonly validityHours = new Map<string, number>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly ttlMs = 30_000,
  ) {}

  invalidate(tenantId: string): void {
    this.byId.delete(tenantId);
    for (const key of [...this.clients.keys()]) {
      if (key.startsWith(`${tenantId}:`)) this.clients.delete(key);
    }
  }

  async get(tenantId: string, opts: { fresh?: boolean } = {}): Promise<TenantEntry | null> {
    const now = Date.now();
    const hit = this.byId.get(tenantId);
    if (hit && !opts.fresh && now - hit.at < this.ttlMs) return hit.entry;
    // One read: the row holds the sealed credentials; only PagoEfectivo's are opened.
    const read = await getTenantWithCredentials(this.ctx.db, this.ctx.keyring, tenantId, {
      pagoEfectivo: true,
    });
    if (!read) {
      this.byId.delete(tenantId);
      return null;
    }
    const { tenant } = read;
    const creds = read.credentials.pagoEfectivo;
    const previous = hit?.entry.credentials;
    if (previous && (!creds || previous.secretKey !== creds.secretKey)) this.invalidate(tenantId);
    const entry = { tenant, credentials: creds };
    this.byId.set(tenantId, { at: now, entry });
    return entry;
  }

  async byNotificationToken(token: string): Promise<TenantEntry | null> {
    const known = this.tokenToId.get(token);
    if (known) {
      const entry = await this.get(known);
      if (entry && entry.tenant.notificationToken === token) return entry;
      this.tokenToId.delete(token);
    }
    const tenant = await findTenantByNotificationToken(this.ctx.db, token);
    if (!tenant) return null;
    if (this.tokenToId.size > 10_000) this.tokenToId.clear();
    this.tokenToId.set(token, tenant.id);
    return this.get(tenant.id);
  }

  validityHoursHint(tenantId: string): number | null {
    return this.validityHours.get(tenantId) ?? null;
  }

  rememberValidityHours(tenantId: string, hours: number): void {
    if (this.validityHours.size > 10_000) this.validityHours.clear();
    this.validityHours.set(tenantId, hours);
  }

  /** Active tenant with PagoEfectivo credentials, or a 4xx error the adapter can show. */
  async requireUsable(tenantId: string): Promise<TenantEntry & { credentials: PeCredentials }> {
    const entry = await this.get(tenantId);
    if (!entry) throw new NotFoundError("tenant not found");
    if (entry.tenant.status !== "active") {
      throw new ConflictError("the store is not active", {
        merchantMessage: "PagoEfectivo is disabled for this store (the app is not active).",
      });
    }
    if (!entry.credentials) {
      throw new ConflictError("PagoEfectivo credentials are missing", {
        merchantMessage: "Enter your PagoEfectivo credentials in the app settings first.",
      });
    }
    return entry as TenantEntry & { credentials: PeCredentials };
  }

  /** A client for the tenant's credentials in `environment` (created once, then reused). */
  client(entry: TenantEntry, environment: PeEnvironment): PagoEfectivoClient {
    if (!entry.credentials) throw new ConflictError("PagoEfectivo credentials are missing");
    const key = `${entry.tenant.id}:${environment}`;
    let c = this.clients.get(key);
    if (!c) {
      c = this.ctx.pagoEfectivo({
        credentials: entry.credentials,
        environment,
        baseUrl: this.ctx.config.pagoEfectivoBaseUrl[environment],
        tenantId: entry.tenant.id,
      });
      this.clients.set(key, c);
    }
    return c;
  }
}

const shared = new WeakMap<EngineContext, TenantAccess>();

/**
 * The TenantAccess of an engine context: every use case of one engine (vouchers, expiry,
 * polling, refunds) shares its cache, so each tenant + environment has one PagoEfectivo client
 * (one auth token) and `invalidate` reaches all of them.
 */
export function tenantAccessFor(ctx: EngineContext, ttlMs?: number): TenantAccess {
  let access = shared.get(ctx);
  if (!access) {
    access = new TenantAccess(ctx, ttlMs);
    shared.set(ctx, access);
  }
  return access;
}
