import { join } from "node:path";
import { createPagoEfectivoClient, type Clock, type RetryPolicy } from "@pe-pay/core";
import {
  DEFAULT_ENGINE_CONFIG,
  type EngineContext,
  type PagoEfectivoClientFactory,
} from "../context";
import { loadKeyring } from "../crypto/key-source";
import type { Keyring } from "../crypto/keyring";
import { resealColumn, type ResealReport } from "../crypto/reseal";
import { insertAudit } from "../db/audit";
import type { Database } from "../db/database";
import { migrate } from "../db/migrate";
import { openDatabase } from "../db/open";
import { tenantSealedColumn, type PeEnvironment } from "../db/tenants";
import type { Logger } from "../logger";

export interface AppStorageOptions {
  /** `.data/<app>` under `dataDir` holds the local PGlite database and generated key. */
  app: string;
  dataDir: string;
  databaseUrl?: string;
  encryptionKey?: string;
  /** Given (tests): used as is, and not closed by the app. */
  db?: Database;
  keyring?: Keyring;
  logger: Logger;
  /**
   * The app's own sealed columns, rewritten under the primary key at start-up (tenant
   * credentials are always included): see `reencryptUnderPrimaryKey`.
   */
  reencrypt?: readonly ReencryptStep[];
}

/**
 * Rewrites one store's blobs under the keyring's primary key: a report per column (see
 * `resealColumn`).
 */
export type ReencryptStep = (
  db: Database,
  keyring: Keyring,
) => Promise<ResealReport | readonly ResealReport[]>;

/** The engine's own sealed columns: both credential sets of every tenant. */
export const reencryptTenantColumns: ReencryptStep = async (db, keyring) => [
  await resealColumn(db, keyring, tenantSealedColumn("pe_credentials")),
  await resealColumn(db, keyring, tenantSealedColumn("platform_credentials")),
];

/** An app process's storage: the database (migrated) and the keyring. */
export async function openAppStorage(
  opts: AppStorageOptions,
): Promise<{ db: Database; keyring: Keyring; ownsDb: boolean }> {
  const { logger } = opts;
  const localDir = join(opts.dataDir, ".data", opts.app);
  const ownsDb = !opts.db;
  const db =
    opts.db ??
    (await openDatabase({
      databaseUrl: opts.databaseUrl,
      dataDir: opts.databaseUrl ? undefined : join(localDir, "pglite"),
      logger,
    }));
  await migrate(db, { logger });
  const keyring =
    opts.keyring ??
    loadKeyring({
      encryptionKey: opts.encryptionKey,
      dataDir: localDir,
      requireConfiguredKey: Boolean(opts.databaseUrl),
      logger,
    });
  await reencryptUnderPrimaryKey(
    db,
    keyring,
    [reencryptTenantColumns, ...(opts.reencrypt ?? [])],
    logger,
  );
  return { db, keyring, ownsDb };
}

/**
 * Key rotation without a maintenance step: with the new key first in APP_ENCRYPTION_KEY and the
 * old one after it, every start rewrites what older keys sealed and logs how many rows of each
 * column it rewrote; once it logs that nothing is left under an older key, the old key can be
 * dropped. Several instances starting together are safe: each row is written back only if it
 * still holds the blob that was read.
 *
 * The steps also run with a single key, to report rows that no configured key opens (a key
 * dropped too early, a foreign or tampered blob): such a row is left as it is and named in an
 * error line (column, row id, key id, reason); the app still starts, since every other row is
 * readable, and that row's reads fail until its key is listed again or the merchant reconnects.
 * A step that fails outright is logged and the next one still runs. Returns the rows rewritten.
 */
