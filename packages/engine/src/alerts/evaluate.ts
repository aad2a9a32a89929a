/**
 * Merchant-visible alerts (issue 3): a refund rate above 5 % of the Lima day's payments,
 * notification signature failures, dead letters, attention items — plus refunds held for a SUNAT
 * credit note, which only a person can release.
 *
 * `evaluateAlerts` brings the `alerts` table in line with the data and is safe to run often and
 * from several instances: an alert is one open row per (tenant, kind, key) and is only bumped
 * when what it says changed. Alerts whose cause went away (item resolved, dead letter retried,
 * credit note entered) are resolved; the refund-rate and signature alerts are per Lima day and
 * stay until the merchant dismisses them.
 */
import { limaCalendarDay, REFUND_REFUSAL_REASONS } from "@pe-pay/core";
import type { EngineContext } from "../context";
import { listOpenAlerts, raiseAlert, resolveAlert } from "../db/alerts";
import { listOpenAttentionItems } from "../db/attention";
import { listActiveTenants } from "../db/tenants";
import { CREDIT_NOTE_MISSING } from "../refunds/request-refund";

/** Refunds above this share of the day's payments raise an alert. */
export const REFUND_RATE_THRESHOLD = 0.05;

export type EngineAlertKind =
  "refund_rate" | "signature_failure" | "dead_letter" | "attention_item" | "credit_note_missing";

/** Start of the Lima calendar day holding `at` (Lima is UTC−5 all year). */
export function limaDayStart(at: Date): Date {
  return new Date(`${limaCalendarDay(at)}T00:00:00-05:00`);
}

export interface RefundRate {
  day: string;
  payments: number;
  /** Refunds asked for that day, except those our guards refused (nothing was sent). */
  refunds: number;
  refundedMinor: number;
  /** refunds / payments; null when there was no payment. */
  rate: number | null;
  above: boolean;
}

export async function refundRateForDay(
  ctx: EngineContext,
  tenantId: string,
  at: Date = ctx.clock.now(),
): Promise<RefundRate> {
  const from = limaDayStart(at);
  const to = new Date(from.getTime() + 24 * 3_600_000);
  const { rows } = await ctx.db.query<{ payments: number; refunds: number; minor: number }>(
    `SELECT
       (SELECT count(*)::int FROM vouchers
         WHERE tenant_id = $1 AND paid_at >= $2 AND paid_at < $3) AS payments,
       (SELECT count(*)::int FROM refunds
         WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3
           AND NOT (status = 'failed' AND failure_code = ANY($4::text[]))) AS refunds,
       (SELECT COALESCE(sum(amount_minor), 0)::bigint FROM refunds
         WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3
           AND NOT (status = 'failed' AND failure_code = ANY($4::text[]))) AS minor`,
    [tenantId, from, to, [...REFUND_REFUSAL_REASONS]],
  );
  const payments = Number(rows[0]?.payments ?? 0);
  const refunds = Number(rows[0]?.refunds ?? 0);
  return {
    day: limaCalendarDay(at),
    payments,
    refunds,
    refundedMinor: Number(rows[0]?.minor ?? 0),
    rate: payments > 0 ? refunds / payments : null,
    // With no payment at all, any refund is above 5 % of the day's payments.
    above: refunds > 0 && refunds > REFUND_RATE_THRESHOLD * payments,
  };
}

