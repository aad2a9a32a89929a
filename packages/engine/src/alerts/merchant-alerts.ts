/**
 * Open alerts as the merchant reads them: what happened and what to do, in Spanish and English.
 * Texts never quote secrets or shopper data; details stay ids, counts and amounts.
 */
import {
  ATTENTION_KINDS,
  describeAttention,
  formatDecimal,
  NotFoundError,
  type AttentionKind,
  type LocalizedMessage,
} from "@pe-pay/core";
import type { EngineContext } from "../context";
import { listOpenAlerts, resolveAlert, type AlertRecord } from "../db/alerts";

export type AlertSeverity = "critical" | "warning";

export interface MerchantAlert {
  id: number;
  kind: string;
  severity: AlertSeverity;
  title: LocalizedMessage;
  /** What happened. */
  message: LocalizedMessage;
  /** What the merchant should do about it. */
  action: LocalizedMessage;
  occurrences: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  detail: Record<string, unknown>;
}

const OUTBOX_KIND_TEXT: Record<string, LocalizedMessage> = {
  "voucher.pending": { es: "pedido pendiente de pago", en: "order awaiting payment" },
  "voucher.paid": { es: "pedido pagado", en: "order paid" },
  "voucher.expired": { es: "código CIP vencido", en: "CIP expired" },
  "voucher.cancelled": { es: "pedido cancelado", en: "order cancelled" },
  "refund.succeeded": { es: "reembolso completado", en: "refund completed" },
  "refund.failed": { es: "reembolso fallido", en: "refund failed" },
  "attention.raised": { es: "aviso de revisión", en: "review notice" },
};

const ENGINE_ATTENTION_TEXT: Record<string, LocalizedMessage> = {
  refund_outcome_conflict: {
    es: "PagoEfectivo informó un resultado de reembolso que contradice el que ya habíamos registrado (completado y rechazado). Revise el reembolso en su panel de PagoEfectivo y corrija el pedido a mano.",
    en: "PagoEfectivo reported a refund outcome that contradicts the one already recorded (completed and rejected). Check the refund in your PagoEfectivo dashboard and correct the order by hand.",
  },
  refund_unrecorded: {
    es: "PagoEfectivo completó un reembolso que no pudimos registrar en el pedido. Revise el pedido y el reembolso en su panel de PagoEfectivo.",
    en: "PagoEfectivo completed a refund we could not record on the order. Check the order and the refund in your PagoEfectivo dashboard.",
  },
};

const str = (v: unknown, fallback = ""): string => (typeof v === "string" ? v : fallback);
const num = (v: unknown): number => (typeof v === "number" ? v : Number(v ?? 0));

/**
 * Raised by an adapter when the platform refuses the app's credentials for good (a revoked
 * Shopify refresh token, deleted WooCommerce REST keys); resolved when the store authorizes the
 * app again.
 */
export const PLATFORM_REAUTHORIZATION_ALERT = "platform_reauthorization_required";

