/**
 * Set-up shared by engine tests: an engine context whose PagoEfectivo is never reached (silent
 * logger, test keyring, the default config), and a pending voucher.
 */
import { randomUUID } from "node:crypto";
import { fixedClock, type Clock, type PagoEfectivoClient } from "@pe-pay/core";
import {
  createLogger,
  DEFAULT_ENGINE_CONFIG,
  insertOrGetVoucher,
  type Database,
  type TenantRecord,
} from "../../src/index";
import type { EngineConfig, EngineContext } from "../../src/context";
import { testKeyring } from "./databases";

export function testEngineContext(
  db: Database,
  opts: { clock?: Clock; random?: () => number; config?: Partial<EngineConfig> } = {},
): EngineContext {
  return {
    db,
    clock: opts.clock ?? fixedClock(new Date()),
    logger: createLogger({ name: "test", level: "silent" }),
    keyring: testKeyring(),
    config: {
      ...DEFAULT_ENGINE_CONFIG,
      pagoEfectivoBaseUrl: { sandbox: "http://127.0.0.1:9", production: "http://127.0.0.1:9" },
      publicBaseUrl: "http://127.0.0.1:9",
      ...opts.config,
    },
    pagoEfectivo: () => ({}) as PagoEfectivoClient,
    random: opts.random ?? (() => 0.5),
  };
}

/**
 * A pending voucher of 1 000 PEN of `tenant`, expiring in 48 h; `platformData` is built from its
 * (random) platform payment id.
 */
export async function pendingVoucher(
  db: Database,
  tenant: TenantRecord,
  platformData: (platformPaymentId: string) => Record<string, unknown> = () => ({}),
) {
  const key = `pay_${randomUUID()}`;
  const { record } = await insertOrGetVoucher(db, {
    tenantId: tenant.id,
    platformPaymentId: key,
    idempotencyKey: key,
    requestFingerprint: "fp",
    transactionCode: `tc-${randomUUID()}`,
    amount: { minor: 1_000, currency: "PEN" },
    status: "pending",
    expiresAt: new Date(Date.now() + 48 * 3_600_000),
    platformData: platformData(key),
  });
  return record;
}
