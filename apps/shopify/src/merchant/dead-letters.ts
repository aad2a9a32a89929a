import {
  listOpenAlerts,
  listOutbox,
  requeueDeadLetter,
  resolveAlert,
  type Database,
} from "@pe-pay/engine";

export type RetryOutcome =
  /** `ids`: every message put back in the queue, oldest first. */
  | { status: "requeued"; ids: number[] }
  /** No such message for this shop (another shop's id answers the same: nothing to learn). */
  | { status: "not_found" }
  /** Already retried (pending again, or delivered since). */
  | { status: "not_dead" };

/**
 * "Reintentar envío" on a dead letter: the shop's own message goes back to the outbox, and so do
 * the order's earlier dead letters. The dispatcher only ever claims the oldest pending message
 * of an order, so requeueing them together replays them in their original order; retrying the
 * later one alone would deliver it before an earlier one still parked (say "paid" before
 * "pending"), leaving Shopify's session in the wrong state. The dead-letter alerts of the
 * requeued messages resolve with it: a message that fails again raises a fresh one.
 *
 * `requeueDeadLetter` takes no tenant, so the tenant check is the locked lookup here, in the
 * same transaction.
 */
export async function retryDeadLetter(
  db: Database,
  input: { tenantId: string; outboxId: number; at: Date },
): Promise<RetryOutcome> {
  const { tenantId, outboxId, at } = input;
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{
      aggregate_type: string;
      aggregate_id: string;
      seq: number;
      status: string;
    }>(
      `SELECT aggregate_type, aggregate_id, seq, status FROM outbox
       WHERE id = $1 AND tenant_id = $2 FOR UPDATE`,
      [outboxId, tenantId],
    );
    const row = rows[0];
    if (!row) return { status: "not_found" };
    if (row.status !== "dead") return { status: "not_dead" };
    const replay = (
      await listOutbox(tx, { tenantId, aggregateId: String(row.aggregate_id), status: "dead" })
    )
      .filter((m) => m.aggregateType === String(row.aggregate_type) && m.seq <= Number(row.seq))
      .sort((a, b) => a.seq - b.seq);
    const ids: number[] = [];
    for (const m of replay) {
      if (await requeueDeadLetter(tx, m.id, at)) ids.push(m.id);
    }
    const keys = new Set(ids.map(String));
    for (const alert of await listOpenAlerts(tx, tenantId)) {
      if (alert.kind === "dead_letter" && keys.has(alert.key)) {
        await resolveAlert(tx, alert.id, at);
      }
    }
    return { status: "requeued", ids };
  });
}

export interface DeadLetterOrder {
  outboxId: number;
  /** The order it was about, as the merchant finds it in Shopify (CIP and payment session). */
  cip: string;
  sessionId: string;
}

/** This shop's dead letters by id, each with its order (for the dashboard's retry buttons). */
export async function deadLettersOf(
  db: Database,
  tenantId: string,
): Promise<Map<number, DeadLetterOrder>> {
  const dead = await listOutbox(db, { tenantId, status: "dead", limit: 500 });
  const voucherIds = [
    ...new Set(dead.filter((m) => m.aggregateType === "voucher").map((m) => m.aggregateId)),
  ];
  const orders = new Map<string, { cip: string; sessionId: string }>();
  if (voucherIds.length) {
    const { rows } = await db.query<{
      id: string;
      cip: string | null;
      platform_payment_id: string;
    }>(
      "SELECT id, cip, platform_payment_id FROM vouchers WHERE tenant_id = $1 AND id = ANY($2::uuid[])",
      [tenantId, voucherIds],
    );
    for (const r of rows) {
      orders.set(String(r.id), {
        cip: r.cip ? String(r.cip) : "",
        sessionId: String(r.platform_payment_id),
      });
    }
  }
  return new Map(
    dead.map((m) => {
      const o = orders.get(m.aggregateId);
      return [m.id, { outboxId: m.id, cip: o?.cip ?? "", sessionId: o?.sessionId ?? "" }];
    }),
  );
}
