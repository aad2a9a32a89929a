import { formatDecimal, formatMoneyForShopper } from "@pe-pay/core";
import type { DemoContext } from "../context";
import { escapeHtml, pluginDeadline } from "../html";
import type { BridgeClient } from "./plugin";
import {
  ADMIN_USER_ID,
  hex,
  needsPayment,
  STATUS_LABEL,
  type Address,
  type OrderStatus,
  type WooOrderRecord,
  type WooRefundRecord,
} from "./state";
import type { WebhookDispatcher } from "./webhooks";

/** A WP_Error: `data` is either `{status}` or a bare number (→ HTTP 500, see contract §6). */
export class WpError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly data: unknown,
  ) {
    super(message);
  }
  get httpStatus(): number {
    const d = this.data as { status?: unknown } | null;
    return d && typeof d === "object" && typeof d.status === "number" ? d.status : 500;
  }
  toBody(): Record<string, unknown> {
    return { code: this.code, message: this.message, data: this.data };
  }
}

export const WOO_PRODUCTS = [
  {
    productId: 210,
    key: "cafe",
    name: "Café tostado de Chanchamayo 500 g",
    sku: "CAF-CHA-500",
    unitMinor: 3490,
  },
  {
    productId: 233,
    key: "chocolate",
    name: "Chocolate 70% cacao de Piura",
    sku: "CHO-PIU-70",
    unitMinor: 1850,
  },
] as const;
export const WOO_SHIPPING_MINOR = 1200;

export const PE = {
  cip: "_pagoefectivo_cip",
  expiresAt: "_pagoefectivo_cip_expires_at",
  cipUrl: "_pagoefectivo_cip_url",
  voucherUrl: "_pagoefectivo_voucher_url",
  voucherId: "_pagoefectivo_voucher_id",
  attempt: "_pagoefectivo_attempt",
} as const;

const pen = (minor: number) => formatMoneyForShopper({ minor, currency: "PEN" });

/** The order's thank-you page ("pedido recibido"); its key lets a guest in. */
export function orderReceivedPath(o: Pick<WooOrderRecord, "id" | "orderKey">): string {
  return `/woo/finalizar-compra/pedido-recibido/${o.id}?key=${o.orderKey}`;
}

/** Order operations with WooCommerce's side effects: notes, dates, mails, webhooks. */
export class WooOrders {
  constructor(
    private readonly ctx: DemoContext,
    private readonly hooks: WebhookDispatcher,
    private readonly bridge: BridgeClient,
  ) {}

  private get state() {
    return this.ctx.woo;
  }

  create(input: {
    billing: Address;
    quantities: Record<string, number>;
    customerNote: string;
  }): WooOrderRecord {
    const now = this.ctx.clock.now();
    const lines = WOO_PRODUCTS.filter((p) => (input.quantities[p.key] ?? 0) > 0).map((p) => ({
      id: this.state.itemId(),
      name: p.name,
      productId: p.productId,
      quantity: input.quantities[p.key]!,
      totalMinor: p.unitMinor * input.quantities[p.key]!,
      sku: p.sku,
    }));
    const { email: _email, ...shipping } = input.billing;
    const order: WooOrderRecord = {
      id: this.state.postId(),
      status: "pending",
      currency: "PEN",
      createdAt: now,
      modifiedAt: now,
      paidAt: null,
      completedAt: null,
      customerId: 0,
      orderKey: `wc_order_${hex(7)}`,
      billing: input.billing,
      shipping: { ...shipping, phone: "" },
      paymentMethod: "pagoefectivo",
      paymentMethodTitle: "PagoEfectivo",
      transactionId: "",
      createdVia: "checkout",
      customerNote: input.customerNote,
      meta: [],
      lines,
      shipping_line: {
        id: this.state.itemId(),
        methodTitle: "Envío a Lima Metropolitana",
        totalMinor: WOO_SHIPPING_MINOR,
      },
      totalMinor: lines.reduce((s, l) => s + l.totalMinor, 0) + WOO_SHIPPING_MINOR,
      refundIds: [],
      notes: [],
    };
    this.state.orders.set(order.id, order);
    this.hooks.queue("order.created", order.id);
    return order;
  }

  /** $order->save(): bumps date_modified and fires woocommerce_update_order → order.updated. */
  save(order: WooOrderRecord): void {
    order.modifiedAt = this.ctx.clock.now();
    this.hooks.queue("order.updated", order.id);
  }

