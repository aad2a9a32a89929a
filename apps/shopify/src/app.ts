import { systemClock, type Clock } from "@pe-pay/core";
import express, { type Express } from "express";
import type { ShopifyConfig } from "./config/env";
import type { PlatformDeliverer } from "./engine-ports";
import { createPaymentsAppsClient, type PaymentsAppsClient } from "./graphql/client";
import { errorMiddleware } from "./http-errors";
import { createOAuthRouter, type OAuthRoutesDeps } from "./oauth/routes";
import {
  inMemoryWebhookDeduper,
  silentLogger,
  type ComplianceHandlers,
  type Logger,
  type PaymentSessionUseCases,
  type TenantStore,
  type WebhookDeduper,
} from "./ports";
import { createSessionRouter, type SessionRoutesDeps } from "./session-requests/handlers";
import { createShopifyDeliverer, type ShopifyDelivererOptions } from "./shopify-deliverer";
import { transportGuard } from "./mtls";
import { createWebhookRouter } from "./webhooks/routes";

/** Where the session endpoints live; the extension TOML points here. */
export const SESSION_MOUNT = "/shopify";

export interface ShopifyAppDeps {
  config: ShopifyConfig;
  engine: PaymentSessionUseCases;
  tenants: TenantStore;
  compliance: ComplianceHandlers;
  deduper?: WebhookDeduper;
  logger?: Logger;
  clock?: Clock;
  /** Used for OAuth and GraphQL calls (msw intercepts the global one in tests). */
  fetch?: typeof fetch;
  graphql?: PaymentsAppsClient;
  defer?: SessionRoutesDeps["defer"];
  onRefundRequestFailed?: SessionRoutesDeps["onRefundRequestFailed"];
  onPaymentSessionRedirect?: ShopifyDelivererOptions["onPaymentSessionRedirect"];
  /** Called after a successful OAuth install, before the merchant is redirected (UI session). */
  onInstalled?: OAuthRoutesDeps["onInstalled"];
  /** Shopify caps pending payments (~72 h): the CIP validity is clamped to this many hours. */
  maxVoucherHours?: number;
  /**
   * Local runs and demos only (VOUCHER_VALIDITY_SECONDS, refused in production): every CIP
   * expires this many seconds after it is created, so expiry can be watched without waiting hours.
   */
  voucherValiditySeconds?: number;
}

export interface ShopifyApp {
  /**
   * Session endpoints only, behind the transport guard. In MTLS_MODE=direct serve this on the
   * mTLS listener (createMtlsServer); browsers and webhooks never reach it.
   */
  sessionApp: Express;
  /** OAuth install and webhooks: the public listener. */
  publicApp: Express;
  /** Both together, for proxy/off modes where a single listener is enough. */
  app: Express;
  deliverer: PlatformDeliverer;
  graphql: PaymentsAppsClient;
}

export function createShopifyApp(deps: ShopifyAppDeps): ShopifyApp {
  const logger = deps.logger ?? silentLogger;
  const { config } = deps;
  const graphql =
    deps.graphql ??
    createPaymentsAppsClient({
      apiOrigin: config.apiOrigin,
      apiVersion: config.apiVersion,
      logger,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });

  const clock = deps.clock ?? systemClock;
  const validity = deps.voucherValiditySeconds;
  const sessionRouter = () =>
    createSessionRouter({
      engine: deps.engine,
      tenants: deps.tenants,
      appUrl: config.appUrl,
      apiVersion: config.apiVersion,
      logger,
      ...(deps.defer ? { defer: deps.defer } : {}),
      ...(deps.onRefundRequestFailed ? { onRefundRequestFailed: deps.onRefundRequestFailed } : {}),
      ...(deps.maxVoucherHours ? { maxVoucherHours: deps.maxVoucherHours } : {}),
      ...(validity !== undefined
        ? { expiryNotAfter: () => new Date(clock.now().getTime() + validity * 1000) }
        : {}),
    });
  const publicRouters = () => [
    createOAuthRouter({
      config,
      tenants: deps.tenants,
      clock: deps.clock ?? systemClock,
      logger,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      ...(deps.onInstalled ? { onInstalled: deps.onInstalled } : {}),
    }),
    createWebhookRouter({
      apiSecret: config.apiSecret,
      handlers: deps.compliance,
      deduper: deps.deduper ?? inMemoryWebhookDeduper(),
      logger,
    }),
  ];

  const guard = transportGuard(config.mtls, logger);
  const base = () => {
    const app = express();
    app.disable("x-powered-by");
    return app;
  };

  const sessionApp = base();
  // The guard runs before any body parser: unverified requests are refused unread.
  sessionApp.use(SESSION_MOUNT, guard, sessionRouter());
  sessionApp.use(errorMiddleware(logger));

  const publicApp = base();
  for (const r of publicRouters()) publicApp.use(r);
  publicApp.use(errorMiddleware(logger));

  const app = base();
  app.use(SESSION_MOUNT, guard, sessionRouter());
  for (const r of publicRouters()) app.use(r);
  app.use(errorMiddleware(logger));

  const deliverer = createShopifyDeliverer({
    client: graphql,
    apiVersion: config.apiVersion,
    pendingExpiryMarginMs: config.pendingExpiryMarginMs,
    logger,
    ...(deps.onPaymentSessionRedirect
      ? { onPaymentSessionRedirect: deps.onPaymentSessionRedirect }
      : {}),
  });
  return { sessionApp, publicApp, app, deliverer, graphql };
}
