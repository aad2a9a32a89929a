/**
 * Delivers outbox messages to the platform adapters.
 *
 * - Claims with `claimOutboxBatch`: only the oldest pending message of each voucher is
 *   claimable (order per voucher), `FOR UPDATE SKIP LOCKED` splits the heads among dispatchers,
 *   and the claim moves `next_attempt_at` forward by a lease, so no two dispatchers hold the same
 *   message at once. A dispatcher that dies mid-delivery loses its lease and the message comes
 *   back: delivery is at least once, deliverers are idempotent.
 * - Only messages of tenants on the platforms of its deliverers are claimed: the Shopify and the
 *   WooCommerce app may share one database, and each must leave the other's messages alone
 *   (claiming them only to answer "retry" delayed them by backoff, up to a dead letter).
 * - A round tells (`more`) whether another one right away can deliver anything: its batch was
 *   full, or a message it delivered or parked had a later pending message of its voucher (now
 *   the head). Messages enqueued after the claim come with a nudge of their own.
 * - The payload handed to the deliverer is built from the current voucher (and refund) rows, not
 *   from the stored payload, which only names the refund (`refundId`) or carries the attention
 *   item (`attention`). With the default loader the vouchers of a round are read by its claim
 *   statement (no read per message): a view is then at most one round old, never older than its
 *   message, and any later change of the voucher comes with a message of its own, delivered
 *   after this one. A `loadVoucher` of the caller's reads each voucher at its delivery.
 * - Outcomes: delivered → done; `retry` or a throw → exponential backoff with full jitter until
 *   `outboxMaxAgeMs` (72 h) after creation, then a dead letter; `failed` → dead letter at once.
 *   Every dead letter raises a merchant-visible alert in the same transaction.
 */
import type { EngineContext } from "../context";
import { raiseAlert } from "../db/alerts";
import type { Executor } from "../db/database";
import {
  claimOutboxBatch,
  markOutboxDead,
  markOutboxDeliveredMany,
  rescheduleOutbox,
  type ClaimedOutboxMessage,
} from "../db/outbox";
import { getRefund } from "../db/refunds";
import { mapVoucherJson } from "../db/vouchers";
import { MicroBatcher } from "../notifications/micro-batcher";
import { getTenantWithCredentials, type PlatformCredentials } from "../db/tenants";
import type {
  DeliveryOutcome,
  OutboxKind,
  OutboxMessage,
  PlatformDeliverer,
  TenantContext,
  VoucherView,
} from "../ports";
import { toRefundView } from "../refunds/views";
import { nextOutboxAttempt } from "./backoff";
import { loadOutboxVoucherView, outboxVoucherView } from "./views";

export interface DispatcherOptions {
  /** Messages claimed per round (default 50). */
  batchSize?: number;
  /** How long a claim keeps other dispatchers away; longer than any delivery (default 2 min). */
  leaseMs?: number;
  /** Deliveries in flight at once within a round (default 8). Different vouchers only. */
  concurrency?: number;
  /**
   * How the voucher view is loaded, one voucher at each delivery. Default: the vouchers of a
   * round read by its claim statement (claimOutboxBatch withVouchers, loadOutboxVoucherView's
   * view).
   */
  loadVoucher?: (q: Executor, voucherId: string) => Promise<VoucherView | null>;
}

export interface DispatchResult {
  delivered: number;
  retried: number;
  dead: number;
  /**
   * Whether another round now has something to claim, as far as this round's claim saw: the
   * batch was full, or a delivered or parked message's voucher had a later pending message.
   */
  more: boolean;
}

export interface OutboxDispatcher {
  runOnce(): Promise<DispatchResult>;
  /** Runs rounds every `intervalMs` (at once again while a round reports `more`). */
  start(intervalMs: number): void;
  /** Stops scheduling and waits for the round in flight to finish. */
  stop(): Promise<void>;
}

/** Decrypted platform credentials as flat strings, for TenantContext. */
function flatCredentials(c: PlatformCredentials | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(c ?? {})) if (typeof v === "string") out[k] = v;
  return out;
}

class PermanentError extends Error {}