  /** $order->update_status(): note, paid/completed dates, customer mails, then save. */
  setStatus(
    order: WooOrderRecord,
    to: OrderStatus,
    note = "",
    opts: { byUser?: boolean } = {},
  ): void {
    const from = order.status;
    if (from === to) {
      if (note) this.state.addNote(order, note, this.ctx.clock.now(), opts);
      this.save(order);
      return;
    }
    const now = this.ctx.clock.now();
    order.status = to;
    if ((to === "processing" || to === "completed") && !order.paidAt) order.paidAt = now;
    if (to === "completed") order.completedAt = now;
    this.state.addNote(
      order,
      `${note ? `${note} ` : ""}Estado del pedido cambiado de ${STATUS_LABEL[from]} a ${STATUS_LABEL[to]}.`,
      now,
      opts,
    );
    this.save(order);
    this.statusMail(order, to);
  }

  private statusMail(order: WooOrderRecord, to: OrderStatus): void {
    const email = order.billing.email;
    if (!email) return;
    const store = "Tienda demo (WooCommerce)";
    if (to === "on-hold") {
      const cip = String(this.state.meta(order, PE.cip) ?? "");
      const url = String(this.state.meta(order, PE.voucherUrl) ?? "");
      const expires = pluginDeadline(String(this.state.meta(order, PE.expiresAt) ?? ""));
      this.ctx.mail.add({
        to: email,
        from: "tienda-woo@demo.local",
        subject: `Tu pedido de ${store} ha sido recibido`,
        text: `Hola ${order.billing.first_name}:\n\nRecibimos tu pedido #${order.id} por ${pen(order.totalMinor)}. Está en espera hasta que pagues.\n${cip ? `\nCódigo CIP de PagoEfectivo: ${cip}\nPágalo antes de: ${expires}\nInstrucciones: ${url}\n` : ""}`,
        html: `<p>Hola ${escapeHtml(order.billing.first_name)}:</p><p>Recibimos tu pedido #${order.id} por ${escapeHtml(pen(order.totalMinor))}. Está en espera hasta que pagues.</p>${cip ? `<p>Código CIP de PagoEfectivo: <strong>${escapeHtml(cip)}</strong><br>Págalo antes de: ${escapeHtml(expires)}</p><p><a href="${escapeHtml(url)}">Ver instrucciones de pago</a></p>` : ""}`,
      });
    } else if (to === "processing") {
      this.ctx.mail.add({
        to: email,
        from: "tienda-woo@demo.local",
        subject: `Tu pedido de ${store} se está procesando`,
        text: `Hola ${order.billing.first_name}:\n\nRecibimos tu pago. Tu pedido #${order.id} por ${pen(order.totalMinor)} se está procesando.`,
      });
    } else if (to === "refunded") {
      this.ctx.mail.add({
        to: email,
        from: "tienda-woo@demo.local",
        subject: `Tu pedido de ${store} fue reembolsado`,
        text: `Hola ${order.billing.first_name}:\n\nTu pedido #${order.id} fue reembolsado por completo.`,
      });
    }
  }

  /**
   * WC_Gateway_PagoEfectivo::process_payment: ask the bridge for a CIP, store the meta, then
   * on-hold with a note. Nothing is written on failure (the order stays pending, retryable).
   */
  async processPayment(
    order: WooOrderRecord,
  ): Promise<{ ok: true } | { ok: false; message: string }> {
    const attempt = Number(this.state.meta(order, PE.attempt) ?? 0) + 1;
    const result = await this.bridge.createVoucher({
      order_id: order.id,
      attempt,
      order_number: String(order.id),
      amount: formatDecimal(order.totalMinor),
      currency: order.currency,
      email: order.billing.email ?? "",
      first_name: order.billing.first_name,
      last_name: order.billing.last_name,
      phone: order.billing.phone,
      // Where the voucher page's "Volver a la tienda" leads. The plugin sends My Account › order
      // for a registered customer; this store has no My Account, so always the thank-you page.
      return_url: `${this.ctx.publicUrl()}${orderReceivedPath(order)}`,
    });
    if (!result.ok || !result.data.cip) {
      const message =
        !result.ok && result.shopperMessage
          ? result.shopperMessage
          : "No pudimos generar tu código de pago PagoEfectivo. Inténtalo de nuevo en unos minutos o elige otro medio de pago.";
      this.ctx.log(
        `woo: voucher for order ${order.id} failed (${result.ok ? "no cip" : result.code})`,
      );
      return { ok: false, message };
    }
    const d = result.data;
    const str = (k: string) => (d[k] === undefined || d[k] === null ? "" : String(d[k]));
    this.state.setMeta(order, PE.cip, str("cip"));
    this.state.setMeta(order, PE.expiresAt, str("expires_at"));
    this.state.setMeta(order, PE.cipUrl, str("cip_url"));
    this.state.setMeta(order, PE.voucherUrl, str("voucher_url"));
    this.state.setMeta(order, PE.voucherId, str("voucher_id"));
    this.state.setMeta(order, PE.attempt, String(attempt));
    this.save(order);
    this.setStatus(order, "on-hold", `Esperando el pago en PagoEfectivo (CIP ${str("cip")}).`);
    return { ok: true };
  }

