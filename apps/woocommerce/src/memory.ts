import { randomBytes } from "node:crypto";
import type { Clock } from "@pe-pay/core";
import { openSecret, sealSecret } from "./credential-box";
import type {
  PendingAuthorization,
  PendingAuthorizationStore,
  ReplayGuard,
  TenantStore,
  WooStoreRecord,
} from "./ports";

/** In-memory replay guard; the engine will provide a durable, shared one. */
export class InMemoryReplayGuard implements ReplayGuard {
  private readonly seen = new Map<string, number>();
  constructor(private readonly clock: Clock) {}

  async remember(storeId: string, nonce: string, expiresAt: Date): Promise<boolean> {
    const now = this.clock.now().getTime();
    for (const [k, exp] of this.seen) if (exp <= now) this.seen.delete(k);
    const key = `${storeId}\u0000${nonce}`;
    if (this.seen.has(key)) return false;
    this.seen.set(key, expiresAt.getTime());
    return true;
  }
}

type SealedRecord = Omit<
  WooStoreRecord,
  "consumerKey" | "consumerSecret" | "webhookSecret" | "pluginSecret"
> & {
  sealed: string;
};

/** Keeps secrets sealed with AES-256-GCM even in memory, like a real implementation must. */
export class InMemoryTenantStore implements TenantStore {
  private readonly rows = new Map<string, SealedRecord>();
  private readonly idsByUrl = new Map<string, string>();
  constructor(private readonly key: Buffer) {}

  async storeIdFor(storeUrl: string): Promise<string> {
    const url = storeUrl.toLowerCase().replace(/\/+$/, "");
    let id = this.idsByUrl.get(url);
    if (!id) {
      id = `wc_${randomBytes(12).toString("hex")}`;
      this.idsByUrl.set(url, id);
    }
    return id;
  }

  /** Store id → the name shoppers see (setDisplayName). */
  readonly displayNames = new Map<string, string>();

  async setDisplayName(storeId: string, name: string): Promise<void> {
    this.displayNames.set(storeId, name);
  }

  async saveWooStore(record: WooStoreRecord): Promise<void> {
    const { consumerKey, consumerSecret, webhookSecret, pluginSecret, ...rest } = record;
    const sealed = sealSecret(
      JSON.stringify({ consumerKey, consumerSecret, webhookSecret, pluginSecret }),
      this.key,
    );
    this.rows.set(record.storeId, { ...rest, sealed });
  }

  async getWooStore(storeId: string): Promise<WooStoreRecord | null> {
    const row = this.rows.get(storeId);
    if (!row) return null;
    const { sealed, ...rest } = row;
    return {
      ...rest,
      ...(JSON.parse(openSecret(sealed, this.key)) as Pick<
        WooStoreRecord,
        "consumerKey" | "consumerSecret" | "webhookSecret" | "pluginSecret"
      >),
    };
  }

  /** For tests: what is actually held. */
  rawRow(storeId: string): unknown {
    return this.rows.get(storeId);
  }
}

export class InMemoryPendingAuthorizations implements PendingAuthorizationStore {
  private readonly byState = new Map<string, PendingAuthorization & { used?: boolean }>();
  private readonly claims = new Map<string, { storeId: string; expiresAt: Date }>();

  async create(pending: PendingAuthorization): Promise<void> {
    this.byState.set(pending.state, { ...pending });
  }

  async get(state: string): Promise<PendingAuthorization | null> {
    return this.byState.get(state) ?? null;
  }

  async complete(
    state: string,
    result: { storeId: string; claimCode: string },
    now: Date,
  ): Promise<boolean> {
    const row = this.byState.get(state);
    if (!row || row.used || row.expiresAt <= now) return false;
    row.used = true;
    row.storeId = result.storeId;
    row.claimCode = result.claimCode;
    this.claims.set(result.claimCode, { storeId: result.storeId, expiresAt: row.expiresAt });
    return true;
  }

  async claim(claimCode: string, now: Date): Promise<{ storeId: string } | null> {
    const row = this.claims.get(claimCode);
    this.claims.delete(claimCode);
    if (!row || row.expiresAt <= now) return null;
    return { storeId: row.storeId };
  }
}