/** jsonb reorders keys: compare details key-order-independently. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) =>
    value && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)))
      : value,
  );
}

const PER_DAY = new Set<string>(["refund_rate", "signature_failure"]);

export interface EvaluateResult {
  raised: number;
  resolved: number;
  open: number;
}

export async function evaluateAlerts(
  ctx: EngineContext,
  tenantId: string,
): Promise<EvaluateResult> {
  const now = ctx.clock.now();
  const open = await listOpenAlerts(ctx.db, tenantId);
  const byKey = new Map(open.map((a) => [`${a.kind}\u0000${a.key}`, a]));
  const wanted = new Set<string>();
  const result: EvaluateResult = { raised: 0, resolved: 0, open: 0 };

  const ensure = async (kind: EngineAlertKind, key: string, detail: Record<string, unknown>) => {
    const id = `${kind}\u0000${key}`;
    wanted.add(id);
    const current = byKey.get(id);
    if (current && canonical(current.detail) === canonical(detail)) return;
    if (!current && PER_DAY.has(kind)) {
      // A per-day alert the merchant dismissed comes back only when its numbers change.
      const last = await ctx.db.query<{ detail: unknown }>(
        `SELECT detail FROM alerts WHERE tenant_id = $1 AND kind = $2 AND alert_key = $3
         ORDER BY id DESC LIMIT 1`,
        [tenantId, kind, key],
      );
      if (last.rows[0] && canonical(last.rows[0].detail) === canonical(detail)) return;
    }
    await raiseAlert(ctx.db, { tenantId, kind, key, detail, at: now });
    result.raised += 1;
  };

  const rate = await refundRateForDay(ctx, tenantId, now);
  if (rate.above) {
    await ensure("refund_rate", rate.day, {
      day: rate.day,
      payments: rate.payments,
      refunds: rate.refunds,
      refundedMinor: rate.refundedMinor,
    });
  }

  const from = limaDayStart(now);
  const sig = await ctx.db.query<{ n: number; last: Date | null }>(
    `SELECT count(*)::int AS n, max(received_at) AS last FROM notification_inbox
     WHERE tenant_id = $1 AND signature_valid = false AND received_at >= $2`,
    [tenantId, from],
  );
  const failures = Number(sig.rows[0]?.n ?? 0);
  // The ingest path raises its own live alert per failure; this is the catch-up for a day
  // without an open one (e.g. raised before a crash, or dismissed before new failures).
  const live = open.some((a) => a.kind === "signature_failure" && a.key !== limaCalendarDay(now));
  if (failures > 0 && !live) {
    await ensure("signature_failure", limaCalendarDay(now), {
      day: limaCalendarDay(now),
      count: failures,
      lastAt: sig.rows[0]?.last ? new Date(sig.rows[0].last).toISOString() : null,
    });
  }

  const dead = await ctx.db.query<{ id: number; kind: string; aggregate_id: string; err: string }>(
    `SELECT id, kind, aggregate_id, last_error AS err FROM outbox
     WHERE tenant_id = $1 AND status = 'dead' ORDER BY id LIMIT 500`,
    [tenantId],
  );
  for (const d of dead.rows) {
    const key = String(d.id);
    // The dispatcher raised it with its own detail when it parked the message: keep that one.
    if (byKey.has(`dead_letter\u0000${key}`)) {
      wanted.add(`dead_letter\u0000${key}`);
      continue;
    }
    await ensure("dead_letter", key, {
      outboxId: Number(d.id),
      kind: d.kind,
      voucherId: d.aggregate_id,
      error: (d.err ?? "").slice(0, 500),
    });
  }

  // One alert per attention kind (the key the payment path raises with when it creates an
  // item), listing how many items of that kind are open.
  const items = await listOpenAttentionItems(ctx.db, tenantId);
  const kinds = new Map<string, typeof items>();
  for (const item of items) kinds.set(item.kind, [...(kinds.get(item.kind) ?? []), item]);
  for (const [kind, list] of kinds) {
    await ensure("attention_item", kind, {
      attentionKind: kind,
      count: list.length,
      voucherIds: [...new Set(list.map((i) => i.voucherId).filter(Boolean))].slice(0, 20),
    });
  }

  const held = await ctx.db.query<{ id: string; amount_minor: number; currency: string }>(
    `SELECT id, amount_minor, currency FROM refunds
     WHERE tenant_id = $1 AND status = 'requested' AND credit_note_number IS NULL
       AND failure_code = $2 ORDER BY created_at LIMIT 500`,
    [tenantId, CREDIT_NOTE_MISSING],
  );
  for (const r of held.rows) {
    await ensure("credit_note_missing", String(r.id), {
      refundId: String(r.id),
      amountMinor: Number(r.amount_minor),
      currency: r.currency,
    });
  }

  // Conditions that went away. Per-day alerts stay until dismissed.
  const selfResolving = new Set<string>(["dead_letter", "attention_item", "credit_note_missing"]);
  for (const a of open) {
    const gone = !wanted.has(`${a.kind}\u0000${a.key}`);
    if (selfResolving.has(a.kind) && gone) {
      if (await resolveAlert(ctx.db, a.id, now)) result.resolved += 1;
    }
  }
  result.open = (await listOpenAlerts(ctx.db, tenantId)).length;
  return result;
}

/**
 * `evaluateAlerts` for every active tenant of this database (an app's periodic task). Safe on
 * several instances at once (alerts are upserted on their open key); one tenant's failure is
 * logged and does not stop the others.
 */
export async function evaluateAlertsForActiveTenants(
  ctx: EngineContext,
  logger: { warn(obj: object, msg: string): void },
): Promise<{ tenants: number; raised: number; resolved: number; failed: number }> {
  const result = { tenants: 0, raised: 0, resolved: 0, failed: 0 };
  for (const tenant of await listActiveTenants(ctx.db)) {
    result.tenants += 1;
    try {
      const r = await evaluateAlerts(ctx, tenant.id);
      result.raised += r.raised;
      result.resolved += r.resolved;
    } catch (e) {
      result.failed += 1;
      logger.warn(
        { tenantId: tenant.id, err: { message: (e as Error)?.message ?? String(e) } },
        "alert evaluation failed",
      );
    }
  }
  return result;
}
