import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import express, { type Request, type Response, type Router } from "express";
import type { DemoContext } from "../context";
import { html, page } from "../html";

/**
 * Shopify's side of the non-embedded authorization-code install (contract §6):
 *  - `GET /shopify/admin/install` ("Instalar app") → the app's `/auth?shop&timestamp&hmac`;
 *  - `GET /admin/oauth/authorize` auto-approves and redirects to `redirect_uri` with
 *    code/hmac/host/shop/state/timestamp signed with the app secret;
 *  - `POST /admin/oauth/access_token` {client_id, client_secret, code} → {access_token, scope}.
 */
export function signQuery(params: Record<string, string>, secret: string): string {
  const sorted = new URLSearchParams();
  for (const key of Object.keys(params)
    .filter((k) => k !== "hmac" && k !== "signature")
    .sort())
    sorted.append(key, params[key]!);
  const message = sorted.toString().replace(/\+/g, "%20");
  return createHmac("sha256", secret).update(message, "utf8").digest("hex");
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function errorPage(res: Response, status: number, title: string, detail: string) {
  res
    .status(status)
    .type("html")
    .send(page({ title, section: "shopify" }, html`<div class="error">${detail}</div>`));
}

export function createShopifyOAuthRouter(ctx: DemoContext): Router {
  const router = express.Router();
  const shop = ctx.shopify.shopDomain;
  const nowSeconds = () => String(Math.floor(ctx.clock.now().getTime() / 1000));

  router.get("/shopify/admin/install", (_req, res) => {
    const params: Record<string, string> = { shop, timestamp: nowSeconds() };
    params.hmac = signQuery(params, ctx.settings.shopifyApiSecret);
    res.redirect(302, `${ctx.shopifyAppUrl}/auth?${new URLSearchParams(params).toString()}`);
  });

  router.get("/admin/oauth/authorize", (req: Request, res: Response) => {
    const q = req.query as Record<string, unknown>;
    const str = (k: string) => (typeof q[k] === "string" ? (q[k] as string) : "");
    const clientId = str("client_id");
    const redirectUri = str("redirect_uri");
    if (!clientId || clientId !== ctx.settings.shopifyApiKey) {
      errorPage(
        res,
        400,
        "App desconocida",
        `Esta tienda no conoce la app con client_id "${clientId}". Use el mismo SHOPIFY_API_KEY en la app y en la tienda de demostración.`,
      );
      return;
    }
    let target: URL;
    try {
      target = new URL(redirectUri);
    } catch {
      errorPage(res, 400, "redirect_uri inválido", "Falta redirect_uri o no es una URL absoluta.");
      return;
    }
    if (target.origin !== new URL(ctx.shopifyAppUrl).origin) {
      errorPage(
        res,
        400,
        "redirect_uri no permitido",
        `El redirect_uri ${redirectUri} no pertenece a la app (${ctx.shopifyAppUrl}).`,
      );
      return;
    }
    const code = randomBytes(16).toString("hex");
    const scope = str("scope") || "write_payment_gateways,write_payment_sessions";
    ctx.shopify.codes.set(code, {
      clientId,
      scope,
      expiresAt: new Date(ctx.clock.now().getTime() + 10 * 60_000),
    });
    const params: Record<string, string> = {
      code,
      host: Buffer.from(
        `admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, "")}`,
      ).toString("base64url"),
      shop,
      timestamp: nowSeconds(),
    };
    if (str("state")) params.state = str("state");
    params.hmac = signQuery(params, ctx.settings.shopifyApiSecret);
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    res.redirect(302, target.toString());
  });

  router.post(
    "/admin/oauth/access_token",
    express.json({ type: ["application/json", "*/json"] }),
    express.urlencoded({ extended: false }),
    (req: Request, res: Response) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      const field = (k: string) => (typeof b[k] === "string" ? (b[k] as string) : "");
      if (
        field("client_id") !== ctx.settings.shopifyApiKey ||
        !safeEqual(field("client_secret"), ctx.settings.shopifyApiSecret)
      ) {
        res
          .status(400)
          .json({ error: "invalid_client", error_description: "Client credentials are invalid" });
        return;
      }
      const grant = ctx.shopify.codes.get(field("code"));
      ctx.shopify.codes.delete(field("code"));
      if (!grant || grant.expiresAt <= ctx.clock.now() || grant.clientId !== field("client_id")) {
        res.status(400).json({
          error: "invalid_request",
          error_description: "The authorization code was not found or was already used",
        });
        return;
      }
      const accessToken = `shpat_${randomBytes(16).toString("hex")}`;
      ctx.shopify.install = {
        clientId: grant.clientId,
        accessToken,
        scope: grant.scope,
        installedAt: ctx.clock.now(),
      };
      ctx.log(`shopify: app installed on ${shop}`);
      res.status(200).json({ access_token: accessToken, scope: grant.scope });
    },
  );

  router.get("/services/payments_partners/gateways/:clientId/settings", (_req, res) => {
    const c = ctx.shopify.configuration;
    res.type("html").send(
      page(
        { title: "Pagos: PagoEfectivo", section: "shopify" },
        html`<div class="card">
          ${
            c
              ? html`<p class="ok">
                  La app de pagos está configurada. Identificador:
                  <strong>${c.externalHandle ?? "(sin identificador)"}</strong>. Lista para cobrar:
                  <strong>${c.ready ? "sí" : "no"}</strong>.
                </p>`
              : html`<p class="error">La app todavía no llamó a paymentsAppConfigure.</p>`
          }
          <p><a class="button" href="/shopify">Ir a la tienda</a></p>
        </div>`,
      ),
    );
  });
  return router;
}
