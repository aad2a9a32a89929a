import { createHash } from "node:crypto";
import {
  resealColumn,
  type Database,
  type Keyring,
  type ReencryptStep,
  type Row,
} from "@pe-pay/engine";
import type { PendingAuthorization, PendingAuthorizationStore } from "../ports";

const hash = (code: string) => createHash("sha256").update(code).digest("hex");
const claimAad = (state: string) => `woo_pending_authorization:${state}:claim`;

/**
 * Start-up step (openAppStorage): re-seals unclaimed claim codes under the primary key. The
 * column has no key-id copy: the key id is read from the blob. The state is the wc-auth
 * correlation secret, so log lines name a row by its store and creation time instead.
 */
export const reencryptClaimCodes: ReencryptStep = (db, keyring) =>
  resealColumn(db, keyring, {
    table: "woo_pending_authorizations",
    column: "claim_code_sealed",
    idColumn: "state",
    aad: (row) => claimAad(String(row.id)),
    labelSql: "'store ' || coalesce(store_id, '?') || ' created ' || created_at::text",
  });

/**
 * wc-auth correlation state on the engine's storage. State changes are single guarded UPDATEs,
 * so the callback completes a state once and a claim code is exchanged once, even with several
 * bridge instances.
 */
export class DbPendingAuthorizations implements PendingAuthorizationStore {
  constructor(
    private readonly db: Database,
    private readonly keyring: Keyring,
  ) {}

  async create(pending: PendingAuthorization): Promise<void> {
    await this.db.query(
      `INSERT INTO woo_pending_authorizations (state, store_url, plugin_return_url, expires_at)
       VALUES ($1, $2, $3, $4)`,
      [pending.state, pending.storeUrl, pending.pluginReturnUrl, pending.expiresAt],
    );
  }

  async get(state: string): Promise<PendingAuthorization | null> {
    const { rows } = await this.db.query(
      "SELECT * FROM woo_pending_authorizations WHERE state = $1",
      [state],
    );
    return rows[0] ? this.map(rows[0]) : null;
  }

  async complete(
    state: string,
    result: { storeId: string; claimCode: string },
    now: Date,
  ): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE woo_pending_authorizations
       SET completed_at = $2, store_id = $3, claim_code_hash = $4, claim_code_sealed = $5
       WHERE state = $1 AND completed_at IS NULL AND expires_at > $2`,
      [
        state,
        now,
        result.storeId,
        hash(result.claimCode),
        this.keyring.encrypt(result.claimCode, claimAad(state)),
      ],
    );
    return rowCount === 1;
  }

  async claim(claimCode: string, now: Date): Promise<{ storeId: string } | null> {
    // Used or not, the code is spent: the sealed copy is wiped in the same statement.
    const { rows } = await this.db.query<{ store_id: string; expires_at: Date }>(
      `UPDATE woo_pending_authorizations
       SET claimed_at = $2, claim_code_sealed = NULL
       WHERE claim_code_hash = $1 AND claimed_at IS NULL
       RETURNING store_id, expires_at`,
      [hash(claimCode), now],
    );
    const row = rows[0];
    if (!row || row.expires_at <= now) return null;
    return { storeId: String(row.store_id) };
  }

  /** Removes states that can no longer be used; returns how many. */
  async purge(before: Date): Promise<number> {
    const { rowCount } = await this.db.query(
      "DELETE FROM woo_pending_authorizations WHERE expires_at < $1",
      [before],
    );
    return rowCount;
  }

  private map(r: Row): PendingAuthorization {
    const state = String(r.state);
    const sealed = r.claim_code_sealed as Buffer | null;
    return {
      state,
      storeUrl: String(r.store_url),
      pluginReturnUrl: String(r.plugin_return_url),
      expiresAt: r.expires_at as Date,
      ...(r.store_id ? { storeId: String(r.store_id) } : {}),
      ...(sealed
        ? { claimCode: this.keyring.decrypt(sealed, claimAad(state)).toString("utf8") }
        : {}),
    };
  }
}
