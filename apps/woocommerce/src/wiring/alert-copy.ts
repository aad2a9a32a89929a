import { formatDecimal, formatMoneyForShopper, isCurrency, type AttentionKind } from "@pe-pay/core";
import type { MerchantAlert } from "@pe-pay/engine";

/**
 * The merchant alerts as this bridge's admin page words them: Spanish for Peru in usted, like
 * the rest of the page, and about WooCommerce (the engine's own texts address the merchant as
 * tú and speak of "la app"). Kinds the bridge does not know keep the engine's text.
 */
export interface AlertCopy {
  title: string;
  message: string;
  action: string;
}

const OUTBOX_KIND: Record<string, string> = {
  "voucher.pending": "pedido en espera de pago",
  "voucher.paid": "pedido pagado",
  "voucher.expired": "código CIP vencido",
  "voucher.cancelled": "código CIP anulado",
  "refund.succeeded": "reembolso completado",
  "refund.failed": "reembolso fallido",
  "attention.raised": "aviso de revisión",
};

const ATTENTION: Record<AttentionKind | "refund_outcome_conflict" | "refund_unrecorded", string> = {
  paid_after_expiry:
    "El cliente pagó el código CIP después de que venciera y el pedido ya estaba cancelado. Reactive el pedido si aún puede atenderlo, o devuelva el pago completo al cliente.",
  paid_after_cancellation:
    "El cliente pagó el código CIP después de que el pedido fuera cancelado. Reactive el pedido si aún puede atenderlo, o devuelva el pago completo al cliente.",
  paid_twice:
    "El pedido se pagó dos veces (también se pagó otro código CIP del mismo pedido). El pedido ya está pagado: devuelva el segundo pago al cliente.",
  amount_mismatch:
    "PagoEfectivo informó un pago cuyo monto o moneda no coincide con el pedido, por lo que no se marcó como pagado. Revise el pago en su panel de PagoEfectivo y devuélvalo al cliente; no entregue el pedido hasta resolverlo.",
  refund_outcome_conflict:
    "PagoEfectivo informó un resultado de reembolso que contradice el que ya se había registrado. Revise el reembolso en su panel de PagoEfectivo y corrija el pedido a mano.",
  refund_unrecorded:
    "PagoEfectivo completó un reembolso que no se pudo registrar en el pedido. Revise el pedido y el reembolso en su panel de PagoEfectivo.",
};

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number => (typeof v === "number" ? v : Number(v ?? 0));

export function alertCopy(a: MerchantAlert): AlertCopy {
  const d = a.detail;
  switch (a.kind) {
    case "refund_rate": {
      const refunds = num(d.refunds);
      const payments = num(d.payments);
      const pct = payments > 0 ? ` (${Math.round((refunds / payments) * 1000) / 10} %)` : "";
      return {
        title: "Muchos reembolsos hoy",
        message: `El ${str(d.day)} (hora de Lima) se pidieron ${refunds} reembolsos para ${payments} pagos${pct}: más del 5 % de los pagos del día.`,
        action:
          "Revise los reembolsos del día en WooCommerce: confirme que los pidió su equipo y que no hay un error en la tienda ni pedidos fraudulentos.",
      };
    }
    case "signature_failure":
      return {
        title: "Notificaciones de PagoEfectivo con firma inválida",
        message: `Llegaron ${typeof d.count === "number" ? d.count : a.occurrences} notificaciones con una firma que no pudimos verificar; no cambiaron ningún pedido.`,
        action:
          "Compruebe que la secret key guardada en esta página sea la de su panel de PagoEfectivo. Si coincide, alguien podría estar enviando notificaciones falsas: avise a PagoEfectivo.",
      };
    case "dead_letter": {
      const error = str(d.error);
      return {
        title: "No pudimos actualizar un pedido en WooCommerce",
        message: `La actualización «${OUTBOX_KIND[str(d.kind)] ?? str(d.kind)}» no llegó a su tienda${error ? `: ${error}` : ""}.`,
        action:
          "Actualice el pedido a mano en WooCommerce, o pulse «Reintentar» cuando la tienda esté disponible. Si WooCommerce rechaza las claves, vuelva a conectar la tienda desde el plugin.",
      };
    }
    case "attention_item": {
      const kind = str(d.attentionKind);
      const count = num(d.count ?? 1);
      return {
        title: count > 1 ? `${count} pagos requieren su atención` : "Un pago requiere su atención",
        message:
          ATTENTION[kind as keyof typeof ATTENTION] ??
          `Un pago o reembolso requiere revisión (${kind || "revisión"}).`,
        action:
          "Revise el pedido en WooCommerce (tiene una nota de PagoEfectivo) y resuélvalo como se indica; luego márquelo como resuelto aquí.",
      };
    }
    case "credit_note_missing": {
      const currency = str(d.currency);
      const amount = isCurrency(currency)
        ? formatMoneyForShopper({ minor: num(d.amountMinor), currency })
        : `${currency} ${formatDecimal(num(d.amountMinor))}`.trim();
      return {
        title: "Reembolso esperando nota de crédito",
        message: `El reembolso de ${amount} no se envió a PagoEfectivo: falta el número de la nota de crédito SUNAT.`,
        action:
          "Emita la nota de crédito e ingrese su número (por ejemplo F001-00000123); el reembolso se envía a PagoEfectivo de inmediato.",
      };
    }
    default:
      return { title: a.title.es, message: a.message.es, action: a.action.es };
  }
}
