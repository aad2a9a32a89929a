import { isAppError } from "@pe-pay/core";
import express, { type Request, type Response, type Router } from "express";
import { UnknownShopError, UnsupportedOperationError } from "../errors";
import { sendError } from "../http-errors";
import type { Logger, PaymentSessionUseCases, ShopifyTenant, TenantStore } from "../ports";
import { parseSessionHeaders, type SessionRequestHeaders } from "./headers";
import {
  parseCaptureSessionRequest,
  parsePaymentSessionRequest,
  parseRefundSessionRequest,
  parseVoidSessionRequest,
  type PaymentSessionRequest,
  type RefundSessionRequest,
} from "./schemas";

export const SESSION_PATHS = {
  payment: "/payment-session",
  refund: "/refund-session",
  capture: "/capture-session",
  void: "/void-session",
} as const;

/** Shopify rejects a redirect_url of 8192 bytes or more (contract §1.1). */
const MAX_REDIRECT_URL_BYTES = 8191;

export interface RefundRequestFailure {
  tenant: ShopifyTenant;
  refund: RefundSessionRequest;
  error: unknown;
}

export interface SessionRoutesDeps {
  engine: PaymentSessionUseCases;
  tenants: Pick<TenantStore, "findActiveShopifyTenant">;
  /** Public base URL of the app; the voucher page lives at `${appUrl}/voucher/<publicToken>`. */
  appUrl: string;
  /** Pinned version; a different `Shopify-Api-Version` is logged (body shapes may differ). */
  apiVersion: string;
  logger: Logger;
  /** Runs work after the answer went out. Tests pass one they can await. */
  defer?: (task: () => Promise<void>) => void;
  /**
   * Called when the engine definitively refused a refund after the 201 was sent (nothing reached
   * the outbox, so no refund.failed will follow): wire it to reject the refund session.
   */
  onRefundRequestFailed?: (failure: RefundRequestFailure) => Promise<void>;
  refundRetry?: { attempts: number; delayMs: number; sleep?: (ms: number) => Promise<void> };
  /** Longest CIP validity (hours): Shopify gives up on pending payments after ~72 h. */
  maxVoucherHours?: number;
  /** Local runs only (VOUCHER_VALIDITY_SECONDS): the latest expiry of a CIP created now. */
  expiryNotAfter?: () => Date;
  /**
   * How long a payment session reuses the shop's tenant id without asking storage (default 30 s,
   * the engine's own tenant cache time; 0: always ask).
   */
  shopCacheMs?: number;
}

const defaultDefer = (task: () => Promise<void>) => {
  setImmediate(() => void task());
};

function paymentConcept(shopDomain: string): string {
  return `Compra en ${shopDomain.replace(/\.myshopify\.com$/, "")}`;
}

/** The session endpoints. Mount behind the transport guard (mTLS / trusted proxy) and nothing else. */
export function createSessionRouter(deps: SessionRoutesDeps): Router {
  const router = express.Router();
  const defer = deps.defer ?? defaultDefer;
  // Any content type: Shopify's is application/json but not contractually pinned.
  router.use(express.json({ limit: "64kb", type: () => true }));

  async function resolveShop(h: SessionRequestHeaders): Promise<ShopifyTenant> {
    const tenant = await deps.tenants.findActiveShopifyTenant(h.shopDomain);
    if (!tenant) throw new UnknownShopError();
    return tenant;
  }
  const shops = knownShops(deps.shopCacheMs ?? 30_000);

  function noteVersion(h: SessionRequestHeaders): void {
    if (h.apiVersion !== deps.apiVersion) {
      deps.logger.warn(
        { requestId: h.requestId, received: h.apiVersion, pinned: deps.apiVersion },
        "Shopify-Api-Version differs from the pinned version",
      );
    }
  }

  router.post(SESSION_PATHS.payment, async (req: Request, res: Response) => {
    let ctx: object = { route: "payment-session" };
    try {
      const h = parseSessionHeaders(req.headers);
      ctx = { ...ctx, requestId: h.requestId, shop: h.shopDomain };
      noteVersion(h);
      const session = parsePaymentSessionRequest(req.body);
      ctx = { ...ctx, sessionId: session.id };
      // A payment session asks storage for the shop only now and then: the engine checks the
      // tenant is active anyway (from its own cache, refreshed as often), and a refusal drops the
      // remembered id and asks again, so an uninstalled shop still gets unknown_shop.
      const known = shops.get(h.shopDomain);
      const tenant = known ?? (await resolveShop(h));
      if (!known) shops.set(tenant);
      // The engine is idempotent on idempotencyKey: a repeated id returns the same voucher (same
      // publicToken → same redirect_url) and the engine enqueues voucher.pending for after this 2xx.
      let voucher;
      try {
        voucher = await deps.engine.createVoucher({
          ...toCreateVoucher(tenant, h, session),
          ...(deps.maxVoucherHours || deps.expiryNotAfter
            ? {
                expiryPolicy: {
                  ...(deps.maxVoucherHours ? { maxHours: deps.maxVoucherHours } : {}),
                  ...(deps.expiryNotAfter ? { notAfter: deps.expiryNotAfter() } : {}),
                },
              }
            : {}),
        });
      } catch (err) {
        if (known && isAppError(err) && (err.httpStatus === 404 || err.httpStatus === 409)) {
          shops.forget(h.shopDomain);
          await resolveShop(h); // unknown_shop if it is gone or inactive
        }
        throw err;
      }
      const redirectUrl = `${deps.appUrl}/voucher/${encodeURIComponent(voucher.publicToken)}`;
      if (Buffer.byteLength(redirectUrl, "utf8") > MAX_REDIRECT_URL_BYTES) {
        throw new Error("redirect_url exceeds Shopify's limit");
      }
      // No line of our own: the engine logs each voucher created once, with the session id as
      // its key; a second line per payment session would cost a write for nothing new.
      res.status(200).json({ redirect_url: redirectUrl });
    } catch (err) {
      sendError(res, err, deps.logger, ctx);
    }
  });

  router.post(SESSION_PATHS.refund, async (req: Request, res: Response) => {
    let ctx: object = { route: "refund-session" };
    let accepted: { tenant: ShopifyTenant; refund: RefundSessionRequest } | undefined;
    try {
      const h = parseSessionHeaders(req.headers);
      ctx = { ...ctx, requestId: h.requestId, shop: h.shopDomain };
      noteVersion(h);
      const refund = parseRefundSessionRequest(req.body);
      ctx = { ...ctx, refundSessionId: refund.id };
      const tenant = await resolveShop(h);
      accepted = { tenant, refund };
      res.status(201).json({});
    } catch (err) {
      sendError(res, err, deps.logger, ctx);
      return;
    }
    const { tenant, refund } = accepted;
    defer(() => requestRefundInBackground(deps, tenant, refund, ctx));
  });

  const saleOnly = (kind: "capture" | "void") => async (req: Request, res: Response) => {
    try {
      parseSessionHeaders(req.headers);
      if (kind === "capture") parseCaptureSessionRequest(req.body);
      else parseVoidSessionRequest(req.body);
      throw new UnsupportedOperationError(
        `${kind} is not supported: PagoEfectivo vouchers are sale-only (kind "sale")`,
      );
    } catch (err) {
      sendError(res, err, deps.logger, { route: `${kind}-session` });
    }
  };
  router.post(SESSION_PATHS.capture, saleOnly("capture"));
  router.post(SESSION_PATHS.void, saleOnly("void"));
  return router;
}

