/**
 * The plugin's create call when PagoEfectivo hands out a CIP number the store already holds
 * (a store moved from sandbox to production, or a restarted sandbox): a retryable 503 with the
 * shopper's message, never a plain 500, and the same order attempt posted again gets a new CIP.
 * Reproduced with a sandbox reset, whose CIP counter then starts over.
 */
import { randomBytes } from "node:crypto";
import { startSandbox, DEMO_MERCHANT, type RunningSandbox } from "../../sandbox/src/index";
import { createKeyring, createLogger, setTenantCredentials, type Database } from "@pe-pay/engine";
import { loadConfig } from "../src/config";
import { signPluginRequest } from "../src/plugin-auth";
import { startBridge, type RunningBridge } from "../src/wiring/bridge";
import { startFakeWoo, type FakeWoo } from "./support/fake-woo";
import { noSleepRetry } from "./support/woo-fakes";
import { forEachDatabase } from "../../../packages/engine/test/support/databases";

forEachDatabase("woocommerce bridge: a CIP number the store already holds", (t) => {
  const clock = { now: () => new Date() };
  const hex = (n: number) => randomBytes(n).toString("hex");
  let sandbox: RunningSandbox;
  let woo: FakeWoo;
  let db: Database;
  let bridge: RunningBridge;
  let storeId: string;
  const pluginSecret = hex(32);

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, clock, expirySweepMs: 0 });
    woo = await startFakeWoo();
    db = t().db;
    const keyring = createKeyring({ keys: { k1: randomBytes(32) }, primary: "k1" });
    bridge = await startBridge({
      config: loadConfig({ PORT: "0", PE_API_BASE_URL: sandbox.url, LOG_LEVEL: "silent" }),
      db,
      keyring,
      clock,
      logger: createLogger({ name: "woocommerce-test", level: "silent" }),
      wooClient: { retry: noSleepRetry },
      schedulers: false,
    });
    storeId = await bridge.tenants.storeIdFor(woo.url);
    await bridge.tenants.saveWooStore({
      storeId,
      storeUrl: woo.url,
      consumerKey: `ck_${hex(20)}`,
      consumerSecret: `cs_${hex(20)}`,
      keyId: 3,
      webhookSecret: hex(20),
      webhookId: 7,
      pluginSecret,
      connectedAt: clock.now(),
    });
    await setTenantCredentials(db, keyring, storeId, {
      peCredentials: {
        idService: DEMO_MERCHANT.idService,
        accessKey: DEMO_MERCHANT.accessKey,
        secretKey: DEMO_MERCHANT.secretKey,
      },
      environment: "sandbox",
    });
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
