import { createServer, type Server } from "node:http";
import { fetchSiteName } from "../woo-client/site-name";
import type { AddressInfo } from "node:net";
import express, { type NextFunction, type Request, type Response } from "express";
import { systemClock, type Clock } from "@pe-pay/core";
import {
  createOutboxDispatcher,
  createLogger,
  evaluateAlerts,
  runRefundPollingOnce,
  runRefundSubmissionOnce,
  type Database,
  type EngineContext,
  type Keyring,
  type Logger,
  type OutboxDispatcher,
  type PeEnvironment,
  type TenantContext,
} from "@pe-pay/engine";
import type { WooBridgeConfig } from "../config";
import { createWooBridgeApp } from "../http/app";
import {
  DbOrderVoucherLookup,
  DbPendingAuthorizations,
  DbPluginKeys,
  DbReplayGuard,
  DbTenantStore,
  WOO_REENCRYPT_STEPS,
} from "../storage";
import { createWcAuthFlow } from "../wc-auth";
import { WooClient, type WooClientOptions } from "../woo-client/client";
import { DEFAULT_RETRY } from "../woo-client/retry";
import { createWooDeliverer } from "../woo-deliverer";
import { adminRouter } from "./admin";
import {
  createHealthRouter,
  createNotificationRouter,
  createPaymentEngine,
  type EnginePaymentService,
  type PaymentEngineOptions,
} from "./engine-imports";
import { checkPagoEfectivoCredentials } from "@pe-pay/core";
import {
  appEngineContext,
  backgroundWork,
  openAppStorage,
  pagoEfectivoBaseUrls,
  periodic,
  type PeriodicTask,
} from "@pe-pay/engine";
import { reconcileOnce } from "./reconcile";
import { voucherPageRouter } from "./voucher-page";

/** Paths served by `createWooBridgeApp` (and nothing else). */
const PLUGIN_APP_PATHS = /^\/(?:plugin\/v1|webhooks\/woocommerce|wc-auth\/v1)\//;

export interface StartBridgeOptions {
  config: WooBridgeConfig;
  /** Tests pass an open, migrated or empty database; otherwise DATABASE_URL / PGlite. */
  db?: Database;
  keyring?: Keyring;
  clock?: Clock;
  logger?: Logger;
  engineOptions?: PaymentEngineOptions;
  /** Extra WooCommerce client options (tests: a retry policy without sleeps). */
  wooClient?: Partial<Omit<WooClientOptions, "storeUrl" | "consumerKey" | "consumerSecret">>;
  /** false: no schedulers (tests drive `runOnce` themselves). Default true. */
  schedulers?: boolean;
}

export interface RunningBridge {
  url: string;
  port: number;
  db: Database;
  keyring: Keyring;
  engine: EnginePaymentService;
  dispatcher: OutboxDispatcher;
  tenants: DbTenantStore;
  ctx: EngineContext;
  /** One reconciliation pass over every store (also run by its scheduler). */
  reconcile(): ReturnType<typeof reconcileOnce>;
  /** Graceful stop: no new connections, schedulers and in-flight work finish, database closed. */
  close(): Promise<void>;
}

/**
 * Everything the bridge process runs, in one place: storage, the engine and its schedulers,
 * the outbox dispatcher with the WooCommerce deliverer, reconciliation, and the HTTP routes.
 */
