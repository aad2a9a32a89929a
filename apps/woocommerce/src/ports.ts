import type { PaymentEngine, VoucherView } from "./engine-ports";

/**
 * What this bridge needs from storage beyond the engine's `PaymentEngine`. Kept minimal so the
 * engine (or a small table next to it) can implement them when it lands; `src/memory.ts` has
 * in-memory versions for tests and local runs.
 */

/** One connected WooCommerce store. The tenant id IS the store id handed to the plugin. */
export interface WooStoreRecord {
  storeId: string;
  /** Home URL as reported by WooCommerce, no trailing slash. */
  storeUrl: string;
  consumerKey: string;
  consumerSecret: string;
  keyId: number;
  /** Secret for X-WC-Webhook-Signature (alphanumeric). */
  webhookSecret: string;
  webhookId: number | null;
  /** Shared secret for plugin ↔ bridge request signing. */
  pluginSecret: string;
  connectedAt: Date;
}

/**
 * Stores connected stores. Implementations keep `consumerKey`, `consumerSecret`, `webhookSecret`
 * and `pluginSecret` encrypted at rest (see `credential-box.ts`) and never log them.
 */
export interface TenantStore {
  /**
   * The store id for this home URL: the existing one when the store connects again (so its
   * PagoEfectivo notification URL and vouchers stay attached), a new one otherwise.
   */
  storeIdFor(storeUrl: string): Promise<string>;
  saveWooStore(record: WooStoreRecord): Promise<void>;
  getWooStore(storeId: string): Promise<WooStoreRecord | null>;
  /** The name shoppers see for the store (voucher page); the store's host until it is known. */
  setDisplayName?(storeId: string, name: string): Promise<void>;
}

/** Finds our current voucher for a WooCommerce order (groupKey = order id). */
export interface OrderVoucherLookup {
  latestVoucherForOrder(tenantId: string, orderId: number): Promise<VoucherView | null>;
}

/** The slice of the engine the routes call; a typed fake `satisfies` it in tests. */
export type BridgeEngine = Pick<
  PaymentEngine,
  "createVoucher" | "cancelVoucher" | "requestRefund" | "getVoucherByIdempotencyKey"
>;

/** Refuses a (store, nonce) pair seen within its time-to-live. */
export interface ReplayGuard {
  /** true the first time the pair is seen (and remembers it until `expiresAt`), false after. */
  remember(storeId: string, nonce: string, expiresAt: Date): Promise<boolean>;
}

export interface PendingAuthorization {
  state: string;
  storeUrl: string;
  /** Plugin admin URL to send the browser back to (same host as the store). */
  pluginReturnUrl: string;
  expiresAt: Date;
  /** Set once the callback stored the keys: a one-time code the plugin exchanges for its secret. */
  claimCode?: string;
  storeId?: string;
}

/** One-time wc-auth correlation state (`user_id`) and the claim that follows it. */
export interface PendingAuthorizationStore {
  create(pending: PendingAuthorization): Promise<void>;
  get(state: string): Promise<PendingAuthorization | null>;
  /** Marks the state used by the callback; false if unknown, expired or already used. */
  complete(
    state: string,
    result: { storeId: string; claimCode: string },
    now: Date,
  ): Promise<boolean>;
  /** One-time: returns the store id and deletes the claim. */
  claim(claimCode: string, now: Date): Promise<{ storeId: string } | null>;
}
