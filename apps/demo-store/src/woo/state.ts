import { randomBytes } from "node:crypto";
import { formatDecimal, toLimaIso } from "@pe-pay/core";

/**
 * In-memory WooCommerce stand-in (reset on restart). Orders are kept in a neutral shape and
 * rendered to the REST v3 JSON by `orderToRest` (field order as in the contract's order.json).
 * Times: `date_*` are Lima site-local without offset, `*_gmt` UTC without `Z`.
 */
export const ORDER_STATUSES = [
  "pending",
  "processing",
  "on-hold",
  "completed",
  "cancelled",
  "refunded",
  "failed",
  "checkout-draft",
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const STATUS_LABEL: Record<OrderStatus, string> = {
  pending: "Pendiente de pago",
  processing: "Procesando",
  "on-hold": "En espera",
  completed: "Completado",
  cancelled: "Cancelado",
  refunded: "Reembolsado",
  failed: "Fallido",
  "checkout-draft": "Borrador",
};

export interface WooMeta {
  id: number;
  key: string;
  value: unknown;
}
export interface WooLineItem {
  id: number;
  name: string;
  productId: number;
  quantity: number;
  totalMinor: number;
  sku: string;
}
export interface WooNote {
  id: number;
  note: string;
  customerNote: boolean;
  addedByUser: boolean;
  createdAt: Date;
}
export interface WooRefundRecord {
  id: number;
  orderId: number;
  amountMinor: number;
  reason: string;
  createdAt: Date;
  refundedBy: number;
  refundedPayment: boolean;
  lines: Array<{
    id: number;
    refundedItemId: number;
    name: string;
    productId: number;
    quantity: number;
    totalMinor: number;
    sku: string;
  }>;
}
export interface Address {
  first_name: string;
  last_name: string;
  company: string;
  address_1: string;
  address_2: string;
  city: string;
  state: string;
  postcode: string;
  country: string;
  email?: string;
  phone: string;
}
export interface WooOrderRecord {
  id: number;
  status: OrderStatus;
  currency: "PEN";
  createdAt: Date;
  modifiedAt: Date;
  paidAt: Date | null;
  completedAt: Date | null;
  customerId: number;
  orderKey: string;
  billing: Address;
  shipping: Address;
  paymentMethod: string;
  paymentMethodTitle: string;
  transactionId: string;
  createdVia: string;
  customerNote: string;
  meta: WooMeta[];
  lines: WooLineItem[];
  shipping_line: { id: number; methodTitle: string; totalMinor: number };
  totalMinor: number;
  refundIds: number[];
  notes: WooNote[];
}
export interface WooApiKey {
  keyId: number;
  userId: number;
  description: string;
  permissions: "read" | "write" | "read_write";
  consumerKey: string;
  consumerSecret: string;
  nonces: Map<string, number>;
}
export interface WooDelivery {
  at: Date;
  orderId?: number;
  kind: "ping" | "delivery";
  httpStatus: number;
  error?: string;
}
export interface WooWebhookRecord {
  id: number;
  name: string;
  status: "active" | "paused" | "disabled";
  topic: string;
  deliveryUrl: string;
  secret: string;
  userId: number;
  createdAt: Date;
  modifiedAt: Date;
  failureCount: number;
  deliveries: WooDelivery[];
}

export const ADMIN_USER_ID = 1;

export function localDate(d: Date | null): string | null {
  return d ? toLimaIso(d).slice(0, 19) : null;
}
export function gmtDate(d: Date | null): string | null {
  return d ? d.toISOString().slice(0, 19) : null;
}

export function hex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

/** The first post id of a store that was not told otherwise (WordPress-like). */
export const FIRST_POST_ID = 4821;

/**
 * The first id of a counter that starts at `first`, for a run started at `now`: `first` plus the
 * seconds since 2026-01-01 UTC (never less than `first`). A run would have to hand out more than
 * one id per second of its life to reach the next run's ids. `pnpm start` uses it for the demo
 * store's post ids and the sandbox's CIP numbers: both forget theirs on restart, the apps do not.
 */
export function firstIdAt(first: number, now: Date): number {
  return first + Math.max(0, Math.floor((now.getTime() - Date.UTC(2026, 0, 1)) / 1000));
}

/**
 * The first post id of a run started at `now`, for a store connected to a bridge whose data
 * outlives this store's memory (`pnpm start`): a restarted store must not hand out an order id the
 * bridge already has a voucher for (a second order #4821 with another total is refused; with the
 * same total it would get the old run's CIP).
 */
export function firstPostIdAt(now: Date): number {
  return firstIdAt(FIRST_POST_ID, now);
}

export class WooState {
  readonly orders = new Map<number, WooOrderRecord>();
  readonly refunds = new Map<number, WooRefundRecord>();
  readonly keys = new Map<number, WooApiKey>();
  readonly webhooks = new Map<number, WooWebhookRecord>();
  /** The PHP plugin's settings (bridge URL, store id, shared secret). */
  plugin = { storeId: "", sharedSecret: "" };
  /**
   * Post ids are shared by orders and refunds, as in WordPress, where they are never reused.
   * This store forgets its orders on restart while the bridge may keep its vouchers (keyed by
   * store and order id): `pnpm start` passes firstPostIdAt(now) so a run starts after the last.
   */
  private nextPostId: number;
  private nextItemId = 915;
  private nextMetaId = 50211;
  private nextNoteId = 1187;
  private nextKeyId = 14;
  private nextWebhookId = 7;

  constructor(firstPostId = FIRST_POST_ID) {
    this.nextPostId = firstPostId;
  }

  postId(): number {
    return this.nextPostId++;
  }
  itemId(): number {
    return this.nextItemId++;
  }
  metaId(): number {
    return this.nextMetaId++;
  }
  noteId(): number {
    return this.nextNoteId++;
  }
  keyId(): number {
    return this.nextKeyId++;
  }
  webhookId(): number {
    return this.nextWebhookId++;
  }

  refundedMinor(order: WooOrderRecord): number {
    return order.refundIds.reduce((s, id) => s + (this.refunds.get(id)?.amountMinor ?? 0), 0);
  }

  meta(order: WooOrderRecord, key: string): unknown {
    return order.meta.find((m) => m.key === key)?.value;
  }

  /** WC's update_meta_data without an id: first row gets the value, duplicates go, else add. */
  setMeta(order: WooOrderRecord, key: string, value: unknown, id?: number): void {
    if (id !== undefined) {
      const row = order.meta.find((m) => m.id === id);
      if (row) {
        if (value === null) order.meta = order.meta.filter((m) => m !== row);
        else {
          row.key = key;
          row.value = value;
        }
        return;
      }
    }
    const rows = order.meta.filter((m) => m.key === key);
    if (value === null) {
      order.meta = order.meta.filter((m) => m.key !== key);
      return;
    }
    if (rows.length === 0) {
      order.meta.push({ id: this.metaId(), key, value });
      return;
    }
    rows[0]!.value = value;
    order.meta = order.meta.filter((m) => m.key !== key || m === rows[0]);
  }

  addNote(
    order: WooOrderRecord,
    note: string,
    now: Date,
    opts: { customer?: boolean; byUser?: boolean } = {},
  ): WooNote {
    const n: WooNote = {
      id: this.noteId(),
      note,
      customerNote: !!opts.customer,
      addedByUser: !!opts.byUser,
      createdAt: now,
    };
    order.notes.push(n);
    return n;
  }
}

const money = (minor: number) => formatDecimal(minor);

export function needsPayment(o: WooOrderRecord): boolean {
  return (o.status === "pending" || o.status === "failed") && o.totalMinor > 0;
}

export function orderToRest(
  state: WooState,
  o: WooOrderRecord,
  storeUrl: string,
): Record<string, unknown> {
  const api = `${storeUrl}/wp-json/wc/v3`;
  const refunds = [...o.refundIds]
    .sort((a, b) => b - a)
    .map((id) => state.refunds.get(id))
    .filter((r): r is WooRefundRecord => !!r)
    .map((r) => ({ id: r.id, reason: r.reason, total: `-${money(r.amountMinor)}` }));
  const { email: _shippingEmail, ...shipping } = o.shipping;
  return {
    id: o.id,
    parent_id: 0,
    status: o.status,
    currency: o.currency,
    version: "9.8.1",
    prices_include_tax: false,
    date_created: localDate(o.createdAt),
    date_modified: localDate(o.modifiedAt),
    discount_total: "0.00",
    discount_tax: "0.00",
    shipping_total: money(o.shipping_line.totalMinor),
    shipping_tax: "0.00",
    cart_tax: "0.00",
    total: money(o.totalMinor),
    total_tax: "0.00",
    customer_id: o.customerId,
    order_key: o.orderKey,
    billing: o.billing,
    shipping,
    payment_method: o.paymentMethod,
    payment_method_title: o.paymentMethodTitle,
    transaction_id: o.transactionId,
    customer_ip_address: "127.0.0.1",
    customer_user_agent: "Navegador de la tienda de demostración",
    created_via: o.createdVia,
    customer_note: o.customerNote,
    date_completed: localDate(o.completedAt),
    date_paid: localDate(o.paidAt),
    cart_hash: "",
    number: String(o.id),
    meta_data: o.meta.map((m) => ({ id: m.id, key: m.key, value: m.value })),
    line_items: o.lines.map((l) => ({
      id: l.id,
      name: l.name,
      product_id: l.productId,
      variation_id: 0,
      quantity: l.quantity,
      tax_class: "",
      subtotal: money(l.totalMinor),
      subtotal_tax: "0.00",
      total: money(l.totalMinor),
      total_tax: "0.00",
      taxes: [],
      meta_data: [],
      sku: l.sku,
      // A float, like WooCommerce (total / quantity): never used for money math.
      price: l.totalMinor / 100 / l.quantity,
      image: { id: "", src: "" },
      parent_name: null,
    })),
    tax_lines: [],
    shipping_lines: [
      {
        id: o.shipping_line.id,
        method_title: o.shipping_line.methodTitle,
        method_id: "flat_rate",
        instance_id: "1",
        total: money(o.shipping_line.totalMinor),
        total_tax: "0.00",
        taxes: [],
        meta_data: [],
      },
    ],
    fee_lines: [],
    coupon_lines: [],
    refunds,
    payment_url: `${storeUrl}/finalizar-compra/order-pay/${o.id}/?pay_for_order=true&key=${o.orderKey}`,
    is_editable: ["pending", "on-hold", "checkout-draft"].includes(o.status),
    needs_payment: needsPayment(o),
    needs_processing: true,
    date_created_gmt: gmtDate(o.createdAt),
    date_modified_gmt: gmtDate(o.modifiedAt),
    date_completed_gmt: gmtDate(o.completedAt),
    date_paid_gmt: gmtDate(o.paidAt),
    currency_symbol: "S/",
    _links: {
      self: [
        {
          href: `${api}/orders/${o.id}`,
          targetHints: { allow: ["GET", "POST", "PUT", "PATCH", "DELETE"] },
        },
      ],
      collection: [{ href: `${api}/orders` }],
      ...(o.customerId ? { customer: [{ href: `${api}/customers/${o.customerId}` }] } : {}),
    },
  };
}

export function refundToRest(r: WooRefundRecord, storeUrl: string): Record<string, unknown> {
  const api = `${storeUrl}/wp-json/wc/v3`;
  return {
    id: r.id,
    date_created: localDate(r.createdAt),
    date_created_gmt: gmtDate(r.createdAt),
    amount: money(r.amountMinor),
    reason: r.reason,
    refunded_by: r.refundedBy,
    refunded_payment: r.refundedPayment,
    meta_data: [],
    line_items: r.lines.map((l) => ({
      id: l.id,
      name: l.name,
      product_id: l.productId,
      variation_id: 0,
      quantity: -l.quantity,
      tax_class: "",
      subtotal: `-${money(l.totalMinor)}`,
      subtotal_tax: "0.00",
      total: `-${money(l.totalMinor)}`,
      total_tax: "0.00",
      taxes: [],
      meta_data: [
        {
          id: l.id,
          key: "_refunded_item_id",
          value: String(l.refundedItemId),
          display_key: "_refunded_item_id",
          display_value: String(l.refundedItemId),
        },
      ],
      sku: l.sku,
      price: l.quantity ? l.totalMinor / 100 / l.quantity : 0,
      image: { id: "", src: "" },
      parent_name: null,
    })),
    shipping_lines: [],
    tax_lines: [],
    fee_lines: [],
    _links: {
      self: [
        {
          href: `${api}/orders/${r.orderId}/refunds/${r.id}`,
          targetHints: { allow: ["GET", "DELETE"] },
        },
      ],
      collection: [{ href: `${api}/orders/${r.orderId}/refunds` }],
      up: [{ href: `${api}/orders/${r.orderId}` }],
    },
  };
}

export function noteToRest(orderId: number, n: WooNote, storeUrl: string): Record<string, unknown> {
  const api = `${storeUrl}/wp-json/wc/v3`;
  return {
    id: n.id,
    author: n.addedByUser ? "admin" : "WooCommerce",
    date_created: localDate(n.createdAt),
    date_created_gmt: gmtDate(n.createdAt),
    note: n.note,
    customer_note: n.customerNote,
    _links: {
      self: [
        {
          href: `${api}/orders/${orderId}/notes/${n.id}`,
          targetHints: { allow: ["GET", "DELETE"] },
        },
      ],
      collection: [{ href: `${api}/orders/${orderId}/notes` }],
      up: [{ href: `${api}/orders/${orderId}` }],
    },
  };
}

export function webhookToRest(w: WooWebhookRecord, storeUrl: string): Record<string, unknown> {
  const [resource, event] = w.topic.split(".");
  return {
    id: w.id,
    name: w.name,
    status: w.status,
    topic: w.topic,
    resource,
    event,
    hooks:
      w.topic === "order.updated" ? ["woocommerce_update_order", "woocommerce_order_refunded"] : [],
    delivery_url: w.deliveryUrl,
    secret: w.secret,
    date_created: localDate(w.createdAt),
    date_created_gmt: gmtDate(w.createdAt),
    date_modified: localDate(w.modifiedAt),
    date_modified_gmt: gmtDate(w.modifiedAt),
    _links: {
      self: [{ href: `${storeUrl}/wp-json/wc/v3/webhooks/${w.id}` }],
      collection: [{ href: `${storeUrl}/wp-json/wc/v3/webhooks` }],
    },
  };
}
