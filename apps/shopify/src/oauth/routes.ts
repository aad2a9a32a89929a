import { ValidationError, type Clock } from "@pe-pay/core";
import express, { type Request, type Response, type Router } from "express";
import { shopifyOrigin, type ShopifyConfig } from "../config/env";
import { sendError } from "../http-errors";
import type { Logger, TenantStore } from "../ports";
import { isQueryHmacValid, isTimestampFresh } from "./query-hmac";
import { isValidShopDomain } from "./shop-domain";
import {
  STATE_COOKIE,
  STATE_TTL_SECONDS,
  isStateValid,
  newNonce,
  readCookie,
  stateCookieValue,
} from "./state";
import { exchangeCodeForToken } from "./token-exchange";

export const OAUTH_PATHS = { install: "/auth", callback: "/auth/callback" } as const;

export interface OAuthRoutesDeps {
  config: Pick<
    ShopifyConfig,
    "apiKey" | "apiSecret" | "apiOrigin" | "appUrl" | "scopes" | "oauthTimestampToleranceMs"
  >;
  tenants: Pick<TenantStore, "upsertShopifyTenant">;
  clock: Clock;
  logger: Logger;
  fetch?: typeof fetch;
  /** Where the merchant lands after install (the settings page). */
  afterInstallPath?: string;
  /** After the token is stored: e.g. issue the merchant UI session cookie on `res`. */
  onInstalled?: (res: Response, installed: { shopDomain: string; tenantId: string }) => void;
}

function badRequest(field: string, message: string): ValidationError {
  return new ValidationError([{ field, code: "invalid", message }]);
}

function queryOf(req: Request): URLSearchParams {
  const raw = req.originalUrl.includes("?")
    ? req.originalUrl.slice(req.originalUrl.indexOf("?") + 1)
    : "";
  return new URLSearchParams(raw);
}

/** Non-embedded authorization-code install with an offline token (contract §6). */
export function createOAuthRouter(deps: OAuthRoutesDeps): Router {
  const router = express.Router();
  const { config } = deps;
  const redirectUri = `${config.appUrl}${OAUTH_PATHS.callback}`;
  const secureCookie = config.appUrl.startsWith("https://");

  function verifySignedQuery(q: URLSearchParams): string {
    const shop = q.get("shop") ?? "";
    if (!isValidShopDomain(shop)) throw badRequest("shop", "expected a *.myshopify.com domain");
    if (!isQueryHmacValid(q, config.apiSecret)) throw badRequest("hmac", "HMAC does not match");
    if (!isTimestampFresh(q.get("timestamp"), deps.clock.now(), config.oauthTimestampToleranceMs)) {
      throw badRequest("timestamp", "link is too old or from the future");
    }
    return shop.toLowerCase();
  }

  router.get(OAUTH_PATHS.install, (req: Request, res: Response) => {
    try {
      const shop = verifySignedQuery(queryOf(req));
      const nonce = newNonce();
      const authorize = new URL(`${shopifyOrigin(config.apiOrigin, shop)}/admin/oauth/authorize`);
      authorize.searchParams.set("client_id", config.apiKey);
      authorize.searchParams.set("scope", config.scopes);
      authorize.searchParams.set("redirect_uri", redirectUri);
      authorize.searchParams.set("state", nonce);
      res.cookie(STATE_COOKIE, stateCookieValue(nonce, shop, config.apiSecret), {
        httpOnly: true,
        secure: secureCookie,
        sameSite: "lax",
        maxAge: STATE_TTL_SECONDS * 1000,
        path: OAUTH_PATHS.install,
      });
      res.redirect(302, authorize.toString());
    } catch (err) {
      sendError(res, err, deps.logger, { route: "oauth-install" });
    }
  });

  router.get(OAUTH_PATHS.callback, async (req: Request, res: Response) => {
    try {
      const q = queryOf(req);
      const shop = verifySignedQuery(q);
      const cookie = readCookie(req.headers.cookie, STATE_COOKIE);
      if (!isStateValid(cookie, q.get("state"), shop, config.apiSecret)) {
        throw badRequest("state", "state does not match this browser's install attempt");
      }
      const code = q.get("code");
      if (!code) throw badRequest("code", "missing authorization code");
      const grant = await exchangeCodeForToken({
        apiOrigin: config.apiOrigin,
        shopDomain: shop,
        apiKey: config.apiKey,
        apiSecret: config.apiSecret,
        code,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
      });
      const installed = await deps.tenants.upsertShopifyTenant({
        shopDomain: shop,
        accessToken: grant.accessToken,
        scope: grant.scope,
        ...(grant.refreshToken ? { refreshToken: grant.refreshToken } : {}),
        ...(grant.expiresInSeconds !== undefined
          ? { expiresInSeconds: grant.expiresInSeconds }
          : {}),
      });
      res.clearCookie(STATE_COOKIE, { path: OAUTH_PATHS.install });
      deps.onInstalled?.(res, { shopDomain: shop, tenantId: installed.tenantId });
      deps.logger.info({ shop, scope: grant.scope }, "shop installed");
      const next = new URL(`${config.appUrl}${deps.afterInstallPath ?? "/settings"}`);
      next.searchParams.set("shop", shop);
      res.redirect(302, next.toString());
    } catch (err) {
      sendError(res, err, deps.logger, { route: "oauth-callback" });
    }
  });

  return router;
}
