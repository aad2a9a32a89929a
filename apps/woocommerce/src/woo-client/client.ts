import WooCommerceRestApiModule from "@woocommerce/woocommerce-rest-api";
import { formatDecimal, type Money } from "@pe-pay/core";
import type { z } from "zod";
import { WooApiError, classifyWooError, parseWooErrorEnvelope } from "./errors";
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from "./retry";
import {
  wooNoteSchema,
  wooOrderSchema,
  wooRefundSchema,
  wooWebhookSchema,
  type WooOrder,
  type WooOrderNote,
  type WooRefund,
  type WooWebhook,
} from "./types";

/**
 * WooCommerce REST v3 client for exactly what the bridge needs.
 *
 * Built on @woocommerce/woocommerce-rest-api (axios): it already does Basic auth over https and
 * one-legged OAuth 1.0a HMAC-SHA256 over http, and msw intercepts its node http requests in
 * tests. We add what it lacks: zod-checked responses, typed errors from the `{code,message,data}`
 * envelope (including the bare-number `data`), and retries for idempotent calls only.
 */
type WooRestApi = InstanceType<typeof WooCommerceRestApiModule>;
// CommonJS (Jest/SWC) hands us the class; Node ESM (tsx) hands us `module.exports` whose
// `default` is the class.
const WooCommerceRestApi: typeof WooCommerceRestApiModule =
  (WooCommerceRestApiModule as unknown as { default?: typeof WooCommerceRestApiModule }).default ??
  WooCommerceRestApiModule;

export interface WooClientOptions {
  /** Store home URL exactly as the store reports it (scheme and www matter for OAuth). */
  storeUrl: string;
  consumerKey: string;
  consumerSecret: string;
  timeoutMs?: number;
  /** For hosts that strip the Authorization header (CGI/FastCGI): send the keys as query params. */
  queryStringAuth?: boolean;
  retry?: RetryPolicy;
}

export interface ListModifiedOrdersResult {
  orders: WooOrder[];
  total: number;
  totalPages: number;
  nextPage: number | null;
}

export interface CreateRefundInput {
  amount: Money;
  reason: string;
  restock?: boolean;
  lineItems?: Array<{ id: number; quantity: number; refund_total: number }>;
}

export const WEBHOOK_SECRET_PATTERN = /^[A-Za-z0-9]{20,128}$/;

interface RawResponse {
  status: number;
  data: unknown;
  headers: Record<string, unknown>;
}

export class WooClient {
  private readonly api: WooRestApi;
  private readonly retry: RetryPolicy;

