/**
 * The plugin's create call when PagoEfectivo hands out a CIP number the store already holds
 * (a store moved from sandbox to production, or a restarted sandbox): a retryable 503 with the
 * shopper's message, never a plain 500, and the same order attempt posted again gets a new CIP.
 * Reproduced with a sandbox reset, whose CIP counter then starts over.
 */
import { randomBytes } from "node:crypto";
import type { RunningSandbox } from "../../sandbox/src/index";
import { createKeyring } from "@pe-pay/engine";
import { signPluginRequest } from "../src/plugin-auth";
import type { RunningBridge } from "../src/wiring/bridge";
import { startConnectedBridge } from "./support/connected-bridge";
import type { FakeWoo } from "./support/fake-woo";
import { forEachDatabase } from "../../../packages/engine/test/support/databases";

forEachDatabase("woocommerce bridge: a CIP number the store already holds", (t) => {
  const clock = { now: () => new Date() };
  const hex = (n: number) => randomBytes(n).toString("hex");
  let sandbox: RunningSandbox;
  let woo: FakeWoo;
  let bridge: RunningBridge;
  let storeId: string;
  const pluginSecret = hex(32);

  beforeAll(async () => {
    ({ sandbox, woo, bridge, storeId } = await startConnectedBridge({
      db: t().db,
      keyring: createKeyring({ keys: { k1: randomBytes(32) }, primary: "k1" }),
      clock,
      pluginSecret,
      webhookSecret: hex(20),
    }));
  }, 60_000);

  afterAll(async () => {
    await bridge?.close();
    await woo?.close();
    await sandbox?.close();
  });

  function createVoucher(orderId: number) {
    woo.addOrder(orderId);
    const body = JSON.stringify({
      order_id: orderId,
      attempt: 1,
      order_number: String(orderId),
      amount: "100.30",
      currency: "PEN",
      email: "ana@example.pe",
      first_name: "Ana",
    });
    const path = "/plugin/v1/vouchers";
    const headers = signPluginRequest({
      storeId,
      secret: pluginSecret,
      method: "POST",
      path,
      body,
      timestamp: Math.floor(clock.now().getTime() / 1000),
    });
    return fetch(`${bridge.url}${path}`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body,
    });
  }

  it("answers 503 with the shopper's message, and the same attempt posted again gets a new CIP", async () => {
    const first = await createVoucher(6001);
    expect(first.status).toBe(201);
    const old = (await first.json()) as { cip: string };

    sandbox.sandbox.state.reset();

    const clash = await createVoucher(6002);
    expect(clash.status).toBe(503);
    const body = (await clash.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ code: "cip_number_taken", retryable: true, cip: old.cip });
    expect(body.shopper_message).toContain("Inténtalo de nuevo");
    expect(body.merchant_message).toContain(storeId);
    expect(JSON.stringify(body)).not.toContain("ana@example.pe");
    expect(sandbox.sandbox.state.cips.get(Number(old.cip))?.state).toBe("removed");

    const again = await createVoucher(6002);
    expect(again.status).toBe(201);
    const retried = (await again.json()) as { cip: string; status: string };
    expect(retried.status).toBe("pending");
    expect(retried.cip).not.toBe(old.cip);
  });
});
