import express, { type NextFunction, type Request, type Response } from "express";
import { formatDecimal, isAppError, parseMoney, ValidationError, type Clock } from "@pe-pay/core";
import type { z } from "zod";
import type { VoucherView } from "../engine-ports";
import {
  PluginAuthError,
  pluginKeysOf,
  verifyPluginRequest,
  type PluginKeys,
} from "../plugin-auth";
import type { BridgeEngine, OrderVoucherLookup, ReplayGuard, TenantStore } from "../ports";
import type { WcAuthFlow } from "../wc-auth";
import { receiveOrderUpdated } from "../webhooks/order-updated";
import { createVoucherBody, requestRefundBody, usableReturnUrl } from "./plugin-schemas";

export interface BridgeLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface WooBridgeDeps {
  engine: BridgeEngine;
  vouchers: OrderVoucherLookup;
  tenants: TenantStore;
  replayGuard: ReplayGuard;
  wcAuth: WcAuthFlow;
  clock: Clock;
  /** Hosted voucher page for a voucher's public token. */
  voucherPageUrl(publicToken: string): string;
  /**
   * Plugin secrets and nonces in one (cached, conditional) statement per request; without it,
   * `tenants.getWooStore` and `replayGuard`.
   */
  pluginKeys?: PluginKeys;
  /** A store's webhook secret from a cache (see `WebhookPorts`); else `tenants.getWooStore`. */
  webhookSecretFor?(storeId: string, opts?: { fresh?: boolean }): Promise<string | null>;
  signatureToleranceSeconds?: number;
  logger?: BridgeLogger;
}

const silent: BridgeLogger = { info() {}, warn() {}, error() {} };

type RawRequest = Request & { body: Buffer };

/** What the plugin stores in order meta and renders. */
export function voucherResponse(v: VoucherView, pageUrl: string) {
  return {
    voucher_id: v.id,
    status: v.status,
    cip: v.cip,
    cip_url: v.cipUrl,
    voucher_url: pageUrl,
    amount: formatDecimal(v.amount.minor),
    currency: v.amount.currency,
    expires_at: v.expiresAt.toISOString(),
    paid_at: v.paidAt ? v.paidAt.toISOString() : null,
  };
}

function parseJsonBody<S extends z.ZodTypeAny>(schema: S, raw: Buffer): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new ValidationError([
      { field: "body", code: "invalid_json", message: "body must be JSON" },
    ]);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ValidationError(
      parsed.error.issues.map((i) => ({
        field: i.path.join(".") || "body",
        code: i.code,
        message: i.message,
      })),
    );
  }
  return parsed.data;
}

