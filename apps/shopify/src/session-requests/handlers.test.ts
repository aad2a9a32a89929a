import { ConflictError } from "@pe-pay/core";
import express from "express";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { CreateVoucherCommand, VoucherView } from "../engine-ports";
import { silentLogger, type PaymentSessionUseCases, type ShopifyTenant } from "../ports";
import { createSessionRouter } from "./handlers";

const SHOP = "rosa-tienda.myshopify.com";

function session(id: string) {
  return {
    id,
    gid: `gid://shopify/PaymentSession/${id}`,
    group: `g-${id}`,
    amount: "149.90",
    currency: "PEN",
    test: true,
    merchant_locale: "es",
    kind: "sale",
    proposed_at: "2026-03-14T15:04:05Z",
    payment_method: { type: "offsite", data: { cancel_url: `https://${SHOP}/checkouts/x` } },
    customer: { email: "rosa.quispe@example.pe", locale: "es-PE" },
  };
}

describe("payment session: the shop's tenant", () => {
  let server: Server;
  let url: string;
  const active = new Map<string, ShopifyTenant>();
  let lookups = 0;
  let refuseAsInactive = false;
  const created: CreateVoucherCommand[] = [];

  const engine = {
    async createVoucher(cmd: CreateVoucherCommand): Promise<VoucherView> {
      // The real engine refuses a tenant that is not active (from its own cache).
      if (refuseAsInactive) throw new ConflictError("the store is not active");
      created.push(cmd);
      return {
        id: `v_${created.length}`,
        tenantId: cmd.tenantId,
        status: "pending",
        cip: "4821937",
        cipUrl: null,
        amount: cmd.amount,
        expiresAt: new Date("2026-03-16T15:04:05Z"),
        paidAt: null,
        publicToken: `tok_${created.length}`,
        platformReference: cmd.platformReference,
        platformData: cmd.platformData ?? {},
      };
    },
  } as unknown as PaymentSessionUseCases;

  beforeAll(async () => {
    const app = express();
    app.use(
      createSessionRouter({
        engine,
        tenants: {
          async findActiveShopifyTenant(shopDomain) {
            lookups += 1;
            return active.get(shopDomain) ?? null;
          },
        },
        appUrl: "https://pay.pe-pay.test",
        apiVersion: "2026-07",
        logger: silentLogger,
      }),
    );
    server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const post = (id: string) =>
    fetch(`${url}/payment-session`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "shopify-shop-domain": SHOP,
        "shopify-request-id": `req-${id}`,
        "shopify-api-version": "2026-07",
      },
      body: JSON.stringify(session(id)),
    });

  it("asks storage once for a run of payment sessions, and again once the engine refuses the tenant", async () => {
    active.set(SHOP, { tenantId: "t_1", shopDomain: SHOP });
    for (const id of ["s1", "s2", "s3"]) expect((await post(id)).status).toBe(200);
    expect(lookups).toBe(1);
    expect(created.map((c) => c.tenantId)).toEqual(["t_1", "t_1", "t_1"]);

    // Uninstalled: the engine's tenant check refuses the remembered id; the answer is still
    // unknown_shop, as when storage is asked first.
    active.delete(SHOP);
    refuseAsInactive = true;
    const refused = await post("s4");
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("unknown_shop");
    expect(lookups).toBe(2);

    // Nothing remembered any more: the next request asks storage before the engine.
    expect((await post("s5")).status).toBe(404);
    expect(lookups).toBe(3);

    // Reinstalled: the engine's refusal of another kind is passed on as it is.
    active.set(SHOP, { tenantId: "t_1", shopDomain: SHOP });
    refuseAsInactive = false;
    expect((await post("s6")).status).toBe(200);
    refuseAsInactive = true;
    expect((await post("s7")).status).toBe(409);
    expect(lookups).toBe(5);
  });
});