export async function reencryptUnderPrimaryKey(
  db: Database,
  keyring: Keyring,
  steps: readonly ReencryptStep[],
  logger: Pick<Logger, "info" | "warn" | "error">,
): Promise<number> {
  const resealed: Record<string, number> = {};
  const remaining: Record<string, number> = {};
  let rewritten = 0;
  let left = 0;
  let failed = false;
  for (const step of steps) {
    let result: Awaited<ReturnType<ReencryptStep>>;
    try {
      result = await step(db, keyring);
    } catch (e) {
      failed = true;
      logger.error(
        { err: { message: (e as Error).message } },
        "re-encryption under the primary key failed",
      );
      continue;
    }
    const reports: readonly ResealReport[] = "column" in result ? [result] : result;
    for (const r of reports) {
      resealed[r.column] = (resealed[r.column] ?? 0) + r.resealed;
      rewritten += r.resealed;
      if (r.remaining > 0) remaining[r.column] = r.remaining;
      left += r.remaining;
      if (r.unreadableCount > 0) {
        logger.error(
          {
            column: r.column,
            unreadable: r.unreadableCount,
            keyIds: [...new Set(r.unreadable.map((u) => u.keyId))],
            rows: r.unreadable,
            primaryKeyId: keyring.primaryKeyId,
            configuredKeyIds: keyring.keyIds,
          },
          "rows that no key in APP_ENCRYPTION_KEY opens were left as they are (their reads fail " +
            "until their key is listed again)",
        );
      }
    }
  }
  if (rewritten > 0) {
    logger.info(
      { rewritten, resealed, primaryKeyId: keyring.primaryKeyId },
      "records re-encrypted under the primary key",
    );
  }
  if (keyring.keyIds.length < 2) return rewritten;
  if (left === 0 && !failed) {
    logger.info(
      { primaryKeyId: keyring.primaryKeyId, keyIds: keyring.keyIds },
      "nothing left under an older key; older keys can be removed from APP_ENCRYPTION_KEY",
    );
  } else {
    logger.warn(
      { remaining, primaryKeyId: keyring.primaryKeyId },
      "records are still under another key: keep the older keys in APP_ENCRYPTION_KEY",
    );
  }
  return rewritten;
}

export function pagoEfectivoBaseUrls(configured: {
  sandbox: string;
  production?: string | undefined;
}): Record<PeEnvironment, string> {
  return {
    sandbox: configured.sandbox,
    // Calls fail loudly rather than reaching the sandbox with production credentials.
    production: configured.production ?? "https://production-api-not-configured.invalid",
  };
}

/** PagoEfectivo clients whose every call is written to the audit log. */
export function auditedPagoEfectivoClients(deps: {
  db: Database;
  clock: Clock;
  logger: Logger;
  retry?: Partial<RetryPolicy> | undefined;
}): PagoEfectivoClientFactory {
  const { db, clock, logger } = deps;
  return ({ credentials, baseUrl, tenantId }) =>
    createPagoEfectivoClient({
      baseUrl,
      idService: credentials.idService,
      accessKey: credentials.accessKey,
      secretKey: credentials.secretKey,
      clock,
      ...(deps.retry ? { retry: deps.retry } : {}),
      onAudit: (entry) => {
        // Redacted by the client; a failed audit insert must not fail a payment.
        insertAudit(db, {
          tenantId,
          direction: "outbound",
          method: entry.method,
          path: entry.path,
          status: entry.status,
          request: entry.requestBody,
          response: entry.responseBody,
          durationMs: entry.durationMs,
          error: entry.outcome === "response" ? null : entry.outcome,
        }).catch((e: unknown) => logger.warn({ err: (e as Error).message }, "audit insert failed"));
      },
    });
}

export interface AppEngineContextOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  keyring: Keyring;
  baseUrls: Record<PeEnvironment, string>;
  publicBaseUrl: string;
  pollAfterMs: number;
  expiryGraceMs: number;
  peRetry?: Partial<RetryPolicy> | undefined;
}

/** The engine context of an app process: default engine config, audited PagoEfectivo clients. */
export function appEngineContext(opts: AppEngineContextOptions): EngineContext {
  const { db, clock, logger, keyring } = opts;
  return {
    db,
    clock,
    logger,
    keyring,
    config: {
      ...DEFAULT_ENGINE_CONFIG,
      pollAfterMs: opts.pollAfterMs,
      expiryGraceMs: opts.expiryGraceMs,
      pagoEfectivoBaseUrl: opts.baseUrls,
      publicBaseUrl: opts.publicBaseUrl,
    },
    pagoEfectivo: auditedPagoEfectivoClients({ db, clock, logger, retry: opts.peRetry }),
    random: Math.random,
  };
}
