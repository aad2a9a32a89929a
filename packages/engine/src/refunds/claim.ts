import type { Executor } from "../db/database";
import { interval } from "../db/sql-helpers";

/**
 * Claims refunds in `status` whose `next_poll_at` has come, pushing it forward by the lease
 * (SKIP LOCKED: concurrent workers split the rows; a crashed worker's rows come back when the
 * lease runs out). `next_poll_at` means "submit again" for requested refunds and "ask
 * PagoEfectivo" for submitted ones, so each worker claims only its own status.
 */
export async function claimRefundIds(
  q: Executor,
  opts: { status: string; now: Date; limit: number; leaseMs: number },
): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>(
    `WITH due AS (
       SELECT id FROM refunds
       WHERE status = $4 AND next_poll_at <= $1
       ORDER BY next_poll_at LIMIT $2
       FOR UPDATE SKIP LOCKED
     )
     UPDATE refunds r SET next_poll_at = $1::timestamptz + $3::interval, last_polled_at = $1,
       poll_count = poll_count + 1
     FROM due WHERE r.id = due.id
     RETURNING r.id`,
    [opts.now, opts.limit, interval(opts.leaseMs), opts.status],
  );
  return rows.map((r) => String(r.id));
}
