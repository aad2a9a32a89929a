import type { CipStatus, PagoEfectivoClient } from "@pe-pay/core";
import type { EngineContext } from "../context";
import { claimVouchersDueForExpiry, type VoucherRecord } from "../db/vouchers";
import { cipsOfVouchers, groupByTenant, mapLimit } from "../vouchers/batch";
import type { StepHook } from "../vouchers/hooks";
import { settleAtPagoEfectivo } from "../vouchers/retire-voucher";
import { markBatchExpired } from "./mark-expired";
import type { TenantAccess } from "../vouchers/tenant-access";
import type { PeEnvironment } from "../db/tenants";

const SEARCH_CHUNK = 100;

export interface ExpiryDeps {
  access: TenantAccess;
  hook?: StepHook;
  /** How long a claim keeps other instances away (a crashed worker's rows come back after it). */
  leaseMs: number;
  /** PagoEfectivo calls in flight per batch. */
  concurrency: number;
}

export interface ExpiryRunResult {
  claimed: number;
  expired: number;
  paid: number;
  unchanged: number;
  failed: number;
}

/**
 * One pass of the expiry scheduler: claim vouchers past expires_at + grace (FOR UPDATE SKIP
 * LOCKED plus a lease, so N instances split the work and never take the same row), search their
 * CIPs at PagoEfectivo in bulk, then for each voucher delete its CIPs BEFORE marking it expired
 * (see retireVoucher). A voucher that fails keeps its lease and comes back when it lapses.
 */
export async function runExpiryOnce(
  ctx: EngineContext,
  deps: ExpiryDeps,
): Promise<ExpiryRunResult> {
  const result: ExpiryRunResult = { claimed: 0, expired: 0, paid: 0, unchanged: 0, failed: 0 };
  const claimed = await claimVouchersDueForExpiry(ctx.db, {
    now: ctx.clock.now(),
    limit: ctx.config.expiryBatchSize,
    leaseMs: deps.leaseMs,
    statuses: ["created", "pending"],
    graceMs: ctx.config.expiryGraceMs,
  });
  result.claimed = claimed.length;
  if (claimed.length === 0) return result;
  await deps.hook?.("expire.claimed");
  const cips = await cipsOfVouchers(ctx.db, claimed);
  for (const group of await groupByTenant(deps.access, claimed)) {
    if (!group.entry?.credentials) {
      ctx.logger.error(
        { tenantId: group.vouchers[0]!.tenantId, count: group.vouchers.length },
        "cannot expire vouchers: tenant has no PagoEfectivo credentials",
      );
      result.failed += group.vouchers.length;
      continue;
    }
    const client = deps.access.client(group.entry, group.environment as PeEnvironment);
    let known;
    try {
      known = await searchInChunks(
        client,
        group.vouchers.flatMap((v) => cips.get(v.id) ?? []),
        deps.concurrency,
      );
    } catch (e) {
      ctx.logger.warn(
        { tenantId: group.entry.tenant.id, err: { message: (e as Error).message } },
        "expiry: CIP search failed; batch retried after its lease",
      );
      result.failed += group.vouchers.length;
      continue;
    }
    const ready: VoucherRecord[] = [];
    await mapLimit(group.vouchers, deps.concurrency, async (v) => {
      try {
        const r = await settleAtPagoEfectivo(ctx, {
          voucher: v,
          cips: cips.get(v.id) ?? [],
          client,
          target: "expired",
          known,
        });
        if (r.kind === "ready") ready.push(v);
        else if (r.kind === "paid") result.paid++;
        else result.unchanged++;
      } catch (e) {
        result.failed++;
        ctx.logger.warn(
          { voucherId: v.id, err: { message: (e as Error).message } },
          "expiry failed for a voucher; retried after its lease",
        );
      }
    });
    if (ready.length === 0) continue;
    await deps.hook?.("expire.deleted");
    // One transaction for the batch: one commit instead of one per voucher. If it fails, the
    // vouchers keep their lease and the next run finds their CIPs already removed.
    try {
      const marked = await ctx.db.transaction((tx) => markBatchExpired(tx, ready));
      result.expired += marked.length;
      result.unchanged += ready.length - marked.length;
    } catch (e) {
      result.failed += ready.length;
      ctx.logger.warn(
        { count: ready.length, err: { message: (e as Error).message } },
        "expiry: marking a batch failed; retried after its lease",
      );
    }
  }
  await deps.hook?.("expire.done");
  if (result.claimed) ctx.logger.info({ ...result }, "expiry run");
  return result;
}

/** searchCips takes up to 100 CIPs a call: a batch's chunks go out in parallel (bounded). */
async function searchInChunks(
  client: PagoEfectivoClient,
  cips: readonly string[],
  concurrency: number,
): Promise<Map<string, CipStatus>> {
  const unique = [...new Set(cips)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += SEARCH_CHUNK)
    chunks.push(unique.slice(i, i + SEARCH_CHUNK));
  const answers = await mapLimit(chunks, Math.max(1, concurrency), (c) => client.searchCips(c));
  const out = new Map<string, CipStatus>();
  for (const answer of answers) for (const item of answer) out.set(item.cip, item);
  return out;
}
