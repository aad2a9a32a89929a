/**
 * Where a shopper can pay a CIP. DATA, not code: a reviewer updates this list (and bumps
 * `CHANNELS_VERSION`) when PagoEfectivo's network changes. Source: the "Shopper-facing facts" of
 * the PagoEfectivo contract. Names are proper nouns and are not translated; the steps live in
 * the copy modules (src/copy/*.ts).
 */
export const CHANNELS_VERSION = "2026-11-1";

export const CHANNEL_GROUP_IDS = ["online", "agents"] as const;
export type ChannelGroupId = (typeof CHANNEL_GROUP_IDS)[number];

export interface ChannelData {
  /** Stable id used by merchants to disable it: "bcp" or, for one group only, "online.bcp". */
  id: string;
  name: string;
}

export interface ChannelGroupData {
  id: ChannelGroupId;
  /**
   * "perChannel": every channel gets its own step list (bank apps: the shopper looks for their
   * bank). "shared": one step list for the group plus the list of places (agents work alike).
   */
  layout: "perChannel" | "shared";
  channels: readonly ChannelData[];
}

export const CHANNEL_GROUPS: readonly ChannelGroupData[] = [
  {
    id: "online",
    layout: "perChannel",
    channels: [
      { id: "bbva", name: "BBVA" },
      { id: "bcp", name: "BCP" },
      { id: "interbank", name: "Interbank" },
      { id: "scotiabank", name: "Scotiabank" },
      { id: "banbif", name: "BanBif" },
      { id: "caja-arequipa", name: "Caja Arequipa" },
    ],
  },
  {
    id: "agents",
    layout: "shared",
    channels: [
      { id: "bbva", name: "BBVA" },
      { id: "bcp", name: "BCP" },
      { id: "interbank", name: "Interbank" },
      { id: "scotiabank", name: "Scotiabank" },
      { id: "banbif", name: "BanBif" },
      { id: "western-union", name: "Western Union" },
      { id: "tambo", name: "Tambo+" },
      { id: "kasnet", name: "Kasnet" },
      { id: "full-carga", name: "Full Carga" },
      { id: "red-digital", name: "Red Digital" },
      { id: "moneygram", name: "MoneyGram" },
      { id: "caja-arequipa", name: "Caja Arequipa" },
      { id: "disashop", name: "Disashop" },
    ],
  },
];
