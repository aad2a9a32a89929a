import { parseDecimalToMinor } from "@pe-pay/core";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { randomBytes } from "node:crypto";
import type { DemoContext } from "../context";
import { phpJsonEncode } from "../php-json";
import { WpError, type WooOrders } from "./orders";
import { authenticate, checkPermission } from "./rest-auth";
import {
  noteToRest,
  ORDER_STATUSES,
  orderToRest,
  refundToRest,
  webhookToRest,
  type OrderStatus,
  type WooApiKey,
  type WooOrderRecord,
  type WooRefundRecord,
  type WooWebhookRecord,
} from "./state";
import type { WebhookDispatcher } from "./webhooks";

/**
 * The REST API v3 surface the bridge uses, under `/woo/wp-json/wc/v3`. Responses are PHP-style
 * JSON (`\/`, `\uXXXX`) like WordPress; errors are `{code, message, data}` with HTTP status from
 * `data.status`, else 500 (bare-number data).
 *
 * Deliberate deviation: a PUT carrying billing/shipping/line_items/shipping_lines/fee_lines/
 * coupon_lines would make WooCommerce recalculate totals; the demo refuses it with 400
 * `demo_store_recalculation_refused` so such a bridge bug shows up loudly.
 */
type Params = Record<string, unknown>;
type Authed = Request & { wcKey?: WooApiKey; params2: Params; query2: URLSearchParams };

const RECALC_KEYS = [
  "billing",
  "shipping",
  "line_items",
  "shipping_lines",
  "fee_lines",
  "coupon_lines",
];

function sendJson(
  res: Response,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res
    .status(status)
    .set({ "Content-Type": "application/json; charset=UTF-8", ...headers })
    .send(phpJsonEncode(body));
}

function invalidParam(param: string, message: string): WpError {
  return new WpError("rest_invalid_param", `Invalid parameter(s): ${param}`, {
    status: 400,
    params: { [param]: message },
    details: { [param]: { code: "rest_invalid_param", message, data: null } },
  });
}

function intParam(
  p: Params,
  name: string,
  def: number | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const raw = p[name];
  if (raw === undefined || raw === "") return def;
  const n = typeof raw === "number" ? raw : /^-?\d+$/.test(String(raw)) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) throw invalidParam(name, `${name} is not of type integer.`);
  if (n < min || n > max)
    throw invalidParam(
      name,
      max === Number.MAX_SAFE_INTEGER
        ? `${name} must be greater than or equal to ${min}`
        : `${name} must be between ${min} (inclusive) and ${max} (inclusive)`,
    );
  return n;
}

function boolParam(p: Params, name: string, def: boolean): boolean {
  const raw = p[name];
  if (raw === undefined) return def;
  if (typeof raw === "boolean") return raw;
  if (["true", "1"].includes(String(raw))) return true;
  if (["false", "0", ""].includes(String(raw))) return false;
  throw invalidParam(name, `${name} is not of type boolean.`);
}

/** WordPress date params: ISO-8601; without an offset they are site-local (Lima) unless GMT. */
function dateParam(p: Params, name: string, gmt: boolean): Date | undefined {
  const raw = p[name];
  if (raw === undefined || raw === "") return undefined;
  const s = String(raw);
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (!m) throw invalidParam(name, "Invalid date.");
  const zone = m[4] ?? (gmt ? "Z" : "-05:00");
  const d = new Date(`${m[1]}T${m[2]}${zone}`);
  if (Number.isNaN(d.getTime())) throw invalidParam(name, "Invalid date.");
  return d;
}

function positiveId(raw: string, code: string, data: unknown): number {
  if (!/^\d{1,15}$/.test(raw)) throw new WpError(code, "Invalid ID.", data);
  return Number(raw);
}

function paginate<T>(req: Authed, res: Response, items: T[], render: (t: T) => unknown): void {
  const p = req.params2;
  const page = intParam(p, "page", 1, 1)!;
  const perPage = intParam(p, "per_page", 10, 1, 100)!;
  const offset = intParam(p, "offset", undefined, 0);
  const start = offset ?? (page - 1) * perPage;
  const total = items.length;
  const totalPages = Math.ceil(total / perPage);
  const slice = items.slice(start, start + perPage);
  const base = new URL(`${req.protocol}://${req.headers.host}${req.originalUrl}`);
  const links: string[] = [];
  for (const [rel, n] of [
    ["prev", page - 1],
    ["next", page + 1],
  ] as const) {
    if (n < 1 || n > totalPages) continue;
    const u = new URL(base);
    u.searchParams.set("page", String(n));
    for (const k of [...u.searchParams.keys()])
      if (k.startsWith("oauth_") || k.startsWith("consumer_")) u.searchParams.delete(k);
    links.push(`<${u.toString()}>; rel="${rel}"`);
  }
  sendJson(res, 200, slice.map(render), {
    "X-WP-Total": String(total),
    "X-WP-TotalPages": String(totalPages),
    ...(links.length ? { Link: links.join(", ") } : {}),
  });
}

