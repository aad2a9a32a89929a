import { createHash } from "node:crypto";
import { sql as initial } from "./001-initial";
import { sql as outboxSequences } from "./002-outbox-sequences";
import { sql as woocommerce } from "./010-woocommerce";
import { sql as shopify } from "./020-shopify";
import { sql as shopifyMerchantSessions } from "./021-shopify-merchant-sessions";
import { sql as outboxTenantPlatform } from "./022-outbox-tenant-platform";

/**
 * Migrations are TS modules exporting SQL strings (no file reads at runtime, so they work the
 * same under tsx, Jest and any bundler). Append only: an applied migration's text is pinned by
 * its checksum, and changing it is reported as drift.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "initial", sql: initial },
  { version: 2, name: "outbox-sequences", sql: outboxSequences },
  { version: 10, name: "woocommerce", sql: woocommerce },
  { version: 20, name: "shopify", sql: shopify },
  { version: 21, name: "shopify-merchant-sessions", sql: shopifyMerchantSessions },
  { version: 22, name: "outbox-tenant-platform", sql: outboxTenantPlatform },
];

export function migrationChecksum(m: Migration): string {
  return createHash("sha256").update(m.sql).digest("hex");
}