/** Shop domain → tenant for a short time (a bounded map: entries expire, the size is capped). */
function knownShops(ttlMs: number) {
  const byShop = new Map<string, { at: number; tenant: ShopifyTenant }>();
  return {
    get(shopDomain: string): ShopifyTenant | null {
      const hit = byShop.get(shopDomain);
      if (!hit) return null;
      if (Date.now() - hit.at < ttlMs) return hit.tenant;
      byShop.delete(shopDomain);
      return null;
    },
    set(tenant: ShopifyTenant): void {
      if (ttlMs <= 0) return;
      if (byShop.size >= 10_000) byShop.clear();
      byShop.set(tenant.shopDomain, { at: Date.now(), tenant });
    },
    forget(shopDomain: string): void {
      byShop.delete(shopDomain);
    },
  };
}

function toCreateVoucher(
  tenant: ShopifyTenant,
  h: SessionRequestHeaders,
  s: PaymentSessionRequest,
) {
  return {
    tenantId: tenant.tenantId,
    idempotencyKey: s.id,
    groupKey: s.group,
    platformReference: s.gid,
    amount: s.amount,
    shopper: {
      // Shopify's customer object is optional; the engine decides whether an e-mail is mandatory.
      email: s.customer.email ?? "",
      ...(s.customer.givenName ? { firstName: s.customer.givenName } : {}),
      ...(s.customer.familyName ? { lastName: s.customer.familyName } : {}),
      ...(s.customer.phone ? { phone: s.customer.phone } : {}),
    },
    paymentConcept: paymentConcept(h.shopDomain),
    test: s.test,
    platformData: {
      gid: s.gid,
      group: s.group,
      sessionId: s.sessionId,
      cancelUrl: s.cancelUrl,
      merchantLocale: s.merchantLocale,
      customerLocale: s.customer.locale,
      shopDomain: h.shopDomain,
      proposedAt: s.proposedAt,
    },
  };
}

async function requestRefundInBackground(
  deps: SessionRoutesDeps,
  tenant: ShopifyTenant,
  refund: RefundSessionRequest,
  ctx: object,
): Promise<void> {
  const attempts = Math.max(1, deps.refundRetry?.attempts ?? 3);
  const delayMs = deps.refundRetry?.delayMs ?? 500;
  const sleep = deps.refundRetry?.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      const view = await deps.engine.requestRefund({
        tenantId: tenant.tenantId,
        platformRefundId: refund.id,
        voucher: { idempotencyKey: refund.paymentId },
        amount: refund.amount,
        reason: "Shopify refund session",
        platformData: {
          gid: refund.gid,
          merchantLocale: refund.merchantLocale,
          test: refund.test,
          proposedAt: refund.proposedAt,
        },
      });
      deps.logger.info({ ...ctx, refundId: view.id, status: view.status }, "refund requested");
      return;
    } catch (err) {
      const retryable = !isAppError(err) || err.retryable;
      if (retryable && attempt < attempts) {
        await sleep(delayMs * 2 ** (attempt - 1));
        continue;
      }
      deps.logger.error(
        { ...ctx, err: err instanceof Error ? err.message : String(err), attempt },
        "refund request failed after the 201 was sent",
      );
      if (deps.onRefundRequestFailed) {
        try {
          await deps.onRefundRequestFailed({ tenant, refund, error: err });
        } catch (hookErr) {
          deps.logger.error(
            { ...ctx, err: hookErr instanceof Error ? hookErr.message : String(hookErr) },
            "onRefundRequestFailed hook failed",
          );
        }
      }
      return;
    }
  }
}
