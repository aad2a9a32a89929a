import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { systemClock, type Clock, type RetryPolicy } from "@pe-pay/core";
import {
  createHealthRouter,
  createLogger,
  createNotificationRouter,
  createOutboxDispatcher,
  createPaymentEngine,
  evaluateAlertsForActiveTenants,
  findRefundByPlatformId,
  getRefund,
  runRefundPollingOnce,
  runRefundSubmissionOnce,
  type Database,
  type EngineContext,
  type EnginePaymentService,
  type Keyring,
  type Logger as EngineLogger,
  type OutboxDispatcher,
  type PaymentEngineOptions,
} from "@pe-pay/engine";
import express, { type NextFunction, type Request, type Response } from "express";
import { createShopifyApp, type ShopifyApp } from "../app";
import type { ShopifyRuntimeConfig } from "../config/runtime";
import type { OutboxMessage, PlatformDeliverer } from "../engine-ports";
import { createPaymentsAppsClient, type PaymentsAppsClientOptions } from "../graphql/client";
import { errorMiddleware } from "../http-errors";
import { createVoucherMailer } from "../mail/voucher-mailer";
import {
  httpCaptureTransport,
  memoryTransport,
  smtpTransport,
  type CapturedMail,
  type MailTransport,
} from "../mail/transport";
import {
  REFUND_REJECTION_KEY,
  merchantLocale,
  refundRejectedMessage,
  refundRejectionFromError,
  refundRejectionFromFailure,
} from "../merchant-messages";
import { merchantRouter } from "../merchant/routes";
import { issueSession } from "../merchant/session";
import { createMtlsServer } from "../mtls";
import { createAccessTokenRefresher } from "../oauth/token-refresh";
import type { Logger } from "../ports";
import type { RefundRequestFailure } from "../session-requests/handlers";
import {
  createComplianceHandlers,
  DbWebhookDeduper,
  reencryptDataRequestExports,
} from "../storage/compliance";
import { DbShopStore, reencryptShopSecrets } from "../storage/shop-store";
import { recordRedirectUrl } from "../storage/voucher-notes";
import { checkPagoEfectivoCredentials } from "@pe-pay/core";
import {
  appEngineContext,
  backgroundWork,
  openAppStorage,
  pagoEfectivoBaseUrls,
  periodic,
  type PeriodicTask,
} from "@pe-pay/engine";
import { voucherPageRouter } from "./voucher-page";

/** Shopify's pending limit is ~72 h (contract §4); CIP validity + margin must stay below it. */
export const MAX_VOUCHER_HOURS = 70;

export interface StartShopifyOptions {
  config: ShopifyRuntimeConfig;
  /** Tests pass an open database; otherwise DATABASE_URL or PGlite in DATA_DIR/.data/shopify. */
  db?: Database;
  keyring?: Keyring;
  clock?: Clock;
  logger?: EngineLogger;
  /** Shopify calls (OAuth, GraphQL). Default: the global fetch (msw intercepts it in tests). */
  fetch?: typeof fetch;
  graphql?: Partial<Omit<PaymentsAppsClientOptions, "apiOrigin" | "apiVersion">>;
  peRetry?: Partial<RetryPolicy>;
  mail?: MailTransport;
  engineOptions?: PaymentEngineOptions;
  /** false: no schedulers and no nudges (tests drive `runBackgroundOnce`). Default true. */
  schedulers?: boolean;
  /**
   * Direct mTLS mode: the signal that re-reads the CA bundle and server key pair (default
   * SIGHUP); false installs no handler (call `reloadTls` instead).
   */
  tlsReloadSignal?: NodeJS.Signals | false;
}