export async function startBridge(opts: StartBridgeOptions): Promise<RunningBridge> {
  const { config } = opts;
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger({ name: "woocommerce", level: config.logLevel });
  const { db, keyring, ownsDb } = await openAppStorage({
    app: "woocommerce",
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    encryptionKey: config.encryptionKey,
    db: opts.db,
    keyring: opts.keyring,
    logger,
    reencrypt: WOO_REENCRYPT_STEPS,
  });

  // Listen before building the routes so the public URL (port 0 in tests) is known to them;
  // requests in that short window get a 503.
  const ready: { handler?: (req: Request, res: Response) => void } = {};
  const server: Server = createServer((req, res) => {
    if (ready.handler) return ready.handler(req as Request, res as Response);
    res.writeHead(503, { "Content-Type": "application/json", "Retry-After": "1" });
    res.end('{"status":"starting"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const listenUrl = `http://${config.host.includes(":") ? `[${config.host}]` : config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${port}`;
  const publicUrl = config.publicUrl ?? listenUrl;
  // With WC_AUTH_ALLOW_HTTP_LOOPBACK a local store accepts the http callback, so only warn without it.
  if (!publicUrl.startsWith("https://") && !config.allowHttpLoopbackCallback) {
    logger.warn(
      { publicUrl },
      "PUBLIC_URL is not https: WooCommerce will refuse the connect flow's callback",
    );
  }

  const environments: PeEnvironment[] = config.pagoEfectivoBaseUrl.production
    ? ["sandbox", "production"]
    : ["sandbox"];
  const baseUrls = pagoEfectivoBaseUrls(config.pagoEfectivoBaseUrl);
  const ctx = appEngineContext({
    db,
    clock,
    logger,
    keyring,
    baseUrls,
    publicBaseUrl: publicUrl,
    pollAfterMs: config.pollAfterSeconds * 1000,
    expiryGraceMs: config.expiryGraceSeconds * 1000,
  });

  const engine = createPaymentEngine(ctx, {
    expiryIntervalMs: config.expiryIntervalSeconds * 1000,
    pollingIntervalMs: config.pollIntervalSeconds * 1000,
    ...opts.engineOptions,
  });
  const tenants = new DbTenantStore(db, keyring);
  const replayGuard = new DbReplayGuard(db, clock);
  const pluginKeys = new DbPluginKeys(db, keyring, clock);
  const pending = new DbPendingAuthorizations(db, keyring);
  const vouchers = new DbOrderVoucherLookup(db);

  const wooClientFor = (creds: { storeUrl: string; consumerKey: string; consumerSecret: string }) =>
    new WooClient({
      ...creds,
      timeoutMs: config.httpTimeoutMs,
      retry: { ...DEFAULT_RETRY, retries: config.httpRetries },
      ...opts.wooClient,
    });

  const deliverer = createWooDeliverer({
    clientFor: deliveryClients(wooClientFor, (id) => tenants.storeUrlOf(id)),
  });
  // The dispatcher's default loader: a round's voucher rows come with its claim statement, so a
  // delivery (voucher.pending's no-op included) costs no read of its own. Same view as
  // engine.loadVoucherView for every voucher the engine wrote; a row it did not write gets its
  // raw fields instead of a delivery that throws and retries for 72 h.
  const dispatcher = createOutboxDispatcher(ctx, [deliverer]);
  const wcAuth = createWcAuthFlow({
    publicUrl,
    appName: config.appName,
    stateTtlSeconds: config.wcAuthStateTtlSeconds,
    allowHttpLoopback: config.allowHttpLoopbackCallback ?? false,
    pending,
    tenants,
    wooClientFor,
    siteNameOf: (storeUrl) => fetchSiteName(storeUrl),
    clock,
    logger,
  });

  const reconcile = () =>
    reconcileOnce({
      stores: tenants,
      vouchers,
      engine,
      clientFor: wooClientFor,
      clock,
      lookbackMs: config.reconcileLookbackSeconds * 1000,
      logger,
    });

  const tasks: PeriodicTask[] = [
    periodic(
      "refund-submission",
      config.refundIntervalSeconds * 1000,
      () => runRefundSubmissionOnce(ctx),
      logger,
    ),
    periodic(
      "refund-polling",
      config.refundIntervalSeconds * 1000,
      () => runRefundPollingOnce(ctx),
      logger,
    ),
    periodic("reconcile", config.reconcileIntervalSeconds * 1000, reconcile, logger),
    periodic(
      "alerts",
      config.alertsIntervalSeconds * 1000,
      () => evaluateStoreAlerts(ctx, tenants, logger),
      logger,
    ),
    periodic(
      "housekeeping",
      10 * 60_000,
      async () => {
        const now = clock.now();
        await replayGuard.purge(now);
        await pending.purge(now);
      },
      logger,
    ),
  ];
  const background = backgroundWork({
    engine,
    dispatcher,
    outboxIntervalMs: config.outboxIntervalMs,
    tasks,
    logger,
  });

  const app = express();
  app.disable("x-powered-by");
  app.use(createHealthRouter(db));
  // Whatever a request changed may have left outbox messages: deliver them now. Not after a
  // voucher creation: its only message (voucher.pending) is a no-op for WooCommerce, and the
  // extra round would compete with checkout traffic for the database.
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method === "POST" && !req.path.startsWith("/plugin/v1/vouchers")) {
      res.on("finish", () => {
        if (res.statusCode < 300) background.nudgeOutbox();
      });
    }
    next();
  });
  app.use(createNotificationRouter(engine));
  app.use(voucherPageRouter({ engine, db, tenants, clock, publicUrl: () => publicUrl }));
  app.use(
    adminRouter({
      db,
      keyring,
      tenants,
      replayGuard,
      pluginKeys,
      clock,
      publicUrl: () => publicUrl,
      sessionMinutes: config.adminSessionMinutes,
      signatureToleranceSeconds: config.signatureToleranceSeconds,
      environments,
      checkCredentials: (input) =>
        checkPagoEfectivoCredentials({ ...input, baseUrl: baseUrls[input.environment], clock }),
      onCredentialsChanged: (id) => engine.invalidateTenant(id),
      ctx,
      nudgeOutbox: () => background.nudgeOutbox(),
    }),
  );
  // Local demos shorten every CIP's life (VOUCHER_VALIDITY_SECONDS, refused in production) so
  // expiry can be watched without waiting hours; the engine still applies its own rules.
  const validity = config.voucherValiditySeconds;
  const bridgeEngine: typeof engine =
    validity === undefined
      ? engine
      : Object.assign(Object.create(engine) as typeof engine, {
          createVoucher: (cmd: Parameters<typeof engine.createVoucher>[0]) =>
            engine.createVoucher({
              ...cmd,
              expiryPolicy: { notAfter: new Date(clock.now().getTime() + validity * 1000) },
            }),
        });
  const pluginApp = createWooBridgeApp({
    engine: bridgeEngine,
    vouchers,
    tenants,
    replayGuard,
    wcAuth,
    clock,
    voucherPageUrl: (token) => `${publicUrl}/voucher/${token}`,
    pluginKeys,
    webhookSecretFor: (id, o) => pluginKeys.webhookSecretFor(id, o),
    signatureToleranceSeconds: config.signatureToleranceSeconds,
    logger,
  });
  app.use(pluginApp);
  const appHandler = app as unknown as (req: Request, res: Response) => void;
  const pluginHandler = pluginApp as unknown as (req: Request, res: Response) => void;
  // The plugin's routes (every checkout) go straight to their app instead of through every
  // router above it; the same outbox nudge applies to them.
  ready.handler = (req, res) => {
    if (!PLUGIN_APP_PATHS.test(req.url ?? "")) return appHandler(req, res);
    if (req.method === "POST" && !req.url!.startsWith("/plugin/v1/vouchers")) {
      res.on("finish", () => {
        if (res.statusCode < 300) background.nudgeOutbox();
      });
    }
    return pluginHandler(req, res);
  };

  if (opts.schedulers ?? true) background.start();
  logger.info({ url: listenUrl, publicUrl }, "woocommerce bridge listening");

  let closing: Promise<void> | undefined;
  return {
    url: listenUrl,
    port,
    db,
    keyring,
    engine,
    dispatcher,
    tenants,
    ctx,
    reconcile,
    close() {
      closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // In-flight requests finish; then the background work stops and finishes its round.
        await serverClosed;
        await background.stop();
        if (ownsDb) await db.close();
        logger.info("woocommerce bridge stopped");
      })();
      return closing;
    },
  };
}