export function createWooBridgeApp(deps: WooBridgeDeps): express.Express {
  const log = deps.logger ?? silent;
  const app = express();
  app.disable("x-powered-by");
  // A JSON API for the plugin: nothing asks conditionally, so no response is hashed for an ETag.
  app.set("etag", false);
  // Every route needs the exact bytes (HMAC), so nothing is parsed before the handler.
  app.use(express.raw({ type: () => true, limit: "1mb" }));

  const asyncRoute =
    (fn: (req: RawRequest, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction) => {
      if (!Buffer.isBuffer(req.body)) (req as RawRequest).body = Buffer.alloc(0);
      fn(req as RawRequest, res).catch(next);
    };

  const keys =
    deps.pluginKeys ??
    pluginKeysOf(
      async (storeId) => (await deps.tenants.getWooStore(storeId))?.pluginSecret ?? null,
      deps.replayGuard,
    );
  const authenticate = async (req: RawRequest) =>
    verifyPluginRequest(
      { keys, clock: deps.clock, toleranceSeconds: deps.signatureToleranceSeconds },
      { method: req.method, path: req.originalUrl, rawBody: req.body, headers: req.headers },
    );

  app.post(
    "/plugin/v1/vouchers",
    asyncRoute(async (req, res) => {
      const { storeId } = await authenticate(req);
      const body = parseJsonBody(createVoucherBody, req.body);
      const amount = parseMoney(body.amount, body.currency);
      const voucher = await deps.engine.createVoucher({
        tenantId: storeId,
        idempotencyKey: `${storeId}:${body.order_id}:${body.attempt}`,
        groupKey: String(body.order_id),
        platformReference: body.order_number,
        amount,
        shopper: {
          email: body.email,
          ...(body.first_name ? { firstName: body.first_name } : {}),
          ...(body.last_name ? { lastName: body.last_name } : {}),
          ...(body.phone ? { phone: body.phone } : {}),
          ...(body.document_type ? { documentType: body.document_type } : {}),
          ...(body.document_number ? { documentNumber: body.document_number } : {}),
        },
        paymentConcept: `Pedido #${body.order_number}`,
        test: body.test ?? false,
        platformData: {
          orderId: body.order_id,
          attempt: body.attempt,
          ...(usableReturnUrl(body.return_url)
            ? { returnUrl: usableReturnUrl(body.return_url) }
            : {}),
        },
      });
      res.status(201).json(voucherResponse(voucher, deps.voucherPageUrl(voucher.publicToken)));
    }),
  );

  app.get(
    "/plugin/v1/vouchers/:orderId",
    asyncRoute(async (req, res) => {
      const { storeId } = await authenticate(req);
      const orderId = Number(req.params.orderId);
      if (!/^\d{1,15}$/.test(String(req.params.orderId)) || orderId <= 0) {
        throw new ValidationError([
          { field: "orderId", code: "invalid", message: "must be a positive integer" },
        ]);
      }
      const voucher = await deps.vouchers.latestVoucherForOrder(storeId, orderId);
      if (!voucher) {
        res.status(404).json({ code: "not_found", message: "no voucher for this order" });
        return;
      }
      res.json(voucherResponse(voucher, deps.voucherPageUrl(voucher.publicToken)));
    }),
  );

  app.post(
    "/plugin/v1/refunds",
    asyncRoute(async (req, res) => {
      const { storeId } = await authenticate(req);
      const body = parseJsonBody(requestRefundBody, req.body);
      const amount = parseMoney(body.amount, body.currency);
      const voucher = await deps.vouchers.latestVoucherForOrder(storeId, body.order_id);
      if (!voucher) {
        res
          .status(404)
          .json({ code: "not_found", message: "El pedido no tiene un CIP de PagoEfectivo." });
        return;
      }
      const refund = await deps.engine.requestRefund({
        tenantId: storeId,
        platformRefundId: String(body.wc_refund_id),
        voucher: { voucherId: voucher.id },
        amount,
        reason: body.reason,
        platformData: { orderId: body.order_id, wcRefundId: body.wc_refund_id },
      });
      res.status(202).json({
        refund_id: refund.id,
        status: refund.status,
        amount: formatDecimal(refund.amount.minor),
        failure_reason: refund.failureReason,
      });
    }),
  );

  app.post(
    "/webhooks/woocommerce/:storeId",
    asyncRoute(async (req, res) => {
      const result = await receiveOrderUpdated(deps, {
        storeId: String(req.params.storeId),
        rawBody: req.body,
        headers: req.headers,
      });
      log.info({ storeId: req.params.storeId, outcome: result.outcome }, "woocommerce webhook");
      res.status(result.httpStatus).type("text/plain").send(result.outcome);
    }),
  );

  app.get(
    "/wc-auth/v1/start",
    asyncRoute(async (req, res) => {
      const { store_url, return_url } = req.query;
      if (typeof store_url !== "string" || typeof return_url !== "string") {
        throw new ValidationError([
          { field: "store_url/return_url", code: "required", message: "both are required" },
        ]);
      }
      const { authorizeUrl } = await deps.wcAuth.start({
        storeUrl: store_url,
        pluginReturnUrl: return_url,
      });
      res.redirect(302, authorizeUrl);
    }),
  );

  app.post(
    "/wc-auth/v1/callback",
    asyncRoute(async (req, res) => {
      const result = await deps.wcAuth.callback(req.body);
      log.info({ outcome: result.outcome }, "wc-auth callback");
      // WooCommerce keeps the key only on exactly 200.
      res.status(result.httpStatus).json({ outcome: result.outcome });
    }),
  );

  app.get(
    "/wc-auth/v1/return",
    asyncRoute(async (req, res) => {
      const target = await deps.wcAuth.returnRedirect(req.query);
      if (!target) {
        res.status(400).type("text/plain").send("Solicitud de conexión desconocida o vencida.");
        return;
      }
      res.redirect(302, target);
    }),
  );

  app.post(
    "/wc-auth/v1/claim",
    asyncRoute(async (req, res) => {
      let code: unknown;
      try {
        code = (JSON.parse(req.body.toString("utf8")) as { claim?: unknown }).claim;
      } catch {
        code = undefined;
      }
      const claimed = await deps.wcAuth.claim(code);
      if (!claimed) {
        res.status(404).json({ code: "not_found", message: "claim code unknown, used or expired" });
        return;
      }
      res.json(claimed);
    }),
  );

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ code: "not_found", message: "no such route" });
  });

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof PluginAuthError) {
      log.warn({ reason: error.reason, path: req.path }, "plugin request refused");
      res.status(401).json({ code: "invalid_signature", reason: error.reason });
      return;
    }
    if ((error as { type?: string }).type === "entity.too.large") {
      res.status(413).json({ code: "too_large", message: "body too large" });
      return;
    }
    if (isAppError(error)) {
      if (error.httpStatus >= 500) log.error({ code: error.code, path: req.path }, error.message);
      res.status(error.httpStatus).json({
        ...error.toJSON(),
        shopper_message: error.shopperMessage.es,
        merchant_message: error.merchantMessage,
      });
      return;
    }
    log.error(
      { err: error instanceof Error ? error.message : String(error), path: req.path },
      "unhandled error",
    );
    res.status(500).json({ code: "internal", message: "internal error" });
  });

  return app;
}
