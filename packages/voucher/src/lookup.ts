import type { ChannelGroupId } from "./channels";
import type { VoucherDisplayStatus } from "./types";

/** The engine's voucher status → what the shopper's page shows; null: nothing to show. */
const DISPLAY: Record<string, VoucherDisplayStatus | null> = {
  created: null, // no CIP yet: nothing a shopper could pay
  pending: "pending",
  paid: "paid",
  partially_refunded: "paid",
  refunded: "paid",
  expired: "expired",
  cancelled: "cancelled",
};

/** tenant_settings.enabled_channels → the voucher's channel groups. */
const CHANNEL_GROUP: Record<string, ChannelGroupId> = {
  online_banking: "online",
  online: "online",
  agents: "agents",
};

const TOKEN = /^[A-Za-z0-9_-]{20,128}$/;

/** The merchant's enabled channels as the page's channel groups, each once, in order. */
export function channelGroupsOf(enabledChannels: readonly string[]): ChannelGroupId[] {
  return [
    ...new Set(enabledChannels.map((c) => CHANNEL_GROUP[c]).filter(Boolean)),
  ] as ChannelGroupId[];
}

/**
 * The voucher behind a public token, if the shopper may see it: a well-formed token, a voucher
 * with a CIP, in a status the page can show. Anything else is "not found".
 */
export async function findShownVoucher<V extends { status: string; cip?: string | null }>(
  token: string,
  getByPublicToken: (token: string) => Promise<V | null | undefined>,
): Promise<{ voucher: V; display: VoucherDisplayStatus } | null> {
  if (!TOKEN.test(token)) return null;
  const voucher = await getByPublicToken(token);
  if (!voucher || !voucher.cip) return null;
  const display = DISPLAY[voucher.status];
  return display ? { voucher, display } : null;
}