function pickFields(obj: Record<string, unknown>, fields: unknown): Record<string, unknown> {
  if (typeof fields !== "string" || !fields) return obj;
  const wanted = new Set(fields.split(",").map((f) => f.trim().split(".")[0]));
  return Object.fromEntries(Object.entries(obj).filter(([k]) => wanted.has(k)));
}

/** The demo WooCommerce site's title (WordPress "blogname"). */
export const WOO_SITE_NAME = "Bodega Demo (WooCommerce)";

export function createWooRestRouter(
  ctx: DemoContext,
  orders: WooOrders,
  hooks: WebhookDispatcher,
  storeUrl: () => string,
): Router {
  const router = express.Router();
  const state = ctx.woo;

  // The public REST index WordPress serves to anyone: the bridge reads the site `name` from it.
  router.get("/", (_req: Request, res: Response) => {
    res.json({
      name: WOO_SITE_NAME,
      description: "Tienda local de demostración (WooCommerce simulado)",
      url: storeUrl(),
      home: storeUrl(),
      gmt_offset: -5,
      timezone_string: "America/Lima",
      namespaces: ["wp/v2", "wc/v3"],
    });
  });

  router.use(express.raw({ type: () => true, limit: "1mb" }));

  // Parameters (query + form/JSON body, JSON wins) and authentication, as WP_REST_Server does.
  router.use((req: Request, _res: Response, next: NextFunction) => {
    const r = req as Authed;
    const query = new URL(req.originalUrl, "http://x").searchParams;
    r.query2 = query;
    const params: Params = {};
    for (const [k, v] of query) {
      const key = k.endsWith("[]") ? k.slice(0, -2) : k;
      if (k.endsWith("[]")) params[key] = [...((params[key] as string[]) ?? []), v];
      else params[key] = v;
    }
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const type = req.header("content-type") ?? "";
    let form: URLSearchParams | null = null;
    try {
      if (raw.length > 0 && /json/i.test(type)) {
        let body: unknown;
        try {
          body = JSON.parse(raw.toString("utf8"));
        } catch {
          throw new WpError("rest_invalid_json", "Invalid JSON body passed.", {
            status: 400,
            json_error_code: 4,
            json_error_message: "Syntax error",
          });
        }
        if (body && typeof body === "object" && !Array.isArray(body)) Object.assign(params, body);
      } else if (raw.length > 0 && /x-www-form-urlencoded/i.test(type)) {
        form = new URLSearchParams(raw.toString("utf8"));
        for (const [k, v] of form) params[k] = v;
      }
      r.params2 = params;
      const key = authenticate(state, {
        req,
        query,
        formBody: form,
        nowSeconds: Math.floor(ctx.clock.now().getTime() / 1000),
      });
      if (key) {
        checkPermission(key, req.method);
        r.wcKey = key;
      }
      next();
    } catch (e) {
      next(e);
    }
  });

  const requireKey =
    (action: "view" | "edit" | "create" | "delete") =>
    (req: Request, _res: Response, next: NextFunction) => {
      if ((req as Authed).wcKey) return next();
      const messages = {
        view: "Sorry, you cannot list resources.",
        edit: "Sorry, you are not allowed to edit this resource.",
        create: "Sorry, you are not allowed to create resources.",
        delete: "Sorry, you are not allowed to delete this resource.",
      };
      next(new WpError(`woocommerce_rest_cannot_${action}`, messages[action], { status: 401 }));
    };

  const h =
    (fn: (req: Authed, res: Response) => Promise<void> | void) =>
    (req: Request, res: Response, next: NextFunction) => {
      Promise.resolve()
        .then(() => fn(req as Authed, res))
        .catch(next);
    };

  const getOrder = (raw: string, forWrite: boolean): WooOrderRecord => {
    const data = { status: forWrite ? 400 : 404 };
    const id = positiveId(raw, "woocommerce_rest_shop_order_invalid_id", data);
    const o = state.orders.get(id);
    if (!o) throw new WpError("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", data);
    return o;
  };
  /** Refund/notes routes look the order up with wc_get_order and bare-number data. */
  const getParentOrder = (raw: string, notes = false): WooOrderRecord => {
    const o = /^\d{1,15}$/.test(raw) ? state.orders.get(Number(raw)) : undefined;
    if (!o) {
      throw notes
        ? new WpError("woocommerce_rest_order_invalid_id", "Invalid order ID.", { status: 404 })
        : new WpError("woocommerce_rest_invalid_order_id", "Invalid order ID.", 404);
    }
    return o;
  };
  const getRefund = (o: WooOrderRecord, raw: string): WooRefundRecord => {
    const id = positiveId(raw, "woocommerce_rest_shop_order_refund_invalid_id", { status: 404 });
    const r = state.refunds.get(id);
    if (!r)
      throw new WpError("woocommerce_rest_shop_order_refund_invalid_id", "Invalid ID.", {
        status: 404,
      });
    if (r.orderId !== o.id)
      throw new WpError(
        "woocommerce_rest_invalid_order_refund_id",
        "Invalid order refund ID.",
        404,
      );
    return r;
  };

  const base = "/wc/v3";

  router.get(
    `${base}/orders`,
    requireKey("view"),
    h((req, res) => {
      const p = req.params2;
      const gmt = boolParam(p, "dates_are_gmt", false);
      const order = p.order === undefined ? "desc" : String(p.order);
      if (order !== "asc" && order !== "desc")
        throw invalidParam("order", "order is not one of asc and desc.");
      const orderby = p.orderby === undefined ? "date" : String(p.orderby);
      if (!["date", "id", "include", "title", "slug", "modified"].includes(orderby))
        throw invalidParam(
          "orderby",
          "orderby is not one of date, id, include, title, slug, and modified.",
        );
      const statusesRaw =
        p.status === undefined
          ? ["any"]
          : Array.isArray(p.status)
            ? p.status.map(String)
            : String(p.status).split(",");
      const statuses = statusesRaw.map((s) => s.trim()).filter(Boolean);
      for (const s of statuses)
        if (s !== "any" && s !== "trash" && !(ORDER_STATUSES as readonly string[]).includes(s))
          throw invalidParam(
            "status",
            `status[0] is not one of any, trash, ${ORDER_STATUSES.join(", ")}.`,
          );
      const after = dateParam(p, "after", gmt);
      const before = dateParam(p, "before", gmt);
      const modAfter = dateParam(p, "modified_after", gmt);
      const modBefore = dateParam(p, "modified_before", gmt);
      const search = typeof p.search === "string" ? p.search.toLowerCase() : "";
      let list = [...state.orders.values()].filter((o) => {
        if (!statuses.includes("any") && !statuses.includes(o.status)) return false;
        if (after && !(o.createdAt > after)) return false;
        if (before && !(o.createdAt < before)) return false;
        if (modAfter && !(o.modifiedAt > modAfter)) return false;
        if (modBefore && !(o.modifiedAt < modBefore)) return false;
        if (
          search &&
          !`${o.billing.first_name} ${o.billing.last_name} ${o.billing.email ?? ""} ${o.id}`
            .toLowerCase()
            .includes(search)
        )
          return false;
        return true;
      });
      const keyOf = (o: WooOrderRecord) =>
        orderby === "modified"
          ? o.modifiedAt.getTime()
          : orderby === "date"
            ? o.createdAt.getTime()
            : o.id;
      list = list.sort((a, b) => keyOf(a) - keyOf(b) || a.id - b.id);
      if (order === "desc") list.reverse();
      paginate(req, res, list, (o) => pickFields(orderToRest(state, o, storeUrl()), p._fields));
    }),
  );

  router.get(
    `${base}/orders/:id`,
    requireKey("view"),
    h((req, res) => {
      const o = getOrder(String(req.params.id), false);
      sendJson(res, 200, pickFields(orderToRest(state, o, storeUrl()), req.params2._fields));
    }),
  );

  const updateOrder = h((req, res) => {
    const o = getOrder(String(req.params.id), true);
    const p = req.params2;
    const recalc = RECALC_KEYS.filter((k) => p[k] !== undefined);
    if (recalc.length > 0) {
      throw new WpError(
        "demo_store_recalculation_refused",
        `La tienda de demostración rechaza ${recalc.join(", ")} en un PUT: en WooCommerce recalcularía los totales del pedido. Un PUT de confirmación de pago no debe incluirlos.`,
        { status: 400, params: recalc },
      );
    }
    let status: OrderStatus | undefined;
    if (p.status !== undefined) {
      if (typeof p.status !== "string" || !(ORDER_STATUSES as readonly string[]).includes(p.status))
        throw invalidParam("status", `status is not one of ${ORDER_STATUSES.join(", ")}.`);
      status = p.status as OrderStatus;
    }
    if (p.transaction_id !== undefined && typeof p.transaction_id !== "string")
      throw invalidParam("transaction_id", "transaction_id is not of type string.");
    if (p.customer_note !== undefined && typeof p.customer_note !== "string")
      throw invalidParam("customer_note", "customer_note is not of type string.");
    const setPaid = boolParam(p, "set_paid", false);
    const meta = p.meta_data;
    if (meta !== undefined) {
      if (!Array.isArray(meta)) throw invalidParam("meta_data", "meta_data is not of type array.");
      for (const [i, m] of meta.entries()) {
        if (!m || typeof m !== "object" || typeof (m as { key?: unknown }).key !== "string")
          throw invalidParam("meta_data", `meta_data[${i}][key] is not of type string.`);
        const id = (m as { id?: unknown }).id;
        if (id !== undefined && !Number.isSafeInteger(id))
          throw invalidParam("meta_data", `meta_data[${i}][id] is not of type integer.`);
      }
    }
    // Writable props first, then status (saved, fires transitions), then set_paid.
    if (typeof p.transaction_id === "string") o.transactionId = p.transaction_id;
    if (typeof p.customer_note === "string") o.customerNote = p.customer_note;
    for (const m of (meta as Array<{ key: string; value: unknown; id?: number }> | undefined) ??
      []) {
      if (
        /^_(transaction_id|billing_|shipping_|order_|payment_method|customer_user|date_|cart_)/.test(
          m.key,
        )
      )
        continue; // internal keys: props, not meta
      state.setMeta(o, m.key, m.value === undefined ? "" : m.value, m.id);
    }
    if (status !== undefined && status !== o.status)
      orders.setStatus(o, status, "", { byUser: p.manual_update === true });
    else orders.save(o);
    if (setPaid)
      orders.paymentComplete(o, typeof p.transaction_id === "string" ? p.transaction_id : "");
    sendJson(res, 200, orderToRest(state, o, storeUrl()));
  });
  router.put(`${base}/orders/:id`, requireKey("edit"), updateOrder);
  router.post(`${base}/orders/:id`, requireKey("edit"), updateOrder);
  router.patch(`${base}/orders/:id`, requireKey("edit"), updateOrder);

  router.get(
    `${base}/orders/:id/notes`,
    requireKey("view"),
    h((req, res) => {
      const o = getParentOrder(String(req.params.id), true);
      sendJson(
        res,
        200,
        [...o.notes].reverse().map((n) => noteToRest(o.id, n, storeUrl())),
      );
    }),
  );

  router.post(
    `${base}/orders/:id/notes`,
    requireKey("create"),
    h((req, res) => {
      const o = getParentOrder(String(req.params.id), true);
      const p = req.params2;
      if (typeof p.note !== "string" || p.note === "") {
        throw new WpError("rest_missing_callback_param", "Missing parameter(s): note", {
          status: 400,
          params: ["note"],
        });
      }
      const note = state.addNote(o, p.note, ctx.clock.now(), {
        customer: boolParam(p, "customer_note", false),
        byUser: boolParam(p, "added_by_user", false),
      });
      if (note.customerNote && o.billing.email) {
        ctx.mail.add({
          to: o.billing.email,
          from: "tienda-woo@demo.local",
          subject: `Nota añadida a tu pedido #${o.id}`,
          text: p.note,
        });
      }
      // Adding a note does not save the order: no order.updated.
      sendJson(res, 201, noteToRest(o.id, note, storeUrl()));
    }),
  );

  router.get(
    `${base}/orders/:id/refunds`,
    requireKey("view"),
    h((req, res) => {
      const o = getParentOrder(String(req.params.id));
      const list = [...o.refundIds]
        .sort((a, b) => b - a)
        .map((id) => state.refunds.get(id)!)
        .filter(Boolean);
      paginate(req, res, list, (r) => refundToRest(r, storeUrl()));
    }),
  );

  router.get(
    `${base}/orders/:id/refunds/:rid`,
    requireKey("view"),
    h((req, res) => {
      const o = getParentOrder(String(req.params.id));
      sendJson(res, 200, refundToRest(getRefund(o, String(req.params.rid)), storeUrl()));
    }),
  );

  router.delete(
    `${base}/orders/:id/refunds/:rid`,
    requireKey("delete"),
    h((req, res) => {
      const o = getParentOrder(String(req.params.id));
      const r = getRefund(o, String(req.params.rid));
      if (!boolParam(req.params2, "force", true)) {
        throw new WpError(
          "woocommerce_rest_trash_not_supported",
          "Refunds do not support trashing.",
          { status: 501 },
        );
      }
      const body = refundToRest(r, storeUrl());
      orders.deleteRefund(o, r);
      sendJson(res, 200, body);
    }),
  );

  router.post(
    `${base}/orders/:id/refunds`,
    requireKey("create"),
    h(async (req, res) => {
      const o = getParentOrder(String(req.params.id));
      const p = req.params2;
      const lines: WooRefundRecord["lines"] = [];
      let linesTotal = 0;
      if (p.line_items !== undefined) {
        if (!Array.isArray(p.line_items))
          throw invalidParam("line_items", "line_items is not of type array.");
        for (const [i, li] of p.line_items.entries()) {
          const item = li as { id?: unknown; quantity?: unknown; refund_total?: unknown };
          const orig = o.lines.find((l) => l.id === Number(item.id));
          if (!orig)
            throw invalidParam("line_items", `line_items[${i}][id] is not an item of this order.`);
          const qty = item.quantity === undefined ? 0 : Number(item.quantity);
          const totalText = item.refund_total === undefined ? "0" : String(item.refund_total);
          const parsed = parseDecimalToMinor(Number(totalText).toFixed(2));
          if (!Number.isInteger(qty) || qty < 0 || !parsed.ok)
            throw invalidParam(
              "line_items",
              `line_items[${i}] has an invalid quantity or refund_total.`,
            );
          linesTotal += parsed.minor;
          lines.push({
            id: state.itemId(),
            refundedItemId: orig.id,
            name: orig.name,
            productId: orig.productId,
            quantity: qty,
            totalMinor: parsed.minor,
            sku: orig.sku,
          });
        }
      }
      let amountMinor: number;
      if (p.amount === undefined || p.amount === "") {
        amountMinor = linesTotal;
      } else {
        const text = String(p.amount).trim();
        if (text.startsWith("-"))
          throw new WpError(
            "woocommerce_rest_invalid_order_refund",
            "Refund amount must be greater than zero.",
            400,
          );
        const parsed = parseDecimalToMinor(
          /^\d+\.\d{3,}$/.test(text) ? Number(text).toFixed(2) : text,
        );
        if (!parsed.ok)
          throw new WpError(
            "woocommerce_rest_invalid_order_refund",
            "Refund amount must be greater than zero.",
            400,
          );
        amountMinor = parsed.minor;
      }
      if (amountMinor <= 0)
        throw new WpError(
          "woocommerce_rest_invalid_order_refund",
          "Refund amount must be greater than zero.",
          400,
        );
      const refund = await orders.createRefund(o, {
        amountMinor,
        reason: typeof p.reason === "string" ? p.reason : "",
        apiRefund: boolParam(p, "api_refund", true),
        lines,
        refundedBy: req.wcKey!.userId,
      });
      sendJson(res, 201, refundToRest(refund, storeUrl()));
    }),
  );

  router.get(
    `${base}/webhooks`,
    requireKey("view"),
    h((req, res) => {
      paginate(req, res, [...state.webhooks.values()], (w) => webhookToRest(w, storeUrl()));
    }),
  );

  router.post(
    `${base}/webhooks`,
    requireKey("create"),
    h(async (req, res) => {
      const p = req.params2;
      if (
        typeof p.topic !== "string" ||
        !/^(order|product|customer|coupon)\.(created|updated|deleted|restored)$|^action\.[\w-]+$/.test(
          p.topic,
        )
      )
        throw new WpError(
          "woocommerce_rest_webhook_invalid_topic",
          "Webhook topic is required and must be valid.",
          { status: 400 },
        );
      let url: URL | undefined;
      try {
        url = typeof p.delivery_url === "string" ? new URL(p.delivery_url) : undefined;
      } catch {
        url = undefined;
      }
      if (!url || !["http:", "https:"].includes(url.protocol))
        throw new WpError(
          "woocommerce_rest_webhook_invalid_delivery_url",
          "Webhook delivery URL must be a valid URL starting with http:// or https://.",
          { status: 400 },
        );
      const status = p.status === undefined ? "active" : String(p.status);
      if (!["active", "paused", "disabled"].includes(status))
        throw invalidParam("status", "status is not one of active, paused, and disabled.");
      const now = ctx.clock.now();
      const hook: WooWebhookRecord = {
        id: state.webhookId(),
        name:
          typeof p.name === "string" && p.name ? p.name : `Webhook created on ${now.toUTCString()}`,
        status: status as WooWebhookRecord["status"],
        topic: p.topic,
        deliveryUrl: url.toString(),
        secret:
          typeof p.secret === "string" && p.secret
            ? p.secret
            : randomBytes(48).toString("base64").slice(0, 50),
        userId: req.wcKey!.userId,
        createdAt: now,
        modifiedAt: now,
        failureCount: 0,
        deliveries: [],
      };
      state.webhooks.set(hook.id, hook);
      if (hook.status === "active") await hooks.ping(hook);
      sendJson(res, 201, webhookToRest(hook, storeUrl()));
    }),
  );

  const getHook = (raw: string) => {
    const hook = /^\d{1,15}$/.test(raw) ? state.webhooks.get(Number(raw)) : undefined;
    if (!hook)
      throw new WpError("woocommerce_rest_webhook_invalid_id", "Invalid ID.", { status: 404 });
    return hook;
  };
  router.get(
    `${base}/webhooks/:id`,
    requireKey("view"),
    h((req, res) => {
      sendJson(res, 200, webhookToRest(getHook(String(req.params.id)), storeUrl()));
    }),
  );
  router.put(
    `${base}/webhooks/:id`,
    requireKey("edit"),
    h((req, res) => {
      const hook = getHook(String(req.params.id));
      const p = req.params2;
      if (p.status !== undefined) {
        if (!["active", "paused", "disabled"].includes(String(p.status)))
          throw invalidParam("status", "status is not one of active, paused, and disabled.");
        hook.status = String(p.status) as WooWebhookRecord["status"];
        if (hook.status === "active") hook.failureCount = 0;
      }
      if (typeof p.delivery_url === "string") hook.deliveryUrl = p.delivery_url;
      if (typeof p.secret === "string" && p.secret) hook.secret = p.secret;
      if (typeof p.name === "string") hook.name = p.name;
      hook.modifiedAt = ctx.clock.now();
      sendJson(res, 200, webhookToRest(hook, storeUrl()));
    }),
  );
  router.delete(
    `${base}/webhooks/:id`,
    requireKey("delete"),
    h((req, res) => {
      const hook = getHook(String(req.params.id));
      if (!boolParam(req.params2, "force", false))
        throw new WpError(
          "woocommerce_rest_trash_not_supported",
          "Webhooks do not support trashing.",
          { status: 501 },
        );
      state.webhooks.delete(hook.id);
      sendJson(res, 200, webhookToRest(hook, storeUrl()));
    }),
  );

  router.use((_req: Request, _res: Response, next: NextFunction) => {
    next(
      new WpError("rest_no_route", "No route was found matching the URL and request method.", {
        status: 404,
      }),
    );
  });

  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof WpError) {
      const headers: Record<string, string> =
        err.httpStatus === 401 && err.code === "woocommerce_rest_authentication_error"
          ? { "WWW-Authenticate": 'Basic realm="WooCommerce REST API"' }
          : {};
      sendJson(res, err.httpStatus, err.toBody(), headers);
      return;
    }
    if ((err as { type?: string }).type === "entity.too.large") {
      sendJson(res, 413, {
        code: "rest_request_too_large",
        message: "Request body too large.",
        data: { status: 413 },
      });
      return;
    }
    ctx.log(`woo rest: unexpected error ${err instanceof Error ? err.message : String(err)}`);
    sendJson(res, 500, {
      code: "internal_server_error",
      message: "Error inesperado en la tienda de demostración.",
      data: { status: 500 },
    });
  });
  return router;
}
