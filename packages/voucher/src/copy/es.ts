import type { VoucherCopy } from "./types";

/**
 * Spanish (Peru), the default. Tone: TÚ throughout — Peruvian retail and bank apps speak to
 * shoppers with "tú"; keep it consistent when editing. Short sentences, verbs first: the reader
 * may be standing at a bodega counter with a weak signal.
 */
export const es: VoucherCopy = {
  version: "es-2026-11-1",
  htmlLang: "es-PE",
  // Bank apps are in Spanish whatever the page language: these are the words on their buttons.
  currencyOption: { PEN: "Soles", USD: "Dólares" },
  pageTitle: "Código de pago {cip} · {merchant}",
  orderLabel: "Pedido {order}",
  greetingWithName: "{name}, paga tu pedido en efectivo",
  greeting: "Paga tu pedido en efectivo",
  cipLabel: "Tu código de pago (CIP)",
  copyButton: "Copiar",
  copied: "CIP copiado",
  copyFailed: "No se pudo copiar. Mantén presionado el código para copiarlo.",
  amountLabel: "Monto a pagar",
  deadline: "Paga antes del {deadline}, hora de Lima.",
  countdown: "Te quedan {time}",
  countdownUnits: { day: "d", hour: "h", minute: "min", second: "s" },
  countdownOver: "El plazo terminó",
  afterDeadline: "Si no pagas a tiempo, el pedido se cancela y este código deja de funcionar.",
  afterPayment:
    "Cuando pagues, {merchant} recibe la confirmación automáticamente. No necesitas enviar tu comprobante.",
  howToPayTitle: "Cómo pagar",
  quickStart: {
    both: "En la app o web de tu banco, entra a Pago de servicios → PagoEfectivo. O ve a un agente y di que es un pago a PagoEfectivo.",
    online: "En la app o web de tu banco, entra a Pago de servicios → PagoEfectivo.",
    agents: "Ve a un agente o agencia y di que es un pago a PagoEfectivo.",
  },
  quickSteps: ["Ingresa o dicta tu código CIP {cip}.", "Paga exactamente {amount}."],
  groups: {
    online: {
      title: "Banca por internet o banca móvil",
      intro: "Paga desde la app o la web de tu banco, sin salir de casa.",
      steps: [
        "Entra a la app o a la banca por internet de {bank}.",
        "Busca la opción de pago de servicios (suele llamarse «Pagar servicios» o «Pago de servicios»).",
        "Busca la empresa «PagoEfectivo» y, si te pide elegir moneda, escoge {currencyOption}.",
        "Ingresa tu código CIP {cip}.",
        "Revisa que el monto sea {amount} y confirma el pago.",
      ],
      note: "Los nombres de los menús cambian según el banco y la versión de la app. Si no encuentras la opción, usa el buscador de la app y escribe «PagoEfectivo».",
    },
    agents: {
      title: "Agentes y agencias",
      intro: "Paga en efectivo en un agente o en la agencia de un banco.",
      steps: [
        "Ve a un agente o agencia de cualquiera de los lugares de la lista.",
        "Di que es un pago a PagoEfectivo.",
        "Dicta tu código CIP {cip} o muestra el código de barras.",
        "Paga exactamente {amount} y guarda tu comprobante.",
      ],
    },
  },
  channelSteps: {},
  chooseBank: "Elige tu banco:",
  agentPlaces: "Dónde:",
  barcodeTitle: "Código de barras",
  barcodeHint: "En el agente pueden escanearlo en lugar de escribir el CIP.",
  barcodeLabel: "Código de barras del CIP {cip}",
  qrTitle: "Tu código en PagoEfectivo",
  qrHint: "Escanéalo con otro celular para ver este mismo código en la página de PagoEfectivo.",
  qrLabel: "Código QR que abre tu código de pago en PagoEfectivo",
  qrLink: "Abrir en PagoEfectivo",
  print: "Descargar / Imprimir",
  printHint:
    "Para guardar este código usa «Imprimir» o «Compartir» en el menú de tu navegador, o toma una captura de pantalla.",
  returnToStore: "Volver a la tienda",
  chooseAnotherMethod: "Elegir otro método de pago",
  autoRefresh: "Esta página se actualiza sola cuando se registra tu pago.",
  paid: {
    title: "¡Pago recibido!",
    body: "Recibimos tu pago del pedido {order}. {merchant} ya tiene la confirmación.",
    amountLabel: "Monto pagado",
    nextSteps: [
      "Guarda el comprobante que te dio tu banco o el agente.",
      "{merchant} preparará tu pedido. Revisa tu correo para las novedades del envío.",
    ],
  },
  expired: {
    title: "Este código de pago venció",
    body: "El plazo terminó el {deadline}, hora de Lima, y el pedido {order} queda cancelado.",
    nextSteps: [
      "No pagues este CIP: ya no es válido.",
      "Si aún quieres tus productos, vuelve a la tienda y haz un nuevo pedido.",
      "¿Ya pagaste? Escríbele a {merchant} con tu comprobante.",
    ],
  },
  cancelled: {
    title: "Este pedido fue cancelado",
    body: "El pedido {order} se canceló y su código de pago ya no es válido.",
    nextSteps: ["No pagues este CIP.", "Si crees que es un error, comunícate con {merchant}."],
  },
  footer: "Pago en efectivo con PagoEfectivo · {merchant}",
  email: {
    subject: {
      pending: "Tu código de pago {cip} para el pedido {order}",
      paid: "¡Pago recibido! Pedido {order}",
      expired: "Venció el código de pago del pedido {order}",
      cancelled: "Pedido {order} cancelado",
    },
    preheader: "Paga {amount} antes del {deadline} (hora de Lima) con el CIP {cip}.",
    intro: "Para completar tu compra en {merchant}, paga con este código antes de la fecha límite.",
    viewOnline: "Ver el paso a paso de cada banco",
    banksLine: "En la app o web de tu banco: {bank}.",
    agentsLine: "En agentes y agencias: {bank}.",
    barcodeAlt: "Código de barras del CIP {cip}",
  },
};
