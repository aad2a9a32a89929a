import type { Database } from "../db/database";
import { schemaStatus } from "../db/migrate";

export interface HealthAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** /healthz: the process is alive and its event loop turns. Touches nothing else. */
export function checkLiveness(): HealthAnswer {
  return { status: 200, body: { status: "ok" } };
}

/**
 * /readyz: the database answers and every migration this code expects is applied (a newer
 * release's extra migrations are fine during a rolling deploy). 503 otherwise, with the reason
 * but never a connection string or an error text that could carry one.
 */
export async function checkReadiness(
  db: Database,
  opts: { timeoutMs?: number } = {},
): Promise<HealthAnswer> {
  const timeoutMs = opts.timeoutMs ?? 2_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const status = await Promise.race([
      schemaStatus(db),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
      }),
    ]);
    if (!status.upToDate) {
      return {
        status: 503,
        body: {
          status: "not_ready",
          reason: "migrations",
          pending: status.pending,
          drifted: status.drifted,
        },
      };
    }
    return { status: 200, body: { status: "ready", migrations: status.applied.length } };
  } catch {
    return { status: 503, body: { status: "not_ready", reason: "database_unreachable" } };
  } finally {
    if (timer) clearTimeout(timer);
  }
}
