import { formatMoneyForShopper, systemClock, type Clock } from "@pe-pay/core";
import express, { type NextFunction, type Request, type Response } from "express";
import type { DemoContext, DemoSettings } from "./context";
import { escapeHtml, html, page } from "./html";
import { createMailRouter, MailBox } from "./mail";
import { createGraphqlRouter } from "./shopify/graphql-endpoint";
import { createShopifyOAuthRouter } from "./shopify/oauth";
import { createShopifyPagesRouter } from "./shopify/pages";
import { ShopifyState } from "./shopify/state";
import { WooOrders } from "./woo/orders";
import { createBridgeClient } from "./woo/plugin";
import { createWooPagesRouter } from "./woo/pages";
import { createWooRestRouter } from "./woo/rest";
import { WooState } from "./woo/state";
import { createWcAuthRouter } from "./woo/wc-auth";
import { WebhookDispatcher } from "./woo/webhooks";

/** Documented demo default; the Shopify app must be started with the same SHOPIFY_API_SECRET. */
export const DEMO_SHOPIFY_API_SECRET = "demo-shopify-secret-no-usar-en-produccion";
export const DEMO_SHOPIFY_API_KEY = "demo-pagoefectivo-app";
export const DEMO_SHOPIFY_API_VERSION = "2026-07";

export interface DemoStoreOptions {
  /** Origin of the Shopify payments app (session requests go to `${shopifyAppUrl}/shopify/…`). */
  shopifyAppUrl: string;
  /** Origin of the WooCommerce bridge (the plugin's "URL del servicio"). */
  wooBridgeUrl: string;
  /** Public origin of the demo store; with port 0 `startDemoStore` fills it in after listen. */
  publicUrl?: string;
  clock?: Clock;
  fetch?: typeof fetch;
  settings?: Partial<DemoSettings>;
  /** The first WooCommerce order (post) id; default FIRST_POST_ID. See firstPostIdAt in woo/state. */
  firstWooOrderId?: number;
  /** Pre-connected plugin credentials (skips "Conectar con PagoEfectivo"). */
  wooPlugin?: { storeId: string; sharedSecret: string };
  log?: (message: string) => void;
}

export interface DemoStore {
  app: express.Express;
  ctx: DemoContext;
  shopify: ShopifyState;
  woo: WooState;
  mail: MailBox;
  /** The WooCommerce store's home URL (`${publicUrl}/woo`). */
  wooStoreUrl(): string;
  setPublicUrl(url: string): void;
  /** Waits until every queued WooCommerce webhook delivery has run. */
  flushWebhooks(): Promise<void>;
}

