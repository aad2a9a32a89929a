/**
 * Every word the merchant pages say, in Spanish (Peru, addressing the merchant as usted) and
 * English, kept as data so both languages stay side by side and can be reviewed together.
 */
import type { RefundRejectionCode } from "../merchant-messages";

export type UiLocale = "es" | "en";

/** What a refund failure text may quote, already formatted for the merchant. */
export interface RefundFailureFacts {
  /** above_balance: what is left to refund, e.g. "S/ 93.30" ("—" if unknown). */
  refundable: string;
  /** currency_mismatch: the payment's currency. */
  paymentCurrency: string;
  /** window_elapsed: the refund window in days. */
  windowDays: number;
  /** PagoEfectivo's own words or reason code, quoted as received ("" if none). */
  detail: string;
}

/** Why a refund failed, per reason; null: no words of ours (the detail, else `generic`). */
type RefundFailureTexts = Record<RefundRejectionCode, ((f: RefundFailureFacts) => string) | null>;

export const VOUCHER_STATUSES = [
  "pending",
  "paid",
  "expired",
  "cancelled",
  "partially_refunded",
  "refunded",
  "created",
] as const;
export type VoucherStatusName = (typeof VOUCHER_STATUSES)[number];

export const REFUND_STATUSES = ["requested", "submitted", "succeeded", "failed"] as const;

