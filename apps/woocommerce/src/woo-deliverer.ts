import { formatMoneyForShopper, toLimaIso } from "@pe-pay/core";
import type {
  DeliveryOutcome,
  OutboxMessage,
  PlatformDeliverer,
  TenantContext,
  VoucherView,
} from "./engine-ports";
import { WooApiError } from "./woo-client/errors";
import type { WooClient } from "./woo-client/client";

export type DelivererWooClient = Pick<
  WooClient,
  "getOrder" | "markPaid" | "cancelOrder" | "addNote" | "deleteRefund"
>;

export interface WooDelivererDeps {
  /** Builds a client from the tenant's decrypted credentials (`consumerKey`, `consumerSecret`). */
  clientFor(tenant: TenantContext): DelivererWooClient | Promise<DelivererWooClient>;
}

class PermanentDeliveryError extends Error {}

/** "15/03/2025 a las 18:46" in Lima time (UTC−05:00 all year). */
export function limaDateTime(date: Date): string {
  const iso = toLimaIso(date); // 2025-03-15T18:46:58-05:00
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)} a las ${iso.slice(11, 16)}`;
}

function orderIdOf(voucher: VoucherView): number {
  const raw = voucher.platformData.orderId;
  const id = typeof raw === "string" ? Number(raw) : raw;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) {
    throw new PermanentDeliveryError("voucher.platformData.orderId is missing or invalid");
  }
  return id;
}

function refundIdOf(message: OutboxMessage): number {
  const refund = message.payload.refund;
  const data = (refund as { platformData?: Record<string, unknown> } | undefined)?.platformData;
  const raw = data?.wcRefundId ?? refund?.platformRefundId;
  const id = typeof raw === "string" ? Number(raw) : raw;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) {
    throw new PermanentDeliveryError(
      "refund id (platformData.wcRefundId / platformRefundId) is missing",
    );
  }
  return id;
}

const ACTIVE_UNPAID = new Set(["on-hold", "pending", "failed"]);

/**
 * Turns outbox messages into WooCommerce REST calls. Messages arrive at least once, so each step
 * first reads the order and skips what is already done; a repeated note is the worst case.
 */
export function createWooDeliverer(deps: WooDelivererDeps): PlatformDeliverer {
  async function run(message: OutboxMessage, woo: DelivererWooClient): Promise<void> {
    const { voucher } = message.payload;
    const cip = voucher.cip ?? "(sin CIP)";
    switch (message.kind) {
      case "voucher.pending":
        return; // the plugin stored the CIP synchronously at checkout
      case "voucher.paid": {
        const orderId = orderIdOf(voucher);
        const paidAt = voucher.paidAt ?? message.createdAt;
        const order = await woo.getOrder(orderId);
        if (order.status === "cancelled" || order.status === "refunded") {
          // Never resurrect a cancelled order (its stock is back on sale); the engine raises an
          // attention item, this note makes it visible on the order too.
          await woo.addNote(
            orderId,
            `ATENCIÓN: el CIP ${cip} fue pagado el ${limaDateTime(paidAt)} (hora de Lima) pero el pedido ya estaba ${order.status === "cancelled" ? "cancelado" : "reembolsado"}. Revise el pedido y contacte al cliente.`,
          );
          return;
        }
        const alreadyPaid =
          order.transaction_id === voucher.cip &&
          order.status !== "on-hold" &&
          order.status !== "pending";
        if (!alreadyPaid)
          await woo.markPaid(orderId, { cip: voucher.cip ?? "", paidAt: toLimaIso(paidAt) });
        await woo.addNote(
          orderId,
          `Pago confirmado por PagoEfectivo: CIP ${cip} pagado el ${limaDateTime(paidAt)} (hora de Lima).`,
        );
        return;
      }
      case "voucher.expired": {
        const orderId = orderIdOf(voucher);
        const order = await woo.getOrder(orderId);
        if (!ACTIVE_UNPAID.has(order.status)) {
          if (order.status !== "cancelled") {
            await woo.addNote(
              orderId,
              `El CIP ${cip} de PagoEfectivo venció, pero el pedido está en estado "${order.status}"; no se canceló.`,
            );
          }
          return;
        }
        await woo.cancelOrder(orderId);
        await woo.addNote(
          orderId,
          `El CIP ${cip} de PagoEfectivo venció sin pago y fue anulado. Pedido cancelado.`,
        );
        return;
      }
      case "voucher.cancelled":
        await woo.addNote(
          orderIdOf(voucher),
          `El CIP ${cip} de PagoEfectivo fue anulado y ya no se puede pagar.`,
        );
        return;
      case "refund.succeeded": {
        const refund = message.payload.refund;
        const amount = refund ? formatMoneyForShopper(refund.amount) : "";
        await woo.addNote(
          orderIdOf(voucher),
          `Reembolso de ${amount} completado por PagoEfectivo (CIP ${cip}).`,
        );
        return;
      }
      case "refund.failed": {
        const orderId = orderIdOf(voucher);
        const refund = message.payload.refund;
        const refundId = refundIdOf(message);
        try {
          // Puts the order's refundable balance right again.
          await woo.deleteRefund(orderId, refundId);
        } catch (error) {
          // Already deleted on an earlier attempt (or by the merchant): the goal is reached.
          if (!(error instanceof WooApiError && error.kind === "not_found")) throw error;
        }
        const amount = refund ? formatMoneyForShopper(refund.amount) : "";
        const reason = refund?.failureReason ? ` Motivo: ${refund.failureReason}.` : "";
        await woo.addNote(
          orderId,
          `El reembolso de ${amount} por PagoEfectivo falló y se eliminó el registro de reembolso #${refundId}.${reason}`,
        );
        return;
      }
      case "attention.raised": {
        const attention = message.payload.attention;
        await woo.addNote(
          orderIdOf(voucher),
          `PagoEfectivo requiere su atención (${attention?.kind ?? "revisión"}): ${attention?.detail ?? ""}`.trim(),
          { customer: false },
        );
        return;
      }
      default: {
        const unknown: never = message.kind;
        throw new PermanentDeliveryError(`unknown outbox kind ${String(unknown)}`);
      }
    }
  }

  return {
    platform: "woocommerce",
    async deliver(message: OutboxMessage, tenant: TenantContext): Promise<DeliveryOutcome> {
      // Every creation enqueues one; no client is built for it (that would be wasted work).
      if (message.kind === "voucher.pending") return { status: "delivered" };
      try {
        await run(message, await deps.clientFor(tenant));
        return { status: "delivered" };
      } catch (error) {
        return outcomeFor(error);
      }
    },
  };
}

export function outcomeFor(error: unknown): DeliveryOutcome {
  if (error instanceof PermanentDeliveryError) return { status: "failed", error: error.message };
  if (error instanceof WooApiError) {
    return error.retryable
      ? { status: "retry", error: error.message }
      : { status: "failed", error: error.message };
  }
  // Unknown failures are treated as transient: the outbox retries for up to 72 h and a person
  // sees the dead letter after that, which beats dropping a payment update.
  return { status: "retry", error: error instanceof Error ? error.message : "unknown error" };
}
