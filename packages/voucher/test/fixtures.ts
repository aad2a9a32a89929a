import { fixedClock, money } from "@pe-pay/core";
import type { VoucherInput } from "../src/index";

/** Sunday 22 Nov 2026, 10:15 Lima. */
export const NOW = "2026-11-22T15:15:00Z";
/** Tuesday 24 Nov 2026, 10:15 a. m. Lima. */
export const EXPIRES = new Date("2026-11-24T15:15:00Z");
export const CIP_URL =
  "https://pre1a.payment.pagoefectivo.pe/6f0e4c1a-2d1b-4b7e-9a55-0c3f1d2e8b71.html";

export function sampleInput(over: Partial<VoucherInput> = {}): VoucherInput {
  return {
    merchantName: "Tienda Andina",
    orderReference: "#1001",
    amount: money(14990, "PEN"),
    cip: "2495383",
    cipUrl: CIP_URL,
    expiresAt: EXPIRES,
    status: "pending",
    shopperFirstName: "Rosa",
    returnUrl: "/",
    chooseAnotherMethodUrl: "/checkout",
    statusUrl: "/status",
    voucherUrl: "https://tienda.example.pe/apps/pe/v/tok",
    ...over,
  };
}

export const clockAt = (at: string | Date = NOW) => fixedClock(at);
