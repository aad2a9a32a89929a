/**
 * The real processes for an e2e test file: every service of scripts/services.ts on free loopback
 * ports with a temporary DATA_DIR (so a running `pnpm start` is untouched), short scheduler
 * intervals, and the same first-run setup `pnpm start` does (scripts/seed-local.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { seedLocal, type SeedResult } from "../../../scripts/seed-local";
import {
  localServices,
  startServices,
  type RunningServices,
  type ServiceId,
  type ServicePorts,
} from "../../../scripts/services";

/** Jest (CommonJS) has __dirname; the bench runs this file as ESM from the repository root. */
export const ROOT =
  typeof __dirname === "string" ? resolve(__dirname, "../../..") : resolve(process.cwd());

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

export interface Stack {
  url(id: ServiceId): string;
  running: RunningServices;
  seed: SeedResult;
  stop(): Promise<void>;
}

/** Every CIP of an e2e run lives this long (local-only override; `pnpm start` keeps hours). */
export const E2E_VOUCHER_VALIDITY_SECONDS = 90;

/**
 * Fast background work so flows finish in seconds (the defaults are minutes): polling asks
 * PagoEfectivo about a voucher after 3 s without news, CIPs expire after 90 s (the engine needs
 * a minute left to create one) with no grace.
 */
const FAST = {
  EXPIRY_INTERVAL_SECONDS: "1",
  POLL_INTERVAL_SECONDS: "2",
  POLL_AFTER_SECONDS: "3",
  EXPIRY_GRACE_SECONDS: "0",
  VOUCHER_VALIDITY_SECONDS: String(E2E_VOUCHER_VALIDITY_SECONDS),
  REFUND_INTERVAL_SECONDS: "1",
  OUTBOX_INTERVAL_MS: "200",
  LOG_LEVEL: "warn",
};

export async function startStack(opts: { validityHours?: number } = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), "pe-e2e-"));
  const ports: ServicePorts = {
    sandbox: await freePort(),
    demoStore: await freePort(),
    shopify: await freePort(),
    woocommerce: await freePort(),
  };
  // The Shopify app also binds MTLS_PORT (port + 1) in direct mode only; off here.
  const services = localServices({
    dataDir,
    ports,
    extraEnv: {
      shopify: { ...FAST },
      woocommerce: { ...FAST, RECONCILE_INTERVAL_SECONDS: "5" },
    },
  });
  const running = await startServices(services, {
    root: ROOT,
    healthTimeoutMs: 90_000,
    // Tests run against PGlite in the temp dir, whatever the developer's shell has.
    baseEnv: { ...process.env, DATABASE_URL: undefined, APP_ENCRYPTION_KEY: undefined },
  });
  let seed: SeedResult;
  try {
    seed = await seedLocal(running, { validityHours: opts.validityHours ?? 1 });
  } catch (error) {
    await running.stop(3000);
    throw error;
  }
  return {
    url: (id) => running.url(id),
    running,
    seed,
    async stop() {
      await running.stop(5000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it returns a value (not undefined/false) or fails with `what`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs / 1000} s waiting for: ${what}${last ? ` (last error: ${String(last)})` : ""}`,
  );
}

export async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${url} → HTTP ${res.status}`);
  return (await res.json()) as T;
}

export async function putJson(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`PUT ${url} → HTTP ${res.status}: ${await res.text()}`);
}