const es = {
  appName: "PagoEfectivo",
  navSettings: "Configuración",
  navDashboard: "Panel",
  otherLanguage: "English",
  logout: "Cerrar sesión",

  settings: "Configuración de PagoEfectivo",
  settingsSubtitle: "Pagos en efectivo y banca por internet con código CIP",
  credentials: "Credenciales de PagoEfectivo",
  credentialsHelp:
    "Las encuentra en el portal de PagoEfectivo. Deje la clave secreta vacía para conservar la guardada.",
  sandbox: "Sandbox (pruebas)",
  production: "Producción",
  stored: "Guardadas",
  idService: "ID de servicio",
  accessKey: "Access key",
  secretKey: "Secret key",
  secretKeyKeep: "Vacía: se conserva la guardada",
  active: "Entorno activo",
  activeHelp:
    "Los pedidos de prueba de Shopify solo se aceptan con el entorno sandbox: nunca se emite un CIP real para un pedido de prueba.",
  validityTitle: "Vigencia del código CIP",
  validityDescription:
    "Cuánto tiempo tiene el comprador para pagar. Al vencer, el código se anula en PagoEfectivo y el pedido se cancela.",
  validity: "Vigencia (horas)",
  validityHelp: (max: number) =>
    `Entre 1 y ${max} horas: Shopify cancela los pagos pendientes a las ~72 horas.`,
  hours: "horas",
  validityError: (max: number) => `Ingrese un número entero de horas, de 1 a ${max}.`,
  credentialsError: "Complete el ID de servicio (un número), la access key y la secret key.",
  channelsError: "Elija al menos un canal.",
  seriesError: "Use F o B seguida de tres letras o números, p. ej. F001.",
  nextNumberError: "Ingrese un número entero mayor que 0.",
  policyError: "Elija cómo se numeran las notas de crédito.",
  channels: "Canales de pago habilitados",
  channelsDescription: "Dónde puede pagar el comprador su código CIP. Elija al menos uno.",
  online_banking: "Banca por internet y apps",
  agents: "Agentes y bodegas",
  creditNote: "Notas de crédito para reembolsos (SUNAT)",
  creditNoteDescription:
    "PagoEfectivo pide el número de la nota de crédito electrónica de cada reembolso.",
  manual: "Manual: cada reembolso espera a que usted ingrese el número",
  series: "Serie automática: se asigna el siguiente número",
  seriesLabel: "Serie (p. ej. F001)",
  seriesHelp: "F o B seguida de tres letras o números.",
  nextNumber: "Siguiente número",
  check: "Probar conexión",
  save: "Guardar y activar",
  ok: "Conexión exitosa",
  saved: "Configuración guardada.",
  notConfigured: "Aún no ha configurado sus credenciales de PagoEfectivo.",
  notConfiguredHelp:
    "Ingrese las credenciales del entorno sandbox, pruebe la conexión y guarde para activar PagoEfectivo en su tienda.",
  configureFailed: "Guardamos la configuración, pero Shopify no aceptó la activación:",
  invalid: "Revise los campos marcados:",
  notificationUrl: "URL de notificación",
  notificationUrlHelp:
    "Péguela en el portal de PagoEfectivo (configuración del servicio) para que le avise de cada pago al instante.",

  dashboard: "Panel de PagoEfectivo",
  dashboardSubtitle: "Códigos CIP, reembolsos y avisos de su tienda",
  vouchers: "Códigos CIP",
  refunds: "Reembolsos",
  noRefunds: "Aún no hay reembolsos.",
  noVouchers: "No hay códigos CIP que coincidan.",
  attention: "Requiere su atención",
  nothing: "Nada pendiente: todos los pagos están en orden.",
  search: "Buscar por CIP o pedido",
  searchPlaceholder: "CIP o ID de la sesión de pago",
  status: "Estado",
  all: "Todos",
  filter: "Buscar",
  clear: "Limpiar",
  cip: "CIP",
  session: "Pedido (sesión de pago)",
  amount: "Monto",
  created: "Creado",
  expires: "Vence",
  paid: "Pagado",
  actions: "Acciones",
  limaTime: "Fechas en hora de Lima.",
  refundId: "Reembolso",
  creditNoteNumber: "Nota de crédito",
  enter: "Registrar",
  whatToDo: "Qué hacer:",
  heldRefundTitle: "Reembolso esperando nota de crédito",
  heldRefund:
    "Este reembolso espera el número de la nota de crédito SUNAT. Ingréselo para enviarlo a PagoEfectivo.",
  late: "Pago tardío",
  lateText: (cip: string) =>
    `El código CIP ${cip} sigue pendiente después de su vencimiento: estamos confirmando con PagoEfectivo.`,
  lateAction:
    "No necesita hacer nada: si el comprador pagó, el pedido se marcará como pagado; si no, se anulará.",
  dismiss: "Marcar como resuelto",
  occurrences: (n: number) => `${n} veces`,
  cancel: "Anular",
  cancelTitle: (cip: string) => `¿Anular el código CIP ${cip}?`,
  cancelText:
    "El código se eliminará en PagoEfectivo y el comprador ya no podrá pagarlo. Shopify marcará el pago del pedido como rechazado.",
  cancelPaidNote:
    "Si el comprador ya pagó, el pago se registra y el pedido queda pagado en lugar de anulado.",
  cancelConfirm: "Sí, anular el código",
  back: "Volver al panel",
  cancelled: (cip: string) => `Código CIP ${cip} anulado.`,
  cancelPaid: (cip: string) => `El código CIP ${cip} ya estaba pagado: el pedido queda pagado.`,
  cancelNotPending: "Este código ya no está pendiente; no hay nada que anular.",
  dismissed: "Aviso marcado como resuelto.",
  creditNoteSaved: "Número de nota de crédito registrado.",
  retry: "Reintentar envío",
  retryOrder: (what: string) => `Pedido: ${what}`,
  retried: (n: number) =>
    n > 1
      ? `Se volverán a enviar a su tienda ${n} actualizaciones de este pedido, en orden, en unos segundos.`
      : "La actualización se volverá a enviar a su tienda en unos segundos.",
  retriedHelp: "Si vuelve a fallar, el aviso aparecerá aquí de nuevo.",
  retryNotDead: "Esa actualización ya no está detenida: ya se volvió a enviar.",
  resolveItem: "Marcar como resuelto",
  resolveTitle: (title: string) => `Resolver: ${title}`,
  resolveIntro:
    "Indique qué hizo con este pago. Queda registrado y el aviso sale de la lista «Requiere su atención».",
  resolutionLabel: "¿Qué hizo?",
  resolutions: {
    refunded: "Devolví el pago fuera de la app (por ejemplo, una transferencia al comprador)",
    fulfilled: "Reactivé o atendí el pedido",
    other: "Otra cosa (explíquela en la nota)",
  } as Record<string, string>,
  noteLabel: "Nota (opcional)",
  noteHelp: (max: number) => `Hasta ${max} caracteres. No escriba datos personales del comprador.`,
  resolveConfirm: "Marcar como resuelto",
  resolutionError: "Elija qué hizo.",
  noteRequired: "Para «Otra cosa», describa brevemente qué hizo.",
  noteTooLong: (max: number) => `La nota admite hasta ${max} caracteres.`,
  resolved: "Marcado como resuelto: ya no está en la lista.",
  alreadyResolved: "Este aviso ya estaba resuelto.",
  exports: "Solicitudes de datos de clientes",
  exportsHelp:
    "Shopify las envía cuando un cliente pide sus datos. Descargue la exportación y entréguesela al cliente.",
  requestedAt: "Recibida",
  customer: "Cliente",
  vouchersCount: "Códigos CIP",
  download: "Descargar JSON",

  notFound: "Sesión no válida",
  openFromAdmin: "Abra la app desde el admin de Shopify (Apps → PagoEfectivo) para iniciar sesión.",
  loggedOut: "Sesión cerrada",
  loggedOutText:
    "Cerró su sesión en la app de PagoEfectivo. Para volver, ábrala desde el admin de Shopify (Apps → PagoEfectivo).",
  badCsrf: "El formulario venció. Vuelva a cargar la página.",
  notFoundItem: "No encontramos ese elemento. Vuelva al panel y actualícelo.",

  voucherStatus: {
    pending: "Pendiente",
    paid: "Pagado",
    expired: "Vencido",
    cancelled: "Anulado",
    partially_refunded: "Reembolsado en parte",
    refunded: "Reembolsado",
    created: "Creando",
  } as Record<string, string>,
  refundStatus: {
    requested: "Solicitado",
    submitted: "Enviado a PagoEfectivo",
    succeeded: "Completado",
    failed: "Rechazado",
  } as Record<string, string>,
  refundFailure: {
    reasons: {
      not_paid: () =>
        "El pedido no tiene un pago confirmado por PagoEfectivo: no hay nada que reembolsar.",
      above_balance: (f) =>
        `El monto supera el saldo reembolsable (${f.refundable}), contando los reembolsos ya hechos o en curso.`,
      window_elapsed: (f) =>
        `Pasaron más de ${f.windowDays} días desde el pago y PagoEfectivo ya no permite reembolsarlo. Acuerde la devolución con el comprador por otro medio.`,
      credit_note_missing: () =>
        "Falta el número de la nota de crédito SUNAT: el reembolso espera a que usted lo ingrese en este panel.",
      currency_mismatch: (f) =>
        `El reembolso debe hacerse en la moneda del pago (${f.paymentCurrency}).`,
      invalid_amount: () => "El monto debe ser mayor que cero, con dos decimales como máximo.",
      request_conflict: () =>
        "Este reembolso ya se pidió con otros datos (pedido, monto o motivo). Cree un reembolso nuevo desde Shopify.",
      environment_changed: () =>
        "El pago se hizo en otro entorno de PagoEfectivo (pruebas o producción) que el que la tienda usa ahora: no se puede reembolsar por PagoEfectivo. Acuerde la devolución con el comprador por otro medio.",
      pagoefectivo_refused: (f) =>
        f.detail ? `PagoEfectivo lo rechazó: «${f.detail}».` : "PagoEfectivo lo rechazó.",
      pagoefectivo_rejected: (f) =>
        f.detail ? `PagoEfectivo lo rechazó (código ${f.detail}).` : "PagoEfectivo lo rechazó.",
      other: null,
    } as RefundFailureTexts,
    detail: (detail: string) => `No se pudo completar el reembolso: «${detail}».`,
    generic: "PagoEfectivo no pudo completar el reembolso. Revise el pedido en Shopify.",
  },

  attentionKinds: {
    paid_twice: {
      title: "Pago doble",
      message:
        "El pedido se pagó dos veces: también se pagó otro código CIP del mismo pedido. El pedido ya está pagado.",
      action:
        "Devuelva el segundo pago desde el pedido en Shopify (Reembolsar) o contacte al comprador.",
    },
    paid_after_expiry: {
      title: "Pagado después de vencer",
      message:
        "El comprador pagó el código CIP después de su vencimiento, cuando el pedido ya estaba anulado.",
      action:
        "Reactive el pedido y despáchelo si aún puede atenderlo, o devuelva el pago completo.",
    },
    paid_after_cancellation: {
      title: "Pagado después de anular",
      message: "El comprador pagó un código CIP de un pedido que ya estaba cancelado.",
      action: "Cree el pedido a mano si aún puede atenderlo, o devuelva el pago completo.",
    },
    amount_mismatch: {
      title: "Monto distinto",
      message: "El monto pagado no coincide con el del pedido.",
      action: "Compare el monto pagado con el pedido y devuelva o cobre la diferencia.",
    },
    unknown_cip: {
      title: "Pago de un código CIP desconocido",
      message:
        "PagoEfectivo informó el pago de un código CIP que no corresponde a ningún pedido de esta app.",
      action:
        "Busque el código CIP en su panel de PagoEfectivo, ubique el pedido o al comprador, y atiéndalo o devuelva el pago.",
    },
    refund_unrecorded: {
      title: "Reembolso sin registrar",
      message: "PagoEfectivo completó un reembolso que no pudimos registrar en el pedido.",
      action:
        "Revise el pedido y el reembolso en su panel de PagoEfectivo y corrija el pedido a mano.",
    },
    refund_outcome_conflict: {
      title: "Resultado de reembolso contradictorio",
      message:
        "PagoEfectivo informó un resultado de reembolso distinto del que ya habíamos registrado.",
      action: "Revise el reembolso en su panel de PagoEfectivo y corrija el pedido a mano.",
    },
  } as Record<string, { title: string; message: string; action: string }>,
  attentionFallback: {
    title: "Revisión",
    action: "Revise el pedido en PagoEfectivo y en Shopify.",
  },
};

