import { join } from "node:path";
import type { Logger } from "pino";
import type { Database } from "./database";
import { createPgDatabase } from "./pg-driver";
import { createPgliteDatabase } from "./pglite-driver";

export interface OpenDatabaseOptions {
  /** Set → PostgreSQL through a `pg` pool (production). */
  databaseUrl?: string;
  /** Without a databaseUrl: PGlite in this directory; undefined → in memory (tests only). */
  dataDir?: string;
  /** pg pool size. */
  poolSize?: number;
  logger?: Logger;
}

/** Conventional embedded location for an app: `.data/<app>/pglite`. */
export function defaultPgliteDir(baseDir: string, app: string): string {
  return join(baseDir, ".data", app, "pglite");
}

export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<Database> {
  if (opts.databaseUrl) {
    const db = createPgDatabase({
      connectionString: opts.databaseUrl,
      max: opts.poolSize,
      logger: opts.logger,
    });
    opts.logger?.info({ driver: "pg" }, "database: PostgreSQL");
    return db;
  }
  const db = await createPgliteDatabase({ dataDir: opts.dataDir });
  opts.logger?.info(
    { driver: "pglite", dataDir: opts.dataDir ?? "(memory)" },
    "database: embedded PGlite",
  );
  return db;
}
