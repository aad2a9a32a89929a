import { join } from "node:path";
import { createPagoEfectivoClient, type Clock, type RetryPolicy } from "@pe-pay/core";
import {
  DEFAULT_ENGINE_CONFIG,
  type EngineContext,
  type PagoEfectivoClientFactory,
} from "../context";
import { loadKeyring } from "../crypto/key-source";
import type { Keyring } from "../crypto/keyring";
import { insertAudit } from "../db/audit";
import type { Database } from "../db/database";
import { migrate } from "../db/migrate";
import { openDatabase } from "../db/open";
import { reencryptTenantCredentials } from "../db/tenants";
import type { PeEnvironment } from "../db/tenants";
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
   * The app's own encrypted stores, rewritten under the primary key at start-up when the
   * keyring holds older keys (tenant credentials are always included). Each returns how many
   * records it rewrote.
   */
  reencrypt?: ReencryptStep[];
}

export type ReencryptStep = (db: Database, keyring: Keyring) => Promise<number>;

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
    [reencryptTenantCredentials, ...(opts.reencrypt ?? [])],
    logger,
  );
  return { db, keyring, ownsDb };
}

/**
 * Key rotation without a maintenance step: deploy with the new key first in APP_ENCRYPTION_KEY
 * and the old one after it; every start rewrites what the old key sealed, and once the log says
 * nothing is left under an older key, the old key can be dropped. Several instances starting
 * together rewrite the same rows to the same result, so no lock is needed. A failure is logged
 * and does not stop the app: the old key still decrypts.
 */
export async function reencryptUnderPrimaryKey(
  db: Database,
  keyring: Keyring,
  steps: readonly ReencryptStep[],
  logger: Pick<Logger, "info" | "error">,
): Promise<number> {
  if (keyring.keyIds.length < 2) return 0;
  let rewritten = 0;
  for (const step of steps) {
    try {
      rewritten += await step(db, keyring);
    } catch (e) {
      logger.error(
        { err: { message: (e as Error).message } },
        "re-encryption under the primary key failed",
      );
      return rewritten;
    }
  }
  logger.info(
    { rewritten, primaryKeyId: keyring.primaryKeyId },
    rewritten > 0
      ? "records re-encrypted under the primary key"
      : "nothing left under an older key; older keys can be removed from APP_ENCRYPTION_KEY",
  );
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