export function createOutboxDispatcher(
  ctx: EngineContext,
  deliverers: PlatformDeliverer[],
  opts: DispatcherOptions = {},
): OutboxDispatcher {
  const byPlatform = new Map(deliverers.map((d) => [d.platform, d]));
  const platforms = [...byPlatform.keys()];
  const batchSize = opts.batchSize ?? 50;
  const leaseMs = opts.leaseMs ?? 2 * 60_000;
  const concurrency = Math.max(1, opts.concurrency ?? 8);
  const loadVoucher = opts.loadVoucher ?? loadOutboxVoucherView;
  const readsWithClaim = !opts.loadVoucher;

  /**
   * Delivery contexts (decrypted platform credentials) kept across rounds, each with the stamp of
   * the tenant row it was read from. Every claim returns the row's current stamp (same statement
   * as the claim), so a context is reused only while platform, shop and sealed credentials are
   * byte for byte the ones stored at claim time: a change made by any instance (a reconnect, a
   * refreshed token, a re-seal) is seen by the next claim, exactly as if the tenant were read
   * every round — without the read and the decryption.
   */
  const contexts = new Map<string, { stamp: string; context: TenantContext }>();

  async function tenantContext(
    m: ClaimedOutboxMessage,
    round: Map<string, Promise<TenantContext>>,
  ): Promise<TenantContext> {
    const known = contexts.get(m.tenantId);
    if (known && m.tenantStamp !== null && known.stamp === m.tenantStamp) return known.context;
    let p = round.get(m.tenantId);
    if (!p) {
      p = (async () => {
        const read = await getTenantWithCredentials(ctx.db, ctx.keyring, m.tenantId, {
          platform: true,
        });
        if (!read) {
          contexts.delete(m.tenantId);
          throw new PermanentError("tenant not found");
        }
        const context: TenantContext = {
          id: read.tenant.id,
          platform: read.tenant.platform,
          shopDomain: read.tenant.shopDomain,
          platformCredentials: flatCredentials(read.credentials.platform),
        };
        if (contexts.size >= 10_000) contexts.clear();
        contexts.set(m.tenantId, { stamp: read.platformStamp, context });
        return context;
      })();
      round.set(m.tenantId, p);
    }
    return p;
  }

  async function toMessage(m: ClaimedOutboxMessage): Promise<OutboxMessage> {
    const stored = (m.payload ?? {}) as {
      refundId?: unknown;
      refund?: { id?: unknown };
      attention?: { kind: string; detail: string };
    };
    const voucher =
      m.claimedVoucher !== undefined
        ? m.claimedVoucher && outboxVoucherView(mapVoucherJson(m.claimedVoucher))
        : await loadVoucher(ctx.db, m.aggregateId);
    if (!voucher) throw new PermanentError(`voucher ${m.aggregateId} not found`);
    const payload: OutboxMessage["payload"] = { voucher };
    const refundId = stored.refundId ?? stored.refund?.id;
    if (typeof refundId === "string") {
      const refund = await getRefund(ctx.db, refundId);
      if (!refund) throw new PermanentError(`refund ${refundId} not found`);
      payload.refund = toRefundView(refund);
    }
    if (stored.attention) payload.attention = stored.attention;
    return {
      id: String(m.id),
      tenantId: m.tenantId,
      voucherId: m.aggregateId,
      kind: m.kind as OutboxKind,
      payload,
      attempts: m.attempts,
      createdAt: m.createdAt,
    };
  }

  async function deliverOne(
    m: ClaimedOutboxMessage,
    cache: Map<string, Promise<TenantContext>>,
  ): Promise<DeliveryOutcome> {
    try {
      const tenant = await tenantContext(m, cache);
      const deliverer = byPlatform.get(tenant.platform);
      // The claim takes only messages stamped with our platforms (their tenant's when
      // enqueued), so this is a tenant whose platform changed since: another instance may be
      // configured for it (rolling deploy): retry, do not drop.
      if (!deliverer) return { status: "retry", error: `no deliverer for ${tenant.platform}` };
      return await deliverer.deliver(await toMessage(m), tenant);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      return e instanceof PermanentError ? { status: "failed", error } : { status: "retry", error };
    }
  }

  /**
   * Deliveries that finish while a "delivered" mark is being written are marked together by the
   * next one: one guarded UPDATE (still pending) for all of them, none waiting for a timer.
   */
  const deliveredMarks = new MicroBatcher(
    async (items: { id: number; at: Date }[]) => {
      const moved = await markOutboxDeliveredMany(ctx.db, items);
      return items.map((i) => moved.has(i.id));
    },
    { maxSize: 64, concurrency: 1 },
  );

  /** Records the outcome; true when the message left "pending" (delivered or dead). */
  async function settle(
    m: ClaimedOutboxMessage,
    outcome: DeliveryOutcome,
    result: DispatchResult,
  ): Promise<boolean> {
    const now = ctx.clock.now();
    const log = { outboxId: m.id, tenantId: m.tenantId, kind: m.kind, attempts: m.attempts };
    if (outcome.status === "delivered") {
      await deliveredMarks.submit({ id: m.id, at: now });
      result.delivered += 1;
      return true;
    }
    const next =
      outcome.status === "retry"
        ? nextOutboxAttempt({
            now,
            createdAt: m.createdAt,
            attempt: m.attempts,
            baseDelayMs: ctx.config.outboxBaseDelayMs,
            maxDelayMs: ctx.config.outboxMaxDelayMs,
            maxAgeMs: ctx.config.outboxMaxAgeMs,
            random: ctx.random,
          })
        : null;
    if (next) {
      await rescheduleOutbox(ctx.db, m.id, { nextAttemptAt: next, error: outcome.error });
      ctx.logger.warn({ ...log, err: outcome.error, nextAttemptAt: next }, "outbox retry");
      result.retried += 1;
      return false;
    }
    const why =
      outcome.status === "failed" ? "refused permanently" : "still failing after the retry window";
    await ctx.db.transaction(async (tx) => {
      const parked = await markOutboxDead(tx, m.id, { at: now, error: outcome.error });
      if (!parked) return;
      await raiseAlert(tx, {
        tenantId: m.tenantId,
        kind: "dead_letter",
        key: String(m.id),
        detail: {
          outboxId: m.id,
          kind: m.kind,
          voucherId: m.aggregateId,
          attempts: m.attempts,
          why,
          error: outcome.error.slice(0, 500),
        },
        at: now,
      });
    });
    ctx.logger.error({ ...log, err: outcome.error, why }, "outbox message parked as dead letter");
    result.dead += 1;
    return true;
  }

  async function runOnce(): Promise<DispatchResult> {
    const result: DispatchResult = { delivered: 0, retried: 0, dead: 0, more: false };
    const batch = await claimOutboxBatch(ctx.db, {
      now: ctx.clock.now(),
      limit: batchSize,
      leaseMs,
      withVouchers: readsWithClaim,
      platforms,
    });
    // Heads that unblock a successor when they leave "pending" (delivered or dead).
    let unblocking = false;
    const cache = new Map<string, Promise<TenantContext>>();
    let next = 0;
    // The batch holds at most one message per voucher (heads only), so parallel delivery
    // cannot reorder a voucher's messages.
    const worker = async () => {
      while (next < batch.length) {
        const m = batch[next++]!;
        try {
          const left = await settle(m, await deliverOne(m, cache), result);
          if (left && m.pendingSuccessor) unblocking = true;
        } catch (e) {
          // Settling failed (database away): the lease brings the message back.
          ctx.logger.error({ outboxId: m.id, err: (e as Error).message }, "outbox settle failed");
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, worker));
    result.more = batch.length === batchSize || unblocking;
    lastMore = result.more;
    return result;
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;
  let lastMore = false;

  function schedule(intervalMs: number, delay: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      running = runOnce()
        .catch((e) => {
          ctx.logger.error({ err: (e as Error).message }, "outbox round failed");
        })
        .finally(() => {
          running = undefined;
          schedule(intervalMs, lastMore ? 0 : intervalMs);
        });
    }, delay);
    timer.unref?.();
  }

  return {
    runOnce,
    start(intervalMs) {
      if (!stopped) return;
      stopped = false;
      schedule(intervalMs, 0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
