import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { VoucherView } from "../../src/engine-ports";

export const STORE = "https://tienda.example.pe";
export const API = `${STORE}/wp-json/wc/v3`;
export const fixturePath = (name: string) => join(__dirname, "..", "fixtures", name);
export const fixtureBytes = (name: string) => readFileSync(fixturePath(name));
export const fixtureJson = <T extends object = Record<string, unknown>>(name: string): T =>
  JSON.parse(readFileSync(fixturePath(name), "utf8")) as T;

export const noSleepRetry = {
  retries: 3,
  baseDelayMs: 1,
  maxDelayMs: 1,
  sleep: async () => {},
  random: () => 0,
};

export function voucher(overrides: Partial<VoucherView> = {}): VoucherView {
  return {
    id: "vch_1",
    tenantId: "wc_store1",
    status: "pending",
    cip: "2875319",
    cipUrl: "https://pagos.example.pe/cip/2875319",
    amount: { minor: 10030, currency: "PEN" },
    expiresAt: new Date("2025-03-15T15:22:35Z"),
    paidAt: null,
    publicToken: "tok_abc",
    platformReference: "4821",
    platformData: { orderId: 4821 },
    ...overrides,
  };
}
