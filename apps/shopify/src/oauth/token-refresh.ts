import type { Clock } from "@pe-pay/core";
import type { ShopifyConfig } from "../config/env";
import { RefreshTokenRejectedError, ShopReauthorizationRequiredError } from "../errors";
import type { AccessTokenProvider, ShopCredentials } from "../graphql/client";
import { silentLogger, type Logger } from "../ports";
import type { DbShopStore, ShopTokenState } from "../storage/shop-store";
import { refreshAccessToken } from "./token-exchange";

/**
 * Keeps expiring offline tokens (1 h + refresh token, contract §6) usable: a token is refreshed
 * shortly before its stored expiry, and once more when Shopify answers 401 to it. One refresh per
 * shop at a time in this process; across processes the store keeps whichever refresh was saved
 * first. A refresh token Shopify refuses for good flags the shop for re-authorisation, and no
 * further refresh is attempted until the merchant installs again.
 */
export interface AccessTokenRefresherOptions {
  store: Pick<DbShopStore, "tokenState" | "saveRefreshedToken" | "markReauthorizationRequired">;
  config: Pick<ShopifyConfig, "apiOrigin" | "apiKey" | "apiSecret">;
  clock: Clock;
  logger?: Logger;
  fetch?: typeof fetch;
  /** Refresh when the token has less than this left (Shopify: "a few minutes before"). */
  refreshMarginMs?: number;
}

export const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;

interface Known {
  /** The token this entry is about: a caller holding another one (reinstall) is re-read. */
  token: string;
  expiresAt: Date | null;
  reauthorizationRequired: boolean;
}

export function createAccessTokenRefresher(options: AccessTokenRefresherOptions): {
  provider: AccessTokenProvider;
} {
  const { store, config, clock } = options;
  const logger = options.logger ?? silentLogger;
  const margin = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
  // Spares the database on the hot path: a token known to be fresh is handed back as is.
  const known = new Map<string, Known>();
  const inFlight = new Map<string, Promise<string | null>>();

  const due = (expiresAt: Date | null) =>
    expiresAt !== null && expiresAt.getTime() - clock.now().getTime() <= margin;

  function remember(shop: string, state: ShopTokenState, token: string): string {
    known.set(shop, {
      token,
      expiresAt: state.expiresAt,
      reauthorizationRequired: state.reauthorizationRequiredAt !== null,
    });
    return token;
  }

  async function refresh(
    shop: string,
    state: ShopTokenState,
    current: { accessToken: string; refreshToken: string },
  ): Promise<string | null> {
    const { refreshToken } = current;
    let grant;
    try {
      grant = await refreshAccessToken({
        apiOrigin: config.apiOrigin,
        shopDomain: shop,
        apiKey: config.apiKey,
        apiSecret: config.apiSecret,
        refreshToken,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
    } catch (err) {
      if (!(err instanceof RefreshTokenRejectedError)) throw err;
      if (!(await store.markReauthorizationRequired(state.tenantId, refreshToken))) {
        // Another process rotated the refresh token meanwhile: what it stored is current.
        return settle(shop, null);
      }
      known.set(shop, {
        token: current.accessToken,
        expiresAt: state.expiresAt,
        reauthorizationRequired: true,
      });
      logger.warn(
        { shop, err: err.message },
        "Shopify refused the refresh token: the shop must re-authorise the app",
      );
      throw new ShopReauthorizationRequiredError(shop);
    }
    if (!(await store.saveRefreshedToken(state.tenantId, refreshToken, grant))) {
      return settle(shop, null);
    }
    const expiresAt =
      grant.expiresInSeconds !== undefined
        ? new Date(clock.now().getTime() + grant.expiresInSeconds * 1000)
        : null;
    known.set(shop, { token: grant.accessToken, expiresAt, reauthorizationRequired: false });
    logger.info({ shop, expiresAt }, "Shopify access token refreshed");
    return grant.accessToken;
  }

  /** Reads the shop and returns a usable token, refreshing it if it is due or was refused. */
  async function settle(shop: string, rejected: string | null): Promise<string | null> {
    const state = await store.tokenState(shop);
    if (!state?.accessToken) return null;
    if (state.reauthorizationRequiredAt) {
      remember(shop, state, state.accessToken);
      throw new ShopReauthorizationRequiredError(shop);
    }
    const refused = rejected !== null && state.accessToken === rejected;
    if (!refused && !due(state.expiresAt)) return remember(shop, state, state.accessToken);
    // A non-expiring token has nothing to refresh with: a 401 on it stands (uninstalled).
    if (!state.refreshToken) return refused ? null : state.accessToken;
    return refresh(shop, state, {
      accessToken: state.accessToken,
      refreshToken: state.refreshToken,
    });
  }

  function singleFlight(shop: string, rejected: string | null): Promise<string | null> {
    let running = inFlight.get(shop);
    if (!running) {
      running = settle(shop, rejected).finally(() => inFlight.delete(shop));
      inFlight.set(shop, running);
    }
    return running;
  }

  const provider: AccessTokenProvider = async (credentials: ShopCredentials, opts) => {
    const shop = credentials.shopDomain.toLowerCase();
    const rejected = opts?.rejected ?? null;
    const k = known.get(shop);
    if (rejected === null && k && k.token === credentials.accessToken) {
      if (k.reauthorizationRequired) throw new ShopReauthorizationRequiredError(shop);
      if (!due(k.expiresAt)) return k.token;
    }
    const token = await singleFlight(shop, rejected);
    // Joined a flight that began before this 401 and ended on the same token: look again, now
    // knowing Shopify refuses it.
    if (rejected !== null && token === rejected) return singleFlight(shop, rejected);
    return token;
  };

  return { provider };
}
