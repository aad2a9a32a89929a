import { createHash, createHmac } from "node:crypto";
import type { DemoContext } from "../context";
import { postRaw } from "../outbound";
import { phpJsonEncode } from "../php-json";
import { orderToRest, type WooWebhookRecord } from "./state";

/**
 * WooCommerce webhook delivery as in class-wc-webhook.php: hooks only queue; one job per
 * webhook+order while one is pending (later events coalesce into it); the payload is built when
 * the job runs; body = PHP JSON; signature = base64(HMAC-SHA256(secret, body)); 200–302 counts as
 * success; no retries; the 7th consecutive failure (count already > 5) disables the webhook.
 */
export const SKIPPED_STATUSES = new Set(["draft", "auto-draft", "new", "checkout-draft"]);

export function webhookSignature(body: string | Buffer, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

export class WebhookDispatcher {
  /** Jobs not started yet, by webhook+order (a second event joins the queued job). */
  private readonly pending = new Map<string, Promise<void>>();
  /** Every job until its delivery finished, for `flush`. */
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly ctx: DemoContext,
    private readonly storeUrl: () => string,
  ) {}

  /** Called on every order save (order.updated) and creation (order.created). */
  queue(topic: "order.created" | "order.updated", orderId: number): void {
    const order = this.ctx.woo.orders.get(orderId);
    if (!order || SKIPPED_STATUSES.has(order.status)) return;
    for (const hook of this.ctx.woo.webhooks.values()) {
      if (hook.status !== "active" || hook.topic !== topic) continue;
      const key = `${hook.id}:${orderId}`;
      if (this.pending.has(key)) continue; // coalesced: the job builds the latest state
      const job = new Promise<void>((resolve) => {
        setTimeout(() => {
          this.pending.delete(key);
          this.deliver(hook, orderId).then(resolve, resolve);
        }, this.ctx.settings.webhookDelayMs);
      });
      this.pending.set(key, job);
      this.inflight.add(job);
      void job.then(() => this.inflight.delete(job));
    }
  }

  /** Resolves once every queued delivery (including ones queued meanwhile) has run. */
  async flush(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  private async deliver(hook: WooWebhookRecord, orderId: number): Promise<void> {
    const order = this.ctx.woo.orders.get(orderId);
    if (!order || hook.status !== "active") return;
    const body = phpJsonEncode(orderToRest(this.ctx.woo, order, this.storeUrl()));
    const now = this.ctx.clock.now();
    const [resource, event] = hook.topic.split(".");
    const r = await postRaw(this.ctx.fetch, hook.deliveryUrl, {
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "WooCommerce/9.8.1 Hookshot (WordPress/6.8.1)",
        "X-WC-Webhook-Source": `${this.storeUrl()}/`,
        "X-WC-Webhook-Topic": hook.topic,
        "X-WC-Webhook-Resource": resource ?? "order",
        "X-WC-Webhook-Event": event ?? "updated",
        "X-WC-Webhook-Signature": webhookSignature(body, hook.secret),
        "X-WC-Webhook-ID": String(hook.id),
        "X-WC-Webhook-Delivery-ID": createHash("md5")
          .update(`${hook.id}${Math.floor(now.getTime() / 1000)}`)
          .digest("hex"),
      },
      body,
      timeoutMs: this.ctx.settings.outboundTimeoutMs,
    });
    const success = r.status >= 200 && r.status <= 302;
    hook.deliveries.push({
      at: now,
      orderId,
      kind: "delivery",
      httpStatus: r.status,
      ...(r.networkError ? { error: r.networkError } : {}),
    });
    if (hook.deliveries.length > 50) hook.deliveries.shift();
    if (success) {
      hook.failureCount = 0;
      return;
    }
    if (hook.failureCount > 5) {
      hook.status = "disabled";
      this.ctx.log(`woo: webhook ${hook.id} disabled after repeated failures`);
    } else hook.failureCount++;
  }

  /** The creation ping: unsigned form POST `webhook_id=N`; REST creation ignores its result. */
  async ping(hook: WooWebhookRecord): Promise<void> {
    const r = await postRaw(this.ctx.fetch, hook.deliveryUrl, {
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "User-Agent": "WooCommerce/9.8.1 Hookshot (WordPress/6.8.1)",
      },
      body: `webhook_id=${hook.id}`,
      timeoutMs: this.ctx.settings.outboundTimeoutMs,
    });
    hook.deliveries.push({
      at: this.ctx.clock.now(),
      kind: "ping",
      httpStatus: r.status,
      ...(r.networkError ? { error: r.networkError } : {}),
    });
  }
}