export function createDemoStore(options: DemoStoreOptions): DemoStore {
  let publicUrl = (options.publicUrl ?? "http://127.0.0.1:4020").replace(/\/+$/, "");
  const clock = options.clock ?? systemClock;
  const shopify = new ShopifyState();
  const woo = new WooState(options.firstWooOrderId);
  if (options.wooPlugin) woo.plugin = { ...options.wooPlugin };
  const mail = new MailBox(() => clock.now());
  const settings: DemoSettings = {
    shopifyApiSecret: DEMO_SHOPIFY_API_SECRET,
    shopifyApiKey: DEMO_SHOPIFY_API_KEY,
    shopifyApiVersion: DEMO_SHOPIFY_API_VERSION,
    paymentSessionPath: "/shopify/payment-session",
    refundSessionPath: "/shopify/refund-session",
    pendingExpiryLimitMs: 3 * 24 * 3600_000,
    outboundTimeoutMs: 20_000,
    webhookDelayMs: 0,
    ...options.settings,
  };
  const ctx: DemoContext = {
    clock,
    fetch: options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args)),
    publicUrl: () => publicUrl,
    shopifyAppUrl: options.shopifyAppUrl.replace(/\/+$/, ""),
    wooBridgeUrl: options.wooBridgeUrl.replace(/\/+$/, ""),
    shopify,
    woo,
    mail,
    settings,
    log: options.log ?? (() => {}),
  };
  const storeUrl = () => `${publicUrl}/woo`;
  const hooks = new WebhookDispatcher(ctx, storeUrl);
  const bridge = createBridgeClient(ctx);
  const orders = new WooOrders(ctx, hooks, bridge);

  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok", service: "demo-store" });
  });

  app.get("/", (_req, res) => {
    res.type("html").send(
      page(
        { title: "Tienda de demostración local", section: "home" },
        html`<div class="card">
            <h2>Tipo Shopify</h2>
            <p>
              Tienda <code>${shopify.shopDomain}</code> con checkout que envía sesiones de pago a la
              app (${ctx.shopifyAppUrl}).
            </p>
            <p>
              <a class="button" href="/shopify">Comprar</a>
              <a class="button secondary" href="/shopify/admin/orders">Pedidos</a>
              <a class="button secondary" href="/shopify/admin/install">Instalar app</a>
            </p>
          </div>
          <div class="card">
            <h2>Tipo WooCommerce</h2>
            <p>
              Tienda <code>${storeUrl()}</code> con el plugin PagoEfectivo y la API REST v3 para el
              puente (${ctx.wooBridgeUrl}).
            </p>
            <p>
              <a class="button" href="/woo">Comprar</a>
              <a class="button secondary" href="/woo/wp-admin/pedidos">Pedidos</a>
              <a class="button secondary" href="/woo/wp-admin/ajustes">Ajustes de PagoEfectivo</a>
            </p>
          </div>
          <div class="card">
            <h2>Correo</h2>
            <p><a href="/mail">Bandeja de los compradores</a></p>
          </div>`,
      ),
    );
  });

  app.use(
    createGraphqlRouter({
      state: shopify,
      now: () => clock.now(),
      context: () => ({
        thankYouUrl: (p) => `${publicUrl}/shopify/checkouts/${p.checkoutToken}/thank-you`,
        pendingExpiryLimitMs: settings.pendingExpiryLimitMs,
        onOrderCreated: (p) =>
          mail.add({
            to: p.customer.email,
            from: "tienda-shopify@demo.local",
            subject: `Pedido #${p.orderNumber} confirmado`,
            text: `Hola ${p.customer.givenName}:\n\nGracias por tu compra. Tu pedido #${p.orderNumber} por ${formatMoneyForShopper({ minor: p.amountMinor, currency: p.currency })} fue registrado${p.state === "pending" ? " y está pendiente de pago con PagoEfectivo" : ""}.`,
          }),
      }),
    }),
  );
  app.use(createShopifyOAuthRouter(ctx));
  app.use(createShopifyPagesRouter(ctx));
  app.use("/woo/wp-json", createWooRestRouter(ctx, orders, hooks, storeUrl));
  app.use(createWcAuthRouter(ctx));
  app.use(createWooPagesRouter(ctx, orders, bridge, storeUrl));
  app.use(createMailRouter(mail));

  app.use((req: Request, res: Response) => {
    res
      .status(404)
      .type("html")
      .send(
        page(
          { title: "Página no encontrada", section: "home" },
          html`<p>No existe <code>${req.path}</code>. <a href="/">Ir al inicio</a></p>`,
        ),
      );
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err as { status?: number; statusCode?: number; type?: string; message?: string };
    const status = e.status ?? e.statusCode;
    if (status && status >= 400 && status < 500) {
      // Body-parser failures (bad JSON, too large, bad encoding): the client's fault.
      if (req.accepts(["json", "html"]) === "json" || req.is("json")) {
        res.status(status).json({ code: e.type ?? "bad_request", message: "Solicitud no válida." });
      } else {
        res
          .status(status)
          .type("html")
          .send(
            page(
              { title: "Solicitud no válida", section: "home" },
              html`<p class="error">${e.message ?? "Solicitud no válida."}</p>`,
            ),
          );
      }
      return;
    }
    ctx.log(
      `unexpected error on ${req.method} ${req.path}: ${escapeHtml(e.message ?? String(err))}`,
    );
    res.status(500).type("text/plain").send("Error inesperado en la tienda de demostración.");
  });

  return {
    app,
    ctx,
    shopify,
    woo,
    mail,
    wooStoreUrl: storeUrl,
    setPublicUrl(url: string) {
      publicUrl = url.replace(/\/+$/, "");
    },
    flushWebhooks: () => hooks.flush(),
  };
}
