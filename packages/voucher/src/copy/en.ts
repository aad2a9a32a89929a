import type { VoucherCopy } from "./types";

/**
 * English, on request. Informal "you", matching the Spanish "tú". Bank menu labels and the
 * currency option stay in Spanish in quotes: that is what the shopper will see in the bank app.
 */
export const en: VoucherCopy = {
  version: "en-2026-11-1",
  htmlLang: "en",
  currencyOption: { PEN: "Soles", USD: "Dólares" },
  pageTitle: "Payment code {cip} · {merchant}",
  orderLabel: "Order {order}",
  greetingWithName: "{name}, pay for your order in cash",
  greeting: "Pay for your order in cash",
  cipLabel: "Your payment code (CIP)",
  copyButton: "Copy",
  copied: "CIP copied",
  copyFailed: "Could not copy. Press and hold the code to copy it.",
  amountLabel: "Amount to pay",
  deadline: "Pay before {deadline}, Lima time.",
  countdown: "{time} left",
  countdownUnits: { day: "d", hour: "h", minute: "min", second: "s" },
  countdownOver: "The deadline has passed",
  afterDeadline: "If you do not pay in time, the order is cancelled and this code stops working.",
  afterPayment:
    "Once you pay, {merchant} is notified automatically. You do not need to send your receipt.",
  howToPayTitle: "How to pay",
  quickStart: {
    both: "In your bank's app or website, go to «Pago de servicios» → PagoEfectivo. Or go to an agent and say it is a payment to PagoEfectivo.",
    online: "In your bank's app or website, go to «Pago de servicios» → PagoEfectivo.",
    agents: "Go to an agent or branch and say it is a payment to PagoEfectivo.",
  },
  quickSteps: ["Enter or read out your CIP code {cip}.", "Pay exactly {amount}."],
  groups: {
    online: {
      title: "Online or mobile banking",
      intro: "Pay from your bank's app or website, from home.",
      steps: [
        "Open the {bank} app or online banking.",
        "Find the bill payment option (usually «Pagar servicios» or «Pago de servicios»).",
        "Search for the company «PagoEfectivo» and, if asked for a currency, choose {currencyOption}.",
        "Enter your CIP code {cip}.",
        "Check that the amount is {amount} and confirm.",
      ],
      note: "Menu names differ between banks and app versions. If you cannot find the option, use the app's search and type «PagoEfectivo».",
    },
    agents: {
      title: "Agents and bank branches",
      intro: "Pay in cash at an agent or at a bank branch.",
      steps: [
        "Go to an agent or branch of any of the places listed.",
        "Say it is a payment to PagoEfectivo.",
        "Read out your CIP code {cip} or show the barcode.",
        "Pay exactly {amount} and keep your receipt.",
      ],
    },
  },
  channelSteps: {},
  chooseBank: "Choose your bank:",
  agentPlaces: "Where:",
  barcodeTitle: "Barcode",
  barcodeHint: "At the agent they can scan it instead of typing the CIP.",
  barcodeLabel: "Barcode of CIP {cip}",
  qrTitle: "Your code on PagoEfectivo",
  qrHint: "Scan it with another phone to see this same code on PagoEfectivo's page.",
  qrLabel: "QR code that opens your payment code on PagoEfectivo",
  qrLink: "Open on PagoEfectivo",
  print: "Download / Print",
  printHint:
    "To keep this code, use «Print» or «Share» in your browser menu, or take a screenshot.",
  returnToStore: "Back to the store",
  chooseAnotherMethod: "Choose another payment method",
  autoRefresh: "This page updates itself when your payment is registered.",
  paid: {
    title: "Payment received!",
    body: "We received your payment for order {order}. {merchant} has the confirmation.",
    amountLabel: "Amount paid",
    nextSteps: [
      "Keep the receipt your bank or the agent gave you.",
      "{merchant} will prepare your order. Check your email for shipping updates.",
    ],
  },
  expired: {
    title: "This payment code has expired",
    body: "The deadline was {deadline}, Lima time, and order {order} is cancelled.",
    nextSteps: [
      "Do not pay this CIP: it is no longer valid.",
      "If you still want your items, go back to the store and place a new order.",
      "Already paid? Write to {merchant} with your receipt.",
    ],
  },
  cancelled: {
    title: "This order was cancelled",
    body: "Order {order} was cancelled and its payment code is no longer valid.",
    nextSteps: ["Do not pay this CIP.", "If you think this is a mistake, contact {merchant}."],
  },
  footer: "Cash payment with PagoEfectivo · {merchant}",
  email: {
    subject: {
      pending: "Your payment code {cip} for order {order}",
      paid: "Payment received! Order {order}",
      expired: "The payment code for order {order} has expired",
      cancelled: "Order {order} cancelled",
    },
    preheader: "Pay {amount} before {deadline} (Lima time) with CIP {cip}.",
    intro: "To complete your purchase at {merchant}, pay with this code before the deadline.",
    viewOnline: "See the steps for each bank",
    banksLine: "In your bank's app or website: {bank}.",
    agentsLine: "At agents and branches: {bank}.",
    barcodeAlt: "Barcode of CIP {cip}",
  },
};