/**
 * The engine's merchant alerts for every connected store (refund rate, signature failures, dead
 * letters, attention items, refunds held for a credit note), as the admin page shows them. Safe
 * on several instances at once; one store's failure does not stop the others.
 */
export async function evaluateStoreAlerts(
  ctx: EngineContext,
  stores: { listStores(): Promise<Array<{ storeId: string }>> },
  logger: Pick<Logger, "warn">,
): Promise<{ stores: number; raised: number; failed: number }> {
  const result = { stores: 0, raised: 0, failed: 0 };
  for (const { storeId } of await stores.listStores()) {
    result.stores += 1;
    try {
      result.raised += (await evaluateAlerts(ctx, storeId)).raised;
    } catch (error) {
      result.failed += 1;
      logger.warn(
        { storeId, err: (error as Error)?.message ?? String(error) },
        "alert evaluation failed",
      );
    }
  }
  return result;
}

/**
 * The deliverer's WooCommerce clients, from the REST keys the outbox dispatcher already decrypted
 * (its TenantContext), kept per store while those keys stay the same: a delivery then costs no
 * query, decryption or client set-up. The home URL is not in the TenantContext (the tenant's shop
 * domain is normalised: no scheme, lower case, and OAuth signs the exact URL), so it is read once
 * per client; a reconnect always brings new keys, which replaces both.
 */
export function deliveryClients(
  build: (creds: { storeUrl: string; consumerKey: string; consumerSecret: string }) => WooClient,
  storeUrlOf: (storeId: string) => Promise<string | null>,
  maxEntries = 1000,
): (tenant: TenantContext) => Promise<WooClient> {
  const clients = new Map<
    string,
    { consumerKey: string; consumerSecret: string; client: WooClient }
  >();
  return async (tenant) => {
    const { consumerKey, consumerSecret } = tenant.platformCredentials;
    if (tenant.platform !== "woocommerce" || !consumerKey || !consumerSecret) {
      // Retried by the outbox: the store may be reconnecting.
      throw new Error("WooCommerce store is not connected");
    }
    const hit = clients.get(tenant.id);
    if (hit && hit.consumerKey === consumerKey && hit.consumerSecret === consumerSecret)
      return hit.client;
    const storeUrl = await storeUrlOf(tenant.id);
    if (!storeUrl) throw new Error("WooCommerce store is not connected");
    if (clients.size >= maxEntries) clients.clear();
    const client = build({ storeUrl, consumerKey, consumerSecret });
    clients.set(tenant.id, { consumerKey, consumerSecret, client });
    return client;
  };
}