export type Copy = typeof es;

const en: Copy = {
  appName: "PagoEfectivo",
  navSettings: "Settings",
  navDashboard: "Dashboard",
  otherLanguage: "Español",
  logout: "Log out",

  settings: "PagoEfectivo settings",
  settingsSubtitle: "Cash and online banking payments with a CIP code",
  credentials: "PagoEfectivo credentials",
  credentialsHelp:
    "Find them in the PagoEfectivo portal. Leave the secret key empty to keep the stored one.",
  sandbox: "Sandbox (testing)",
  production: "Production",
  stored: "Stored",
  idService: "Service ID",
  accessKey: "Access key",
  secretKey: "Secret key",
  secretKeyKeep: "Empty: the stored one is kept",
  active: "Active environment",
  activeHelp:
    "Shopify test orders are only accepted in the sandbox environment: a real CIP is never issued for a test order.",
  validityTitle: "CIP validity",
  validityDescription:
    "How long the shopper has to pay. When it runs out, the code is deleted at PagoEfectivo and the order is cancelled.",
  validity: "Validity (hours)",
  validityHelp: (max: number) =>
    `Between 1 and ${max} hours: Shopify cancels pending payments after ~72 hours.`,
  hours: "hours",
  validityError: (max: number) => `Enter a whole number of hours, from 1 to ${max}.`,
  credentialsError: "Fill in the service ID (a number), the access key and the secret key.",
  channelsError: "Choose at least one channel.",
  seriesError: "Use F or B followed by three letters or digits, e.g. F001.",
  nextNumberError: "Enter a whole number above 0.",
  policyError: "Choose how credit notes are numbered.",
  channels: "Enabled payment channels",
  channelsDescription: "Where the shopper can pay the CIP code. Choose at least one.",
  online_banking: "Online banking and apps",
  agents: "Agents and corner shops",
  creditNote: "Credit notes for refunds (SUNAT)",
  creditNoteDescription: "PagoEfectivo asks for the electronic credit note number of each refund.",
  manual: "Manual: each refund waits for you to enter the number",
  series: "Automatic series: the next number is assigned",
  seriesLabel: "Series (e.g. F001)",
  seriesHelp: "F or B followed by three letters or digits.",
  nextNumber: "Next number",
  check: "Test connection",
  save: "Save and activate",
  ok: "Connection successful",
  saved: "Settings saved.",
  notConfigured: "You have not configured your PagoEfectivo credentials yet.",
  notConfiguredHelp:
    "Enter the sandbox credentials, test the connection and save to turn PagoEfectivo on in your store.",
  configureFailed: "Settings were saved, but Shopify did not accept the activation:",
  invalid: "Check the highlighted fields:",
  notificationUrl: "Notification URL",
  notificationUrlHelp:
    "Paste it in the PagoEfectivo portal (service settings) so every payment is reported at once.",

  dashboard: "PagoEfectivo dashboard",
  dashboardSubtitle: "Your store's CIP codes, refunds and notices",
  vouchers: "CIP codes",
  refunds: "Refunds",
  noRefunds: "No refunds yet.",
  noVouchers: "No CIP codes match.",
  attention: "Needs your attention",
  nothing: "Nothing pending: every payment is in order.",
  search: "Search by CIP or order",
  searchPlaceholder: "CIP or payment session ID",
  status: "Status",
  all: "All",
  filter: "Search",
  clear: "Clear",
  cip: "CIP",
  session: "Order (payment session)",
  amount: "Amount",
  created: "Created",
  expires: "Expires",
  paid: "Paid",
  actions: "Actions",
  limaTime: "Dates in Lima time.",
  refundId: "Refund",
  creditNoteNumber: "Credit note",
  enter: "Record",
  whatToDo: "What to do:",
  heldRefundTitle: "Refund waiting for a credit note",
  heldRefund:
    "This refund is waiting for its SUNAT credit note number. Enter it to send the refund to PagoEfectivo.",
  late: "Late payment",
  lateText: (cip: string) =>
    `CIP ${cip} is still pending after its expiry: we are checking with PagoEfectivo.`,
  lateAction:
    "Nothing to do: if the shopper paid, the order is marked paid; otherwise it is cancelled.",
  dismiss: "Mark as resolved",
  occurrences: (n: number) => `${n} times`,
  cancel: "Cancel",
  cancelTitle: (cip: string) => `Cancel CIP ${cip}?`,
  cancelText:
    "The code is deleted at PagoEfectivo and the shopper can no longer pay it. Shopify marks the order's payment as rejected.",
  cancelPaidNote:
    "If the shopper has already paid, the payment is recorded and the order stays paid instead.",
  cancelConfirm: "Yes, cancel the code",
  back: "Back to the dashboard",
  cancelled: (cip: string) => `CIP ${cip} cancelled.`,
  cancelPaid: (cip: string) => `CIP ${cip} had already been paid: the order stays paid.`,
  cancelNotPending: "This code is no longer pending; there is nothing to cancel.",
  dismissed: "Notice marked as resolved.",
  creditNoteSaved: "Credit note number recorded.",
  retry: "Retry delivery",
  retryOrder: (what: string) => `Order: ${what}`,
  retried: (n: number) =>
    n > 1
      ? `${n} updates for this order will be sent to your store again, in order, within a few seconds.`
      : "The update will be sent to your store again within a few seconds.",
  retriedHelp: "If it fails again, the notice comes back here.",
  retryNotDead: "That update is no longer on hold: it has already been sent again.",
  resolveItem: "Mark as resolved",
  resolveTitle: (title: string) => `Resolve: ${title}`,
  resolveIntro:
    "Say what you did about this payment. It is recorded and the item leaves the “Needs your attention” list.",
  resolutionLabel: "What did you do?",
  resolutions: {
    refunded: "I refunded the payment outside the app (for example, a transfer to the shopper)",
    fulfilled: "I reinstated or fulfilled the order",
    other: "Something else (explain it in the note)",
  },
  noteLabel: "Note (optional)",
  noteHelp: (max: number) => `Up to ${max} characters. Do not write the shopper's personal data.`,
  resolveConfirm: "Mark as resolved",
  resolutionError: "Choose what you did.",
  noteRequired: "For “Something else”, describe briefly what you did.",
  noteTooLong: (max: number) => `The note takes up to ${max} characters.`,
  resolved: "Marked as resolved: it is no longer in the list.",
  alreadyResolved: "This item had already been resolved.",
  exports: "Customer data requests",
  exportsHelp:
    "Shopify sends these when a customer asks for their data. Download the export and hand it to the customer.",
  requestedAt: "Received",
  customer: "Customer",
  vouchersCount: "CIP codes",
  download: "Download JSON",

  notFound: "Invalid session",
  openFromAdmin: "Open the app from the Shopify admin (Apps → PagoEfectivo) to sign in.",
  loggedOut: "Logged out",
  loggedOutText:
    "You have logged out of the PagoEfectivo app. To come back, open it from the Shopify admin (Apps → PagoEfectivo).",
  badCsrf: "The form expired. Reload the page.",
  notFoundItem: "We could not find that item. Go back to the dashboard and refresh it.",

  voucherStatus: {
    pending: "Pending",
    paid: "Paid",
    expired: "Expired",
    cancelled: "Cancelled",
    partially_refunded: "Partially refunded",
    refunded: "Refunded",
    created: "Creating",
  },
  refundStatus: {
    requested: "Requested",
    submitted: "Sent to PagoEfectivo",
    succeeded: "Completed",
    failed: "Refused",
  },
  refundFailure: {
    reasons: {
      not_paid: () =>
        "The order has no payment confirmed by PagoEfectivo: there is nothing to refund.",
      above_balance: (f) =>
        `The amount exceeds the refundable balance (${f.refundable}), counting refunds already made or in progress.`,
      window_elapsed: (f) =>
        `More than ${f.windowDays} days have passed since the payment and PagoEfectivo no longer allows refunding it. Arrange the return with the shopper another way.`,
      credit_note_missing: () =>
        "The SUNAT credit note number is missing: the refund waits for you to enter it in this dashboard.",
      currency_mismatch: (f) =>
        `The refund must be in the currency of the payment (${f.paymentCurrency}).`,
      invalid_amount: () => "The amount must be greater than zero, with at most two decimals.",
      request_conflict: () =>
        "This refund was already requested with different details (order, amount or reason). Create a new refund from Shopify.",
      environment_changed: () =>
        "The payment was made in another PagoEfectivo environment (test or production) than the one the store uses now: it cannot be refunded through PagoEfectivo. Arrange the return with the shopper another way.",
      pagoefectivo_refused: (f) =>
        f.detail ? `PagoEfectivo refused it: “${f.detail}”.` : "PagoEfectivo refused it.",
      pagoefectivo_rejected: (f) =>
        f.detail ? `PagoEfectivo rejected it (code ${f.detail}).` : "PagoEfectivo rejected it.",
      other: null,
    },
    detail: (detail: string) => `The refund could not be completed: “${detail}”.`,
    generic: "PagoEfectivo could not complete the refund. Check the order in Shopify.",
  },

  attentionKinds: {
    paid_twice: {
      title: "Paid twice",
      message:
        "The order was paid twice: another CIP for the same order was paid too. The order is already paid.",
      action: "Refund the second payment from the Shopify order (Refund) or contact the shopper.",
    },
    paid_after_expiry: {
      title: "Paid after expiry",
      message: "The shopper paid the CIP after it expired, when the order had already been voided.",
      action: "Reinstate and ship the order if you still can, or refund the full payment.",
    },
    paid_after_cancellation: {
      title: "Paid after cancellation",
      message: "The shopper paid a CIP of an order that had already been cancelled.",
      action: "Create the order by hand if you still can, or refund the full payment.",
    },
    amount_mismatch: {
      title: "Different amount",
      message: "The amount paid does not match the order.",
      action: "Compare the paid amount with the order and refund or collect the difference.",
    },
    unknown_cip: {
      title: "Payment of an unknown CIP",
      message: "PagoEfectivo reported a payment of a CIP that matches no order of this app.",
      action:
        "Look the CIP up in your PagoEfectivo dashboard, find the order or the shopper, and fulfil it or refund the payment.",
    },
    refund_unrecorded: {
      title: "Refund not recorded",
      message: "PagoEfectivo completed a refund we could not record on the order.",
      action:
        "Check the order and the refund in your PagoEfectivo dashboard and fix the order by hand.",
    },
    refund_outcome_conflict: {
      title: "Contradictory refund outcome",
      message: "PagoEfectivo reported a refund outcome different from the one already recorded.",
      action: "Check the refund in your PagoEfectivo dashboard and fix the order by hand.",
    },
  },
  attentionFallback: { title: "Review", action: "Check the order in PagoEfectivo and in Shopify." },
};

export const COPY: Record<UiLocale, Copy> = { es, en };