export interface RunningShopify {
  /** The public listener (everything in off/proxy mode). */
  url: string;
  port: number;
  /** Direct mTLS mode only: the session endpoints' TLS listener. */
  mtlsUrl?: string;
  db: Database;
  keyring: Keyring;
  ctx: EngineContext;
  engine: EnginePaymentService;
  dispatcher: OutboxDispatcher;
  shops: DbShopStore;
  shopify: ShopifyApp;
  mail: MailTransport;
  /** Background work in one go: refund submission and polling, then the outbox. */
  runBackgroundOnce(): Promise<void>;
  /**
   * Direct mTLS mode: re-reads MTLS_CA_FILE and the server key pair for new connections, without
   * a restart (Shopify rotates its CA). A file that does not load leaves the previous context in
   * place and throws. No-op in the other modes.
   */
  reloadTls(): void;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function hostForUrl(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

export function mailTransportFor(config: ShopifyRuntimeConfig["mail"]): MailTransport {
  if (config.smtpUrl) return smtpTransport(config.smtpUrl, config.from);
  if (config.captureUrl) return httpCaptureTransport(config.captureUrl);
  return memoryTransport();
}

/**
 * The Shopify app process: storage, the engine and its schedulers, the outbox dispatcher with
 * the Shopify deliverer, the session endpoints, OAuth and webhooks, the PagoEfectivo
 * notification route, the shopper's voucher page and the merchant UI.
 */
export async function startShopifyServer(opts: StartShopifyOptions): Promise<RunningShopify> {
  const { config } = opts;
  const sc = config.shopify;
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger({ name: "shopify", level: config.logLevel });
  const log = logger as unknown as Logger;
  const { db, keyring, ownsDb } = await openAppStorage({
    app: "shopify",
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    encryptionKey: config.encryptionKey,
    db: opts.db,
    keyring: opts.keyring,
    logger,
    reencrypt: [reencryptShopSecrets, reencryptDataRequestExports],
  });

  const baseUrls = pagoEfectivoBaseUrls(config.pagoEfectivoBaseUrl);
  const ctx = appEngineContext({
    db,
    clock,
    logger,
    keyring,
    baseUrls,
    publicBaseUrl: sc.appUrl,
    pollAfterMs: config.pollAfterMs,
    expiryGraceMs: config.expiryGraceMs,
    peRetry: opts.peRetry,
  });

  const engine = createPaymentEngine(ctx, {
    expiryIntervalMs: config.expiryIntervalMs,
    pollingIntervalMs: config.pollIntervalMs,
    ...opts.engineOptions,
  });
  const shops = new DbShopStore(db, keyring, clock, (id) => engine.invalidateTenant(id));
  const compliance = createComplianceHandlers({ db, keyring, clock, shops, logger: log });
  const deduper = new DbWebhookDeduper(db);
  const mail = opts.mail ?? mailTransportFor(config.mail);
  const sendVoucherEmail = createVoucherMailer({
    db,
    clock,
    appUrl: sc.appUrl,
    transport: mail,
    logger: log,
  });
  const tokens = createAccessTokenRefresher({
    store: shops,
    config: sc,
    clock,
    logger: log,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  const graphql = createPaymentsAppsClient({
    apiOrigin: sc.apiOrigin,
    apiVersion: sc.apiVersion,
    logger: log,
    accessTokenProvider: tokens.provider,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...opts.graphql,
  });
  const schedulers = opts.schedulers ?? true;

  // Filled in below; the session router's deferred refund work nudges the outbox.
  let nudgeOutbox = () => {};

  async function rejectRefusedRefund(f: RefundRequestFailure): Promise<void> {
    // A refusal the engine recorded went to the outbox as refund.failed: nothing to add.
    if (await findRefundByPlatformId(db, f.tenant.tenantId, f.refund.id)) return;
    const accessToken = await shops.accessToken(f.tenant.tenantId);
    if (!accessToken) return;
    const locale = merchantLocale(f.refund.merchantLocale);
    const rejection = refundRejectionFromError(f.error, f.refund.amount.currency);
    const result = await graphql.refundSessionReject(
      { shopDomain: f.tenant.shopDomain, accessToken },
      {
        id: f.refund.gid,
        reason: {
          code: "PROCESSING_ERROR",
          merchantMessage: refundRejectedMessage(locale, rejection),
        },
      },
    );
    log.info(
      { refundSessionId: f.refund.id, ok: result.ok },
      "refund session rejected after the engine refused it",
    );
  }

  const shopify = createShopifyApp({
    config: sc,
    engine,
    tenants: shops,
    compliance,
    deduper,
    logger: log,
    clock,
    graphql,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    maxVoucherHours: MAX_VOUCHER_HOURS,
    ...(config.voucherValiditySeconds !== undefined
      ? { voucherValiditySeconds: config.voucherValiditySeconds }
      : {}),
    defer: (task) => {
      setImmediate(() => {
        void task().finally(() => nudgeOutbox());
      });
    },
    onRefundRequestFailed: rejectRefusedRefund,
    onPaymentSessionRedirect: (voucher, url) => recordRedirectUrl(db, voucher.id, url),
    onInstalled: (res, installed) => {
      issueSession(res, {
        shop: installed.shopDomain,
        secret: sc.apiSecret,
        now: clock.now(),
        ttlMs: config.merchantSessionMs,
        secure: sc.appUrl.startsWith("https://"),
      });
    },
  });

  // The voucher e-mail goes out with the first voucher.pending delivery, whatever Shopify says.
  const deliverer: PlatformDeliverer = {
    platform: "shopify",
    async deliver(message, tenant) {
      if (message.kind === "voucher.pending") {
        await sendVoucherEmail(message.payload.voucher).catch(() => false);
      }
      if (message.kind === "refund.failed") message = await withRefundRejection(message);
      return shopify.deliverer.deliver(message, tenant);
    },
  };

  /**
   * The engine's refund view carries only the Spanish failure text; the row has the reason code
   * and the figures, which the refund-session reject words in the merchant's locale.
   */
  async function withRefundRejection(message: OutboxMessage): Promise<OutboxMessage> {
    const refund = message.payload.refund as
      (OutboxMessage["payload"]["refund"] & { platformData?: Record<string, unknown> }) | undefined;
    if (!refund) return message;
    const row = await getRefund(db, refund.id);
    if (!row) return message;
    const rejection = refundRejectionFromFailure({
      failureCode: row.failureCode,
      failureReason: row.failureReason,
      currency: message.payload.voucher.amount.currency,
      refusal: row.platformData.engineRefusal as { reason?: unknown; refundableMinor?: unknown },
    });
    if (!rejection) return message;
    const withRejection: typeof refund = {
      ...refund,
      platformData: { ...refund.platformData, [REFUND_REJECTION_KEY]: rejection },
    };
    return { ...message, payload: { ...message.payload, refund: withRejection } };
  }
  // The default loader: the vouchers of a round are read by its claim statement.
  const dispatcher = createOutboxDispatcher(ctx, [deliverer]);
  const runRefundWork = async () => {
    await runRefundSubmissionOnce(ctx);
    await runRefundPollingOnce(ctx);
  };
  const tasks: PeriodicTask[] = [
    periodic("refunds", config.refundIntervalMs, runRefundWork, logger),
    // Refund rate, signature failures, dead letters, attention items, held refunds.
    periodic(
      "alerts",
      config.alertsIntervalMs,
      () => evaluateAlertsForActiveTenants(ctx, logger),
      logger,
    ),
    periodic(
      "housekeeping",
      60 * 60_000,
      // Shopify retries a webhook for 48 h; a week of ids is plenty.
      () => deduper.purge(new Date(clock.now().getTime() - 7 * 86_400_000)),
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
  if (schedulers) nudgeOutbox = background.nudgeOutbox;
  const afterPost = (req: Request, res: Response, next: NextFunction) => {
    // Whatever a request changed may have left outbox messages; deliver them once the answer
    // is out (never before Shopify has our 2xx: contract §3).
    if (req.method === "POST") {
      res.on("finish", () => {
        // 303: the merchant pages' actions (a cancel, a retried delivery) answer with a redirect.
        if (res.statusCode < 400) nudgeOutbox();
      });
    }
    next();
  };

  const publicApp = express();
  publicApp.disable("x-powered-by");
  publicApp.set("trust proxy", false);
  publicApp.use(createHealthRouter(db));
  publicApp.use(afterPost);
  publicApp.use(createNotificationRouter(engine));
  publicApp.use(voucherPageRouter({ engine, db, clock, appUrl: sc.appUrl, logger: log }));
  publicApp.use(
    merchantRouter({
      config: sc,
      db,
      ctx,
      engine,
      shops,
      compliance,
      graphql,
      clock,
      logger: log,
      environments: config.pagoEfectivoBaseUrl.production ? ["sandbox", "production"] : ["sandbox"],
      checkCredentials: (input) =>
        checkPagoEfectivoCredentials({ ...input, baseUrl: baseUrls[input.environment], clock }),
      capturedMail: !config.production && mail.kind === "memory" ? () => capturedOf(mail) : null,
      maxVoucherHours: MAX_VOUCHER_HOURS,
    }),
  );
  const direct = sc.mtls.mode === "direct";
  publicApp.use(direct ? shopify.publicApp : shopify.app);
  publicApp.use(errorMiddleware(log));

  const publicServer = createServer(publicApp);
  const port = await listen(publicServer, config.port, config.host);
  const url = `http://${hostForUrl(config.host)}:${port}`;

  let mtls: ReturnType<typeof createMtlsServer> | undefined;
  let mtlsUrl: string | undefined;
  if (sc.mtls.mode === "direct") {
    const sessionApp = express();
    sessionApp.disable("x-powered-by");
    sessionApp.use(afterPost);
    sessionApp.use(shopify.sessionApp);
    mtls = createMtlsServer(sessionApp, sc.mtls);
    const mport = await listen(mtls.server as unknown as Server, config.mtlsPort, config.host);
    mtlsUrl = `https://${hostForUrl(config.host)}:${mport}`;
  }
  const reloadTls = () => {
    if (!mtls) return;
    logger.info({ trustedCas: mtls.reload() }, "mTLS CA bundle and server certificate reloaded");
  };
  const reloadSignal = mtls ? (opts.tlsReloadSignal ?? "SIGHUP") : false;
  const onReloadSignal = () => {
    try {
      reloadTls();
    } catch (err) {
      logger.error(
        { err: (err as Error).message },
        "mTLS reload failed: the previous CA bundle and certificate stay in use",
      );
    }
  };
  if (reloadSignal) process.on(reloadSignal, onReloadSignal);

  if (schedulers) background.start();
  logger.info(
    {
      url,
      mtlsUrl,
      appUrl: sc.appUrl,
      mtls: sc.mtls.mode,
      ...(mtls ? { trustedCas: mtls.trusted(), tlsReloadSignal: reloadSignal } : {}),
      mail: mail.kind,
    },
    "shopify app listening",
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    ...(mtlsUrl ? { mtlsUrl } : {}),
    db,
    keyring,
    ctx,
    engine,
    dispatcher,
    shops,
    shopify,
    mail,
    async runBackgroundOnce() {
      await runRefundWork();
      await dispatcher.runOnce();
    },
    reloadTls,
    close() {
      closing ??= (async () => {
        if (reloadSignal) process.off(reloadSignal, onReloadSignal);
        const servers: Server[] = [
          publicServer,
          ...(mtls ? [mtls.server as unknown as Server] : []),
        ];
        const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
        for (const s of servers) s.closeIdleConnections();
        await Promise.all(closed);
        await background.stop();
        mail.close?.();
        if (ownsDb) await db.close();
        logger.info("shopify app stopped");
      })();
      return closing;
    },
  };
}

function capturedOf(mail: MailTransport): CapturedMail[] {
  return (mail as MailTransport & { messages?: CapturedMail[] }).messages ?? [];
}
