/**
 * What every engine use case receives. Use cases depend on this small bag of ports, never on
 * process globals, so tests run several engine "instances" in one process against one database.
 */
import type { Clock, PagoEfectivoClient } from "@pe-pay/core";
import type { Keyring } from "./crypto/keyring";
import type { Database } from "./db/database";
import type { PeCredentials, PeEnvironment } from "./db/tenants";
import type { Logger } from "./logger";

export interface EngineConfig {
  /** Base URL of PagoEfectivo's API for each environment (the local sandbox in development). */
  pagoEfectivoBaseUrl: Record<PeEnvironment, string>;
  /** Extra time after a CIP's expiry before we cancel, so a payment at the last minute lands. */
  expiryGraceMs: number;
  /** How long a pending voucher may go without news before the poller asks PagoEfectivo. */
  pollAfterMs: number;
  pollBatchSize: number;
  expiryBatchSize: number;
  /** Outbox: give up (dead letter) after this long; 72 h by default. */
  outboxMaxAgeMs: number;
  outboxBaseDelayMs: number;
  outboxMaxDelayMs: number;
  /** Largest single charge accepted, in minor units. */
  maxChargeMinor: number;
  /** Public base URL where the voucher page is served (`${publicBaseUrl}/voucher/<token>`). */
  publicBaseUrl: string;
}

export const DEFAULT_ENGINE_CONFIG: Omit<EngineConfig, "pagoEfectivoBaseUrl" | "publicBaseUrl"> = {
  expiryGraceMs: 5 * 60_000,
  pollAfterMs: 10 * 60_000,
  pollBatchSize: 100,
  expiryBatchSize: 200,
  outboxMaxAgeMs: 72 * 3_600_000,
  outboxBaseDelayMs: 1_000,
  outboxMaxDelayMs: 30 * 60_000,
  maxChargeMinor: 100_000_000,
};

/** Builds a PagoEfectivo client for one tenant's credentials (clients are cheap and stateless). */
export type PagoEfectivoClientFactory = (args: {
  credentials: PeCredentials;
  environment: PeEnvironment;
  baseUrl: string;
  tenantId: string;
}) => PagoEfectivoClient;

export interface EngineContext {
  db: Database;
  clock: Clock;
  logger: Logger;
  keyring: Keyring;
  config: EngineConfig;
  pagoEfectivo: PagoEfectivoClientFactory;
  /** Injected so backoff jitter is testable. */
  random: () => number;
}
