import type { ChannelGroupId } from "../channels";

/**
 * Every word the shopper reads. Templates use {placeholders}: {cip}, {amount}, {deadline},
 * {merchant}, {order}, {name}, {bank}, {currencyOption}, {time}. Values for {cip}, {amount} and
 * {currencyOption} are shown in bold. Copy is plain text: renderers escape it.
 */
export interface VoucherCopy {
  version: string;
  htmlLang: string;
  currencyOption: { PEN: string; USD: string };
  pageTitle: string;
  orderLabel: string;
  greetingWithName: string;
  greeting: string;
  cipLabel: string;
  copyButton: string;
  copied: string;
  copyFailed: string;
  amountLabel: string;
  deadline: string;
  countdown: string;
  countdownUnits: { day: string; hour: string; minute: string; second: string };
  countdownOver: string;
  afterDeadline: string;
  afterPayment: string;
  howToPayTitle: string;
  /** First quick step, by which channel groups the merchant enabled. */
  quickStart: { both: string; online: string; agents: string };
  /** The quick steps after the first. */
  quickSteps: string[];
  groups: Record<ChannelGroupId, { title: string; intro: string; steps: string[]; note?: string }>;
  /**
   * Per-channel step overrides, keyed "group.channel" (e.g. "online.bcp"). Empty on purpose:
   * add a bank's exact menu path here only after checking it in that bank's current app.
   */
  channelSteps: Record<string, string[]>;
  chooseBank: string;
  agentPlaces: string;
  barcodeTitle: string;
  barcodeHint: string;
  barcodeLabel: string;
  qrTitle: string;
  qrHint: string;
  qrLabel: string;
  qrLink: string;
  print: string;
  printHint: string;
  returnToStore: string;
  chooseAnotherMethod: string;
  autoRefresh: string;
  paid: { title: string; body: string; nextSteps: string[]; amountLabel: string };
  expired: { title: string; body: string; nextSteps: string[] };
  cancelled: { title: string; body: string; nextSteps: string[] };
  footer: string;
  email: {
    subject: Record<"pending" | "paid" | "expired" | "cancelled", string>;
    preheader: string;
    intro: string;
    viewOnline: string;
    banksLine: string;
    agentsLine: string;
    barcodeAlt: string;
  };
}
