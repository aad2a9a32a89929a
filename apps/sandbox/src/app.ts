import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import express, { type Express } from "express";
import { systemClock, type Clock } from "@pe-pay/core";
import { DEFAULT_TOKEN_TTL_MS, Emulator } from "./emulator";
import { apiFaults, errorHandler, notFoundHandler } from "./http";
import { DEMO_MERCHANT, type MerchantConfig } from "./merchants";
import { Notifier, silentLogger, type NotificationRetry, type SandboxLogger } from "./notifier";
import { apiFastPath } from "./api-fast-path";
import { apiRouter, apiRoutes, type ApiCall } from "./routes/api";
import { controlsRouter } from "./routes/controls";
import { pagesRouter } from "./routes/pages";
import { SandboxState } from "./state";

export interface SandboxOptions {
  /** Base clock; the /_sandbox/clock offset is added on top. */
  clock?: Clock;
  /** Extra merchants (same idService replaces the built-in demo merchant). */
  merchants?: MerchantConfig[];
  tokenTtlMs?: number;
  notificationRetry?: NotificationRetry;
  /** Used to deliver notifications (tests may inject one). */
  fetch?: typeof fetch;
  logger?: SandboxLogger;
  /** Request body limit in bytes (default 64 KiB); larger bodies get 413. */
  bodyLimitBytes?: number;
  /** How often CIPs past dateExpiry are expired and `cip.expired` sent (default 1 s; 0 = off). */
  expirySweepMs?: number;
  /** Base URL used in `cipUrl`; defaults to the request's own host. */
  publicUrl?: string;
  /** Randomness for fault rates (tests may make it deterministic). */
  random?: () => number;
  /**
   * The first CIP number (default FIRST_CIP). `pnpm start` moves it past earlier runs': the apps
   * keep their vouchers across restarts, and a CIP number they already hold is refused.
   */
  firstCip?: number;
}

export interface Sandbox {
  /** Every route; `handler` is what the server runs. */
  app: Express;
  /** The request listener: plain API requests skip express (api-fast-path.ts). */
  handler: RequestListener;
  state: SandboxState;
  emulator: Emulator;
  notifier: Notifier;
  /** The sandbox's current time (base clock + offset). */
  clock: Clock;
  setPublicUrl(url: string): void;
  /** Resolves when no notification is scheduled or in flight. */
  idle(): Promise<void>;
  /** Stops timers (expiry sweep, notification retries). */
  stop(): void;
}

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const base = options.clock ?? systemClock;
  const merchants = new Map<number, MerchantConfig>([[DEMO_MERCHANT.idService, DEMO_MERCHANT]]);
  for (const m of options.merchants ?? []) merchants.set(m.idService, m);
  const state = new SandboxState([...merchants.values()], options.firstCip);
  const clock: Clock = { now: () => new Date(base.now().getTime() + state.clockOffsetMs) };
  const logger = options.logger ?? silentLogger;
  const random = options.random ?? Math.random;
  const notifier = new Notifier({
    state,
    clock,
    fetch: options.fetch ?? globalThis.fetch,
    retry: options.notificationRetry,
    random,
    logger,
  });
  const emulator = new Emulator(state, clock, notifier, {
    tokenTtlMs: options.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS,
  });
  let publicUrl = options.publicUrl?.replace(/\/+$/, "");
  const voucherUrl = (call: ApiCall, guid: string) =>
    `${publicUrl ?? call.origin()}/cip/${guid}.html`;
  const routes = apiRoutes(emulator, voucherUrl);
  const bodyLimitBytes = options.bodyLimitBytes ?? 64 * 1024;

  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  app.use(
    express.raw({
      type: () => true,
      limit: bodyLimitBytes,
    }),
  );
  // Liveness for `pnpm start` and deployments; outside /v1 and /v2 so faults never touch it.
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.use(["/v1", "/v2"], apiFaults(state, random));
  app.use(apiRouter(routes));
  app.use(controlsRouter(emulator, notifier));
  app.use(pagesRouter(emulator));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  const fastPath = apiFastPath({ routes, state, random, logger, bodyLimitBytes });
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (!fastPath(req, res)) app(req, res);
  };

  let sweep: NodeJS.Timeout | undefined;
  const sweepMs = options.expirySweepMs ?? 1000;
  if (sweepMs > 0) {
    sweep = setInterval(() => emulator.sweepExpired(), sweepMs);
    sweep.unref();
  }

  return {
    app,
    handler,
    state,
    emulator,
    notifier,
    clock,
    setPublicUrl(url) {
      publicUrl = url.replace(/\/+$/, "");
    },
    idle: () => notifier.idle(),
    stop() {
      if (sweep) clearInterval(sweep);
      notifier.cancelAll();
    },
  };
}
