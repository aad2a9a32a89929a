import { AppError } from "@pe-pay/core";
import type { Logger } from "pino";
import { MIGRATIONS, migrationChecksum, type Migration } from "../migrations/index";
import type { Database, Executor } from "./database";

/** Advisory-lock key (two int4s): "PEPY" and 1 = schema migrations. */
export const ADVISORY_NAMESPACE = 0x50455059;
export const MIGRATION_LOCK_ID = 1;

export class MigrationError extends AppError {
  readonly code = "migration_error";
  readonly retryable = false;
  readonly httpStatus = 500;
}

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

export interface MigrateResult {
  applied: number[];
  alreadyApplied: number[];
}

/**
 * Applies pending migrations in ONE transaction holding a transaction-scoped advisory lock:
 * instances starting together queue on the lock, and the later ones find nothing to do. DDL is
 * transactional in Postgres, so a failed migration leaves the schema untouched.
 * (A future `CREATE INDEX CONCURRENTLY` cannot run in a transaction and would need its own step.)
 */
export async function migrate(
  db: Database,
  opts: { migrations?: readonly Migration[]; logger?: Logger } = {},
): Promise<MigrateResult> {
  const migrations = [...(opts.migrations ?? MIGRATIONS)].sort((a, b) => a.version - b.version);
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1, $2)", [ADVISORY_NAMESPACE, MIGRATION_LOCK_ID]);
    await tx.exec(CREATE_TABLE);
    const { rows } = await tx.query<{ version: number; checksum: string }>(
      "SELECT version, checksum FROM schema_migrations ORDER BY version",
    );
    const done = new Map(rows.map((r) => [r.version, r.checksum]));
    const applied: number[] = [];
    for (const m of migrations) {
      const checksum = migrationChecksum(m);
      const existing = done.get(m.version);
      if (existing !== undefined) {
        if (existing !== checksum) {
          throw new MigrationError(
            `migration ${m.version} (${m.name}) was changed after it was applied`,
          );
        }
        continue;
      }
      await tx.exec(m.sql);
      await tx.query(
        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
        [m.version, m.name, checksum],
      );
      applied.push(m.version);
      opts.logger?.info({ version: m.version, name: m.name }, "migration applied");
    }
    return { applied, alreadyApplied: [...done.keys()] };
  });
}

export interface SchemaStatus {
  expected: number[];
  applied: number[];
  pending: number[];
  /** Applied here but unknown to this code: a newer release migrated (fine during a rollout). */
  unknown: number[];
  /** Applied with a different text than this code has. */
  drifted: number[];
  upToDate: boolean;
}

/** For /readyz: is the database reachable and is every migration this code expects applied? */
export async function schemaStatus(
  db: Executor,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<SchemaStatus> {
  const expected = migrations.map((m) => m.version).sort((a, b) => a - b);
  const { rows: exists } = await db.query<{ present: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
  );
  const rows = exists[0]?.present
    ? (
        await db.query<{ version: number; checksum: string }>(
          "SELECT version, checksum FROM schema_migrations ORDER BY version",
        )
      ).rows
    : [];
  const applied = rows.map((r) => r.version);
  const byVersion = new Map(rows.map((r) => [r.version, r.checksum]));
  const pending = expected.filter((v) => !byVersion.has(v));
  const unknown = applied.filter((v) => !expected.includes(v));
  const drifted = migrations
    .filter((m) => byVersion.has(m.version) && byVersion.get(m.version) !== migrationChecksum(m))
    .map((m) => m.version);
  return {
    expected,
    applied,
    pending,
    unknown,
    drifted,
    upToDate: pending.length === 0 && drifted.length === 0,
  };
}
