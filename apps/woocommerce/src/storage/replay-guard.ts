import type { Clock } from "@pe-pay/core";
import type { Database } from "@pe-pay/engine";
import type { ReplayGuard } from "../ports";

/**
 * Durable, shared replay guard: one row per (store, nonce). Every bridge instance sees the same
 * table, so a request replayed against another instance is refused too.
 */
export class DbReplayGuard implements ReplayGuard {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async remember(storeId: string, nonce: string, expiresAt: Date): Promise<boolean> {
    // A row whose time is up may be reused (the timestamp check refuses such requests anyway);
    // RETURNING yields a row only when this call inserted or revived it.
    const { rows } = await this.db.query(
      `INSERT INTO woo_plugin_nonces (store_id, nonce, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (store_id, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at
         WHERE woo_plugin_nonces.expires_at <= $4
       RETURNING 1 AS ok`,
      [storeId, nonce, expiresAt, this.clock.now()],
    );
    return rows.length === 1;
  }

  /** Deletes nonces whose window closed before `before`; returns how many. */
  async purge(before: Date): Promise<number> {
    const { rowCount } = await this.db.query(
      "DELETE FROM woo_plugin_nonces WHERE expires_at < $1",
      [before],
    );
    return rowCount;
  }
}