  /**
   * wc_create_refund (+ the REST checks): the record is written first; with `api_refund` the
   * gateway's process_refund runs synchronously and a failure deletes the record again.
   */
  async createRefund(
    order: WooOrderRecord,
    input: {
      amountMinor: number;
      reason: string;
      apiRefund: boolean;
      lines: WooRefundRecord["lines"];
      refundedBy: number;
    },
  ): Promise<WooRefundRecord> {
    const remaining = order.totalMinor - this.state.refundedMinor(order);
    if (input.amountMinor <= 0 || input.amountMinor > remaining) {
      throw new WpError(
        "woocommerce_rest_cannot_create_order_refund",
        "Invalid refund amount.",
        500,
      );
    }
    const now = this.ctx.clock.now();
    const refund: WooRefundRecord = {
      id: this.state.postId(),
      orderId: order.id,
      amountMinor: input.amountMinor,
      reason: input.reason,
      createdAt: now,
      refundedBy: input.refundedBy,
      refundedPayment: false,
      lines: input.lines,
    };
    this.state.refunds.set(refund.id, refund);
    order.refundIds.push(refund.id);
    if (input.apiRefund) {
      const failure = await this.gatewayRefund(order, refund);
      if (failure) {
        this.state.refunds.delete(refund.id);
        order.refundIds = order.refundIds.filter((id) => id !== refund.id);
        throw new WpError("woocommerce_rest_cannot_create_order_refund", failure, 500);
      }
      refund.refundedPayment = true;
    }
    if (order.totalMinor - this.state.refundedMinor(order) === 0) {
      this.setStatus(order, "refunded", "Pedido reembolsado totalmente.");
    } else {
      this.save(order); // woocommerce_order_refunded → order.updated
    }
    return refund;
  }

  /** The payment gateway named by the order (only PagoEfectivo is installed): process_refund. */
  private async gatewayRefund(
    order: WooOrderRecord,
    refund: WooRefundRecord,
  ): Promise<string | null> {
    if (order.paymentMethod !== "pagoefectivo")
      return "The payment gateway for this order does not exist.";
    const refundId = Math.max(0, ...order.refundIds);
    const result = await this.bridge.requestRefund({
      order_id: order.id,
      wc_refund_id: refundId,
      amount: formatDecimal(refund.amountMinor),
      currency: order.currency,
      reason: refund.reason,
    });
    if (!result.ok) return result.message;
    this.state.addNote(
      order,
      `Reembolso de ${formatDecimal(refund.amountMinor)} solicitado a PagoEfectivo; pendiente de confirmación.`,
      this.ctx.clock.now(),
    );
    return null;
  }

  deleteRefund(order: WooOrderRecord, refund: WooRefundRecord): void {
    this.state.refunds.delete(refund.id);
    order.refundIds = order.refundIds.filter((id) => id !== refund.id);
    // WC ≥ 11.2 sends order.updated for the parent; the status is not reverted.
    this.save(order);
  }

  /** payment_complete(): only when needs_payment() holds. */
  paymentComplete(order: WooOrderRecord, transactionId: string): void {
    if (!needsPayment(order)) return;
    if (transactionId) order.transactionId = transactionId;
    this.setStatus(order, "processing", "Pago completado.");
  }

  newAdminUserId(): number {
    return ADMIN_USER_ID;
  }
}
