import { fixedClock } from "@pe-pay/core";
import type { Database, VoucherView } from "@pe-pay/engine";
import express from "express";
import type { AddressInfo } from "node:net";
import { silentLogger } from "../ports";
import { voucherPageRouter } from "./voucher-page";

const TOKEN = "tok_0123456789abcdefghijKLMN";

function voucher(status: VoucherView["status"]): VoucherView {
  return {
    id: "8d6f1f40-3c1e-4f8e-9a43-6f0c2b1d9e01",
    tenantId: "5a1e0c9d-2b7f-4e11-8c3d-0f9a8b7c6d5e",
    status,
    cip: "2495383",
    cipUrl: null,
    amount: { minor: 15050, currency: "PEN" },
    expiresAt: new Date("2026-11-24T15:15:00Z"),
    paidAt: null,
    publicToken: TOKEN,
    platformReference: "gid://shopify/PaymentSession/abc123",
    platformData: {},
  };
}

/** Any statement fails the test: the status poll must be answered from the voucher alone. */
const noQueries: Database = {
  kind: "pg",
  inTransaction: false,
  query: () => Promise.reject(new Error("the status poll read the database")),
  exec: () => Promise.reject(new Error("the status poll read the database")),
  transaction: () => Promise.reject(new Error("the status poll opened a transaction")),
} as unknown as Database;

async function poll(view: VoucherView | null, now: string) {
  const app = express();
  app.use(
    voucherPageRouter({
      engine: {
        getVoucherByPublicToken: async (t: string) => (t === TOKEN ? view : null),
        cancelVoucher: () => Promise.reject(new Error("not in this test")),
      } as never,
      db: noQueries,
      clock: fixedClock(new Date(now)),
      appUrl: "https://app.example",
      logger: silentLogger,
    }),
  );
  const server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/voucher/${TOKEN}/status`);
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  } finally {
    server.close();
  }
}

describe("GET /voucher/:token/status", () => {
  it("answers the effective status and deadline from the voucher row, without other reads", async () => {
    expect(await poll(voucher("pending"), "2026-11-24T12:00:00Z")).toEqual({
      status: 200,
      body: { status: "pending", expiresAt: "2026-11-24T10:15:00-05:00" },
    });
    expect((await poll(voucher("paid"), "2026-11-24T12:00:00Z")).body.status).toBe("paid");
  });

  it("a pending voucher past its deadline reads expired, like the page", async () => {
    expect((await poll(voucher("pending"), "2026-11-24T16:00:00Z")).body.status).toBe("expired");
  });

  it("an unknown token is a 404", async () => {
    expect(await poll(null, "2026-11-24T12:00:00Z")).toEqual({
      status: 404,
      body: { status: "not_found" },
    });
  });
});
