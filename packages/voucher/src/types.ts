import type { Money } from "@pe-pay/core";
import type { ChannelGroupId } from "./channels";
import type { VoucherCopy } from "./copy/types";

/**
 * What the shopper's page shows. Not core's VoucherStatus: an adapter maps it (e.g. a refunded
 * order is no longer "pending"; "created" has no CIP yet and has no voucher page).
 */
export type VoucherDisplayStatus = "pending" | "paid" | "expired" | "cancelled";
export type VoucherLocale = "es" | "en";

/** What an adapter (Shopify, WooCommerce) knows about one CIP. Platform-neutral. */
export interface VoucherInput {
  merchantName: string;
  /** Only `data:image/…;base64,` URLs: the page loads nothing from other hosts. */
  merchantLogoUrl?: string;
  /** The order number the shopper recognises, e.g. "#1001". */
  orderReference: string;
  amount: Money;
  /** Digits only, as PagoEfectivo returned it (7 digits in sandbox, 9 in production). */
  cip: string;
  /** PagoEfectivo's own voucher page; shown as a QR code and a link when known. */
  cipUrl?: string;
  expiresAt: Date;
  status: VoucherDisplayStatus;
  /** The only personal datum the voucher may show. */
  shopperFirstName?: string;
  /** Groups to show; default: every group in `CHANNEL_GROUPS`. */
  enabledChannelGroups?: ChannelGroupId[];
  /** Channel ids to hide: "bcp" hides BCP everywhere, "agents.bcp" only BCP agents. */
  disabledChannels?: string[];
  returnUrl?: string;
  chooseAnotherMethodUrl?: string;
  /** Same-origin URL answering `renderVoucherStatusJson` (CSP allows connect-src 'self' only). */
  statusUrl?: string;
  /** This voucher's own page, linked from the email. */
  voucherUrl?: string;
}

export interface BuildOptions {
  clock: { now(): Date };
  locale?: VoucherLocale;
}

/** A run of text; `strong` parts (CIP, amount, currency option) are emphasised by renderers. */
export interface TextPart {
  text: string;
  strong?: boolean;
}
export type RichText = TextPart[];

export interface VoucherChannelView {
  id: string;
  name: string;
  /** Present when this channel has its own steps (banks); agents share the group's steps. */
  steps?: RichText[];
}

export interface VoucherChannelGroupView {
  id: ChannelGroupId;
  title: string;
  intro: string;
  /** Steps shared by every channel in the group (empty when each channel has its own). */
  steps: RichText[];
  channels: VoucherChannelView[];
  note?: string;
}

export interface VoucherViewModel {
  locale: VoucherLocale;
  htmlLang: string;
  copy: VoucherCopy;
  copyVersion: string;
  channelsVersion: string;
  /** The status to show: a pending CIP past its deadline is shown (and polled) as expired. */
  status: VoucherDisplayStatus;
  merchantName: string;
  merchantLogoDataUrl?: string;
  orderReference: string;
  amount: Money;
  amountText: string;
  /** The option to pick in a bank app: "Soles" or "Dólares" (bank apps are in Spanish). */
  currencyOption: string;
  cip: string;
  cipGrouped: string;
  cipUrl?: string;
  expiresAt: Date;
  expiresAtLimaIso: string;
  deadlineText: string;
  /** Milliseconds left at render time (0 when past); the script counts down from this. */
  remainingMs: number;
  shopperFirstName?: string;
  /** The short 3-step summary shown first; its first step matches the enabled groups. */
  quickSteps: RichText[];
  channelGroups: VoucherChannelGroupView[];
  returnUrl?: string;
  chooseAnotherMethodUrl?: string;
  statusUrl?: string;
  voucherUrl?: string;
  /** Things the adapter should log for the merchant (e.g. a logo that was dropped). */
  warnings: string[];
}
