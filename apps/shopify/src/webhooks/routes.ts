import { SignatureError, ValidationError, readHeader } from "@pe-pay/core";
import express, { type Request, type Response, type Router } from "express";
import { sendError } from "../http-errors";
import { isValidShopDomain } from "../oauth/shop-domain";
import type { ComplianceHandlers, Logger, WebhookDeduper } from "../ports";
import { isWebhookHmacValid } from "./hmac";
import {
  AppUninstalled,
  CustomersDataRequest,
  CustomersRedact,
  ShopRedact,
  parseJsonKeepingIds,
} from "./payloads";

export const WEBHOOK_PATHS = {
  appUninstalled: "/webhooks/app-uninstalled",
  compliance: "/webhooks/compliance",
} as const;

export interface WebhookRoutesDeps {
  apiSecret: string;
  handlers: ComplianceHandlers;
  deduper: WebhookDeduper;
  logger: Logger;
}

type Topic = "app/uninstalled" | "customers/data_request" | "customers/redact" | "shop/redact";
const COMPLIANCE_TOPICS = new Set<Topic>([
  "customers/data_request",
  "customers/redact",
  "shop/redact",
]);

/**
 * `app/uninstalled` and the three mandatory compliance webhooks. The HMAC is checked on the raw
 * bytes before any JSON parsing; a bad or missing signature is a 401 and touches nothing.
 */
export function createWebhookRouter(deps: WebhookRoutesDeps): Router {
  const router = express.Router();
  const raw = express.raw({ type: () => true, limit: "1mb" });

  const handle = (allowed: (topic: string) => boolean) => async (req: Request, res: Response) => {
    const ctx: Record<string, unknown> = { route: "webhook" };
    try {
      const body: Uint8Array = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (
        !isWebhookHmacValid(body, readHeader(req.headers, "X-Shopify-Hmac-Sha256"), deps.apiSecret)
      ) {
        throw new SignatureError("webhook HMAC is missing or does not match");
      }
      const topic = readHeader(req.headers, "X-Shopify-Topic")?.trim() ?? "";
      const shopDomain =
        readHeader(req.headers, "X-Shopify-Shop-Domain")?.trim().toLowerCase() ?? "";
      const webhookId = readHeader(req.headers, "X-Shopify-Webhook-Id")?.trim();
      Object.assign(ctx, { topic, shop: shopDomain, webhookId });
      if (!allowed(topic)) {
        throw new ValidationError([
          { field: "X-Shopify-Topic", code: "unsupported", message: "unexpected topic" },
        ]);
      }
      if (!isValidShopDomain(shopDomain)) {
        throw new ValidationError([
          {
            field: "X-Shopify-Shop-Domain",
            code: "invalid_format",
            message: "expected a *.myshopify.com domain",
          },
        ]);
      }
      if (webhookId && (await deps.deduper.isProcessed(webhookId))) {
        deps.logger.info(ctx, "duplicate webhook ignored");
        res.status(200).json({});
        return;
      }
      let payload: unknown;
      try {
        payload = parseJsonKeepingIds(Buffer.from(body).toString("utf8"));
      } catch {
        throw new ValidationError([
          { field: "body", code: "malformed_json", message: "body is not JSON" },
        ]);
      }
      await dispatch(deps.handlers, topic as Topic, shopDomain, payload);
      if (webhookId) await deps.deduper.markProcessed(webhookId);
      deps.logger.info(ctx, "webhook processed");
      res.status(200).json({});
    } catch (err) {
      sendError(res, err, deps.logger, ctx);
    }
  };

  router.post(
    WEBHOOK_PATHS.appUninstalled,
    raw,
    handle((t) => t === "app/uninstalled"),
  );
  router.post(
    WEBHOOK_PATHS.compliance,
    raw,
    handle((t) => COMPLIANCE_TOPICS.has(t as Topic)),
  );
  return router;
}

function parseOrThrow<T>(
  schema: {
    safeParse(v: unknown):
      | { success: true; data: T }
      | {
          success: false;
          error: { issues: Array<{ path: PropertyKey[]; code: string; message: string }> };
        };
  },
  payload: unknown,
): T {
  const r = schema.safeParse(payload);
  if (r.success) return r.data;
  throw new ValidationError(
    r.error.issues.map((i) => ({
      field: i.path.map(String).join(".") || "body",
      code: i.code,
      message: i.message,
    })),
  );
}

async function dispatch(
  handlers: ComplianceHandlers,
  topic: Topic,
  shopDomain: string,
  payload: unknown,
): Promise<void> {
  switch (topic) {
    case "app/uninstalled": {
      const p = parseOrThrow(AppUninstalled, payload);
      await handlers.uninstall({ shopDomain: signedDomain(p.myshopify_domain, shopDomain) });
      return;
    }
    case "customers/data_request": {
      const p = parseOrThrow(CustomersDataRequest, payload);
      await handlers.exportCustomerData({
        shopDomain: signedDomain(p.shop_domain, shopDomain),
        shopId: p.shop_id,
        customer: p.customer,
        ordersRequested: p.orders_requested,
        dataRequestId: p.data_request?.id ?? null,
      });
      return;
    }
    case "customers/redact": {
      const p = parseOrThrow(CustomersRedact, payload);
      await handlers.redactCustomer({
        shopDomain: signedDomain(p.shop_domain, shopDomain),
        shopId: p.shop_id,
        customer: p.customer,
        ordersToRedact: p.orders_to_redact,
      });
      return;
    }
    case "shop/redact": {
      const p = parseOrThrow(ShopRedact, payload);
      await handlers.redactShop({
        shopDomain: signedDomain(p.shop_domain, shopDomain),
        shopId: p.shop_id,
      });
      return;
    }
  }
}

/**
 * The HMAC covers the body, not the headers: trust the domain in the payload, and refuse a
 * header that names another shop.
 */
function signedDomain(fromBody: string | undefined, fromHeader: string): string {
  const body = fromBody?.trim().toLowerCase();
  if (!body) return fromHeader;
  if (body !== fromHeader) {
    throw new ValidationError([
      {
        field: "X-Shopify-Shop-Domain",
        code: "mismatch",
        message: "header and payload name different shops",
      },
    ]);
  }
  return body;
}
