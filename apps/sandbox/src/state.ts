import type { Currency } from "@pe-pay/core";
import { toMerchant, type Merchant, type MerchantConfig } from "./merchants";

/**
 * CIP status codes. Only 23 "Pagado" is published by PagoEfectivo; 21, 22 and 25 are the
 * sandbox's own choice (clients must treat anything but 23 as "not paid").
 */
export const CIP_STATUS = {
  expired: { code: 21, name: "Expirado" },
  generated: { code: 22, name: "Generado" },
  paid: { code: 23, name: "Pagado" },
  removed: { code: 25, name: "Eliminado" },
} as const;
export type CipState = keyof typeof CIP_STATUS;

export interface CipRecord {
  cip: number;
  guid: string;
  idService: number;
  transactionCode: string;
  currency: Currency;
  amountMinor: number;
  dateCreation: Date;
  dateExpiry: Date;
  state: CipState;
  paidAt?: Date;
  paidAmountMinor?: number;
  channel?: string;
  operationNumber?: string;
  removedAt?: Date;
  /** Optional shopper/merchant fields of the create request, kept for the voucher page. */
  details: Record<string, string>;
}

export type RefundStatus = "pending" | "completed" | "rejected";

export interface RefundRecord {
  refundId: string;
  idService: number;
  cip: number;
  amountMinor: number;
  currency: Currency;
  reason: string | null;
  reference: string;
  invoiceNumber: string;
  status: RefundStatus;
  createdAt: Date;
  processedAt?: Date;
  reasonCode?: string;
  /** What "the same body" means for the idempotent `reference`. */
  fingerprint: string;
}

export interface TokenRecord {
  idService: number;
  start: Date;
  expires: Date;
}

export interface DeliveryAttempt {
  at: string;
  status?: number;
  error?: string;
}

export type DeliveryState = "pending" | "held" | "delivered" | "failed" | "dropped" | "no_url";

export interface Delivery {
  id: string;
  idService: number;
  eventType: string;
  operationNumber: string;
  url: string | null;
  body: string;
  signature: string;
  state: DeliveryState;
  createdAt: string;
  attempts: DeliveryAttempt[];
  /** Set on the copy a "duplicate" fault sends. */
  duplicateOf?: string;
}

export interface NotificationFaults {
  /** Probability (0–1) that a notification is never sent. */
  dropRate?: number;
  /** Probability (0–1) that a notification is sent twice. */
  duplicateRate?: number;
  /** Delay before the first attempt of each notification. */
  delayMs?: number;
  /** Hold notifications and send each pair in reverse order. */
  reorder?: boolean;
}

export interface ApiFaults {
  latencyMs?: number;
  /** Probability (0–1) that an API call answers `errorStatus` without touching state. */
  errorRate?: number;
  /** Fail exactly the next N API calls (then stop). */
  failNext?: number;
  errorStatus?: number;
  /** Only API paths starting with this prefix are affected (e.g. "/v1/cips"). */
  path?: string;
}

export interface FaultConfig {
  notifications?: NotificationFaults;
  api?: ApiFaults;
}

export const FIRST_CIP = 2_495_383;
export const FIRST_OPERATION = 91_827_400;

/** All emulator state. In memory only: a restart (or POST /_sandbox/reset) starts over. */
export class SandboxState {
  merchants = new Map<number, Merchant>();
  tokens = new Map<string, TokenRecord>();
  cips = new Map<number, CipRecord>();
  cipsByGuid = new Map<string, CipRecord>();
  refunds = new Map<string, RefundRecord>();
  refundsByReference = new Map<string, RefundRecord>();
  deliveries: Delivery[] = [];
  faults: FaultConfig = {};
  clockOffsetMs = 0;
  nextCip = FIRST_CIP;
  nextOperation = FIRST_OPERATION;
  nextDelivery = 1;

  /** `firstCip`: the first CIP number (after a reset too); see SandboxOptions.firstCip. */
  constructor(
    private readonly initialMerchants: MerchantConfig[],
    private readonly firstCip = FIRST_CIP,
  ) {
    this.reset();
  }

  reset(): void {
    this.merchants = new Map(initialMerchantsMap(this.initialMerchants));
    this.tokens.clear();
    this.cips.clear();
    this.cipsByGuid.clear();
    this.refunds.clear();
    this.refundsByReference.clear();
    this.deliveries = [];
    this.faults = {};
    this.clockOffsetMs = 0;
    this.nextCip = this.firstCip;
    this.nextOperation = FIRST_OPERATION;
    this.nextDelivery = 1;
  }

  refundsOf(cip: number): RefundRecord[] {
    return [...this.refunds.values()].filter((r) => r.cip === cip);
  }

  /** A deep, JSON-comparable copy of everything observable (tests assert "nothing changed"). */
  snapshot(): unknown {
    return JSON.parse(
      JSON.stringify({
        merchants: [...this.merchants.values()],
        tokens: this.tokens.size,
        cips: [...this.cips.values()],
        refunds: [...this.refunds.values()],
        references: [...this.refundsByReference.keys()],
        deliveries: this.deliveries,
        faults: this.faults,
        clockOffsetMs: this.clockOffsetMs,
        nextCip: this.nextCip,
        nextOperation: this.nextOperation,
      }),
    );
  }
}

function initialMerchantsMap(configs: MerchantConfig[]): [number, Merchant][] {
  return configs.map((c) => [c.idService, toMerchant(c)]);
}