  constructor(options: WooClientOptions) {
    this.api = new WooCommerceRestApi({
      url: options.storeUrl,
      consumerKey: options.consumerKey,
      consumerSecret: options.consumerSecret,
      version: "wc/v3",
      queryStringAuth: options.queryStringAuth ?? false,
      timeout: options.timeoutMs ?? 15_000,
      // Redirects would turn a PUT into a GET on some hosts; fail loudly instead.
      axiosConfig: { maxRedirects: 0 },
    });
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  getOrder(orderId: number): Promise<WooOrder> {
    return this.idempotent(`GET order ${orderId}`, wooOrderSchema, () =>
      this.api.get(`orders/${orderId}`),
    );
  }

  /** Reconciliation: orders modified after `since` (UTC), oldest first, one page at a time. */
  async listModifiedOrders(args: {
    modifiedAfter: Date;
    page?: number;
    perPage?: number;
  }): Promise<ListModifiedOrdersResult> {
    const page = args.page ?? 1;
    const perPage = Math.min(Math.max(args.perPage ?? 100, 1), 100);
    const res = await withRetry(
      () =>
        this.send("GET orders", () =>
          this.api.get("orders", {
            modified_after: args.modifiedAfter.toISOString().slice(0, 19),
            dates_are_gmt: "true",
            orderby: "modified",
            order: "asc",
            per_page: String(perPage),
            page: String(page),
          }),
        ),
      isRetryable,
      this.retry,
    );
    if (!Array.isArray(res.data)) throw this.unexpected("GET orders", res.status);
    const orders = res.data.map((o) => this.parse("GET orders", wooOrderSchema, o, res.status));
    const total = Number(headerValue(res.headers, "x-wp-total") ?? orders.length);
    const totalPages = Number(headerValue(res.headers, "x-wp-totalpages") ?? 1);
    return {
      orders,
      total: Number.isFinite(total) ? total : orders.length,
      totalPages: Number.isFinite(totalPages) ? totalPages : 1,
      nextPage: page < totalPages ? page + 1 : null,
    };
  }

  /**
   * On-hold → processing. Deliberately not `set_paid`: on an on-hold order `needs_payment()` is
   * false, so set_paid would do nothing. No billing/shipping/line fields: they recalculate totals.
   */
  markPaid(orderId: number, input: { cip: string; paidAt?: string }): Promise<WooOrder> {
    const body: Record<string, unknown> = { status: "processing", transaction_id: input.cip };
    if (input.paidAt) {
      body.meta_data = [
        { key: "_pagoefectivo_cip_status", value: "paid" },
        { key: "_pagoefectivo_paid_at", value: input.paidAt },
      ];
    }
    return this.idempotent(`PUT order ${orderId}`, wooOrderSchema, () =>
      this.api.put(`orders/${orderId}`, body),
    );
  }

  /** WooCommerce never cancels on-hold orders itself; cancelling restores stock. */
  cancelOrder(orderId: number): Promise<WooOrder> {
    return this.idempotent(`PUT order ${orderId}`, wooOrderSchema, () =>
      this.api.put(`orders/${orderId}`, { status: "cancelled" }),
    );
  }

  /** Not retried: a retry after a lost response would add the note twice. */
  addNote(orderId: number, note: string, opts: { customer?: boolean } = {}): Promise<WooOrderNote> {
    return this.once(`POST note ${orderId}`, wooNoteSchema, () =>
      this.api.post(`orders/${orderId}/notes`, { note, customer_note: opts.customer ?? false }),
    );
  }

  /** Records a refund made out of band: `api_refund:false` so WooCommerce never calls the gateway. */
  createRefund(orderId: number, input: CreateRefundInput): Promise<WooRefund> {
    const body: Record<string, unknown> = {
      amount: formatDecimal(input.amount.minor),
      reason: input.reason,
      api_refund: false,
      api_restock: input.restock ?? true,
    };
    if (input.lineItems?.length) body.line_items = input.lineItems;
    return this.once(`POST refund ${orderId}`, wooRefundSchema, () =>
      this.api.post(`orders/${orderId}/refunds`, body),
    );
  }

  /** Permanent delete (`force` defaults to true on this route; false → 501). */
  deleteRefund(orderId: number, refundId: number): Promise<WooRefund> {
    return this.idempotent(`DELETE refund ${orderId}/${refundId}`, wooRefundSchema, () =>
      this.api.delete(`orders/${orderId}/refunds/${refundId}`, { force: "true" }),
    );
  }

  createOrderUpdatedWebhook(input: {
    name: string;
    deliveryUrl: string;
    secret: string;
  }): Promise<WooWebhook> {
    // WooCommerce HTML-entity-decodes the stored secret before signing: symbols would break it.
    if (!WEBHOOK_SECRET_PATTERN.test(input.secret)) {
      throw new RangeError("webhook secret must be 20-128 alphanumeric characters");
    }
    return this.once("POST webhook", wooWebhookSchema, () =>
      this.api.post("webhooks", {
        name: input.name,
        topic: "order.updated",
        delivery_url: input.deliveryUrl,
        secret: input.secret,
        status: "active",
      }),
    );
  }

  /**
   * Deletes a webhook for good (REST API `DELETE /webhooks/{id}`; webhooks have no trash, so
   * `force=true`). Retried like the other idempotent calls; a webhook already gone answers 404
   * (`woocommerce_rest_webhook_invalid_id`), which callers treat as done.
   */
  deleteWebhook(webhookId: number): Promise<WooWebhook> {
    return this.idempotent(`DELETE webhook ${webhookId}`, wooWebhookSchema, () =>
      this.api.delete(`webhooks/${webhookId}`, { force: "true" }),
    );
  }

  /** Cheapest authenticated read: proves the keys work and can see orders. */
  async verifyCredentials(): Promise<void> {
    await this.idempotent("GET orders (verify)", null, () =>
      this.api.get("orders", { per_page: "1", _fields: "id" }),
    );
  }

  private async idempotent<S extends z.ZodTypeAny | null>(
    operation: string,
    schema: S,
    call: () => Promise<unknown>,
  ): Promise<S extends z.ZodTypeAny ? z.infer<S> : unknown> {
    const res = await withRetry(() => this.send(operation, call), isRetryable, this.retry);
    return (schema ? this.parse(operation, schema, res.data, res.status) : res.data) as never;
  }

  private async once<S extends z.ZodTypeAny>(
    operation: string,
    schema: S,
    call: () => Promise<unknown>,
  ): Promise<z.infer<S>> {
    const res = await this.send(operation, call);
    return this.parse(operation, schema, res.data, res.status);
  }

  private async send(operation: string, call: () => Promise<unknown>): Promise<RawResponse> {
    try {
      const res = (await call()) as RawResponse;
      return { status: res.status, data: res.data, headers: res.headers ?? {} };
    } catch (error) {
      throw toWooError(operation, error);
    }
  }

  private parse<S extends z.ZodTypeAny>(
    operation: string,
    schema: S,
    data: unknown,
    status: number,
  ): z.infer<S> {
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw this.unexpected(operation, status, parsed.error);
    return parsed.data;
  }

  private unexpected(operation: string, status: number, cause?: unknown): WooApiError {
    return new WooApiError("unexpected", status, undefined, operation, cause);
  }
}

function isRetryable(error: unknown): boolean {
  return error instanceof WooApiError && error.retryable;
}

function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return v === undefined || v === null ? undefined : String(v);
}

/** axios rejection → WooApiError. The cause keeps the axios error but not the request config. */
export function toWooError(operation: string, error: unknown): WooApiError {
  if (error instanceof WooApiError) return error;
  const response = (error as { response?: { status?: number; data?: unknown } }).response;
  if (!response || typeof response.status !== "number") {
    // No response: DNS, refused, reset, timeout. Keep only the code; the axios error holds the
    // request config, which includes the consumer secret.
    const code = (error as { code?: unknown }).code;
    return new WooApiError(
      "unavailable",
      0,
      undefined,
      operation,
      new Error(`network error ${typeof code === "string" ? code : ""}`.trim()),
    );
  }
  const envelope = parseWooErrorEnvelope(response.data);
  return new WooApiError(
    classifyWooError(response.status, envelope),
    response.status,
    envelope,
    operation,
  );
}