export function describeAlert(a: AlertRecord): MerchantAlert {
  const d = (a.detail ?? {}) as Record<string, unknown>;
  const base = {
    id: a.id,
    kind: a.kind,
    occurrences: a.occurrences,
    firstSeenAt: a.createdAt,
    lastSeenAt: a.lastSeenAt,
    detail: d,
  };
  switch (a.kind) {
    case "refund_rate": {
      const refunds = num(d.refunds);
      const payments = num(d.payments);
      const pct = payments > 0 ? ` (${Math.round((refunds / payments) * 1000) / 10} %)` : "";
      return {
        ...base,
        severity: "warning",
        title: { es: "Muchos reembolsos hoy", en: "High refund rate today" },
        message: {
          es: `El ${str(d.day)} (hora de Lima) se pidieron ${refunds} reembolsos para ${payments} pagos${pct}: más del 5 % de los pagos del día.`,
          en: `On ${str(d.day)} (Lima time) ${refunds} refunds were requested against ${payments} payments${pct}: above 5 % of the day's payments.`,
        },
        action: {
          es: "Revise los reembolsos del día: confirme que los pidió su equipo y que no hay un error en la tienda ni pedidos fraudulentos.",
          en: "Review today's refunds: confirm your team requested them and that there is no store error or fraudulent orders.",
        },
      };
    }
    case "signature_failure": {
      const count = typeof d.count === "number" ? d.count : a.occurrences;
      return {
        ...base,
        severity: "critical",
        title: {
          es: "Notificaciones de PagoEfectivo con firma inválida",
          en: "PagoEfectivo notifications with an invalid signature",
        },
        message: {
          es: `Llegaron ${count} notificaciones con una firma que no pudimos verificar; no cambiaron ningún pedido.`,
          en: `${count} notifications arrived with a signature we could not verify; they changed no order.`,
        },
        action: {
          es: "Compruebe que la clave secreta (secretKey) configurada en la app sea la de su panel de PagoEfectivo. Si coincide, alguien podría estar enviando notificaciones falsas: avise a PagoEfectivo.",
          en: "Check that the secret key configured in the app matches the one in your PagoEfectivo dashboard. If it does, someone may be sending fake notifications: tell PagoEfectivo.",
        },
      };
    }
    case "dead_letter": {
      const what = OUTBOX_KIND_TEXT[str(d.kind)] ?? { es: str(d.kind), en: str(d.kind) };
      const error = str(d.error);
      return {
        ...base,
        severity: "critical",
        title: {
          es: "No pudimos actualizar un pedido en su tienda",
          en: "We could not update an order in your store",
        },
        message: {
          es: `La actualización «${what.es}» no llegó a su tienda tras reintentarla${error ? `: ${error}` : ""}.`,
          en: `The "${what.en}" update did not reach your store after retries${error ? `: ${error}` : ""}.`,
        },
        action: {
          es: "Actualice el pedido a mano en su tienda, o reintente el envío desde la app cuando la tienda esté disponible (revise que la app siga instalada y con permisos).",
          en: "Update the order by hand in your store, or retry the delivery from the app once the store is reachable (check the app is still installed with its permissions).",
        },
      };
    }
    case "attention_item": {
      const kind = str(d.attentionKind, a.key);
      const count = num(d.count ?? 1);
      const known = (ATTENTION_KINDS as readonly string[]).includes(kind)
        ? {
            es: describeAttention(kind as AttentionKind, "es"),
            en: describeAttention(kind as AttentionKind, "en"),
          }
        : ENGINE_ATTENTION_TEXT[kind];
      return {
        ...base,
        severity: "critical",
        title:
          count > 1
            ? {
                es: `${count} pagos requieren su atención`,
                en: `${count} payments need your attention`,
              }
            : { es: "Un pago requiere su atención", en: "A payment needs your attention" },
        message: known ?? {
          es: `Un pago o reembolso requiere revisión (${kind || "revisión"}).`,
          en: `A payment or refund needs review (${kind || "review"}).`,
        },
        action: {
          es: "Revise el pedido y resuélvalo como se indica; luego marque el aviso como resuelto.",
          en: "Review the order and resolve it as described; then mark the notice as resolved.",
        },
      };
    }
    case "credit_note_missing": {
      const amount = `${str(d.currency)} ${formatDecimal(num(d.amountMinor))}`.trim();
      return {
        ...base,
        severity: "warning",
        title: {
          es: "Reembolso esperando nota de crédito",
          en: "Refund waiting for a credit note",
        },
        message: {
          es: `El reembolso de ${amount} no se envió a PagoEfectivo: falta el número de nota de crédito SUNAT.`,
          en: `The ${amount} refund was not sent to PagoEfectivo: its SUNAT credit note number is missing.`,
        },
        action: {
          es: "Emita la nota de crédito e ingrese su número (por ejemplo F001-00000123) en el reembolso; se enviará a PagoEfectivo de inmediato.",
          en: "Issue the credit note and enter its number (e.g. F001-00000123) on the refund; it is sent to PagoEfectivo right away.",
        },
      };
    }
    case PLATFORM_REAUTHORIZATION_ALERT:
      return {
        ...base,
        severity: "critical",
        title: {
          es: "La app perdió el acceso a su tienda",
          en: "The app lost access to your store",
        },
        message: {
          es: "La tienda rechazó la autorización de la app: los pedidos pagados o vencidos no se pueden actualizar hasta que la autorice de nuevo. Las actualizaciones pendientes se guardan y se envían después.",
          en: "Your store refused the app's authorization: paid or expired orders cannot be updated until you authorize it again. Pending updates are kept and sent afterwards.",
        },
        action: {
          es: "Abra la app desde el panel de administración de su tienda para autorizarla de nuevo.",
          en: "Open the app from your store's admin to authorize it again.",
        },
      };
    default:
      return {
        ...base,
        severity: "warning",
        title: { es: "Aviso", en: "Notice" },
        message: { es: `Aviso del sistema (${a.kind}).`, en: `System notice (${a.kind}).` },
        action: {
          es: "Revise el detalle en la app o contacte a soporte.",
          en: "Check the details in the app or contact support.",
        },
      };
  }
}

/** Open alerts of a tenant, most critical first, then most recent. */
export async function listMerchantAlerts(
  ctx: EngineContext,
  tenantId: string,
): Promise<MerchantAlert[]> {
  const alerts = (await listOpenAlerts(ctx.db, tenantId)).map(describeAlert);
  const rank = (s: AlertSeverity) => (s === "critical" ? 0 : 1);
  return alerts.sort(
    (a, b) =>
      rank(a.severity) - rank(b.severity) || b.lastSeenAt.getTime() - a.lastSeenAt.getTime(),
  );
}

/** The merchant dismisses an alert (it comes back if the condition is raised again). */
export async function dismissMerchantAlert(
  ctx: EngineContext,
  input: { tenantId: string; alertId: number },
): Promise<void> {
  const open = await listOpenAlerts(ctx.db, input.tenantId);
  if (!open.some((a) => a.id === input.alertId)) throw new NotFoundError("alert not found");
  await resolveAlert(ctx.db, input.alertId, ctx.clock.now());
}
