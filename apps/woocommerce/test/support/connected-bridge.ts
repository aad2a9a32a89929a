import { randomBytes } from "node:crypto";
import type { Clock } from "@pe-pay/core";
import { createLogger, setTenantCredentials, type Database, type Keyring } from "@pe-pay/engine";
import { DEMO_MERCHANT, startSandbox, type RunningSandbox } from "../../../sandbox/src/index";
import { loadConfig } from "../../src/config";
import { startBridge, type RunningBridge } from "../../src/wiring/bridge";
import { startFakeWoo, type FakeWoo } from "./fake-woo";
import { noSleepRetry } from "./woo-fakes";

export interface ConnectedBridge {
  sandbox: RunningSandbox;
  woo: FakeWoo;
  bridge: RunningBridge;
  storeId: string;
}

/**
 * The real bridge (port 0, schedulers off) on `db`, with PagoEfectivo the sandbox (sharing
 * `clock`, never expiring CIPs by itself) and one fake WooCommerce store connected: its plugin
 * and webhook secrets saved and the sandbox's demo merchant as its PagoEfectivo credentials.
 * The caller closes the three servers in `afterAll`.
 */
export async function startConnectedBridge(opts: {
  db: Database;
  keyring: Keyring;
  clock: Clock;
  pluginSecret: string;
  webhookSecret: string;
}): Promise<ConnectedBridge> {
  const { db, keyring, clock } = opts;
  const hex = (n: number) => randomBytes(n).toString("hex");
  const sandbox = await startSandbox({ port: 0, clock, expirySweepMs: 0 });
  const woo = await startFakeWoo();
  const bridge = await startBridge({
    config: loadConfig({ PORT: "0", PE_API_BASE_URL: sandbox.url, LOG_LEVEL: "silent" }),
    db,
    keyring,
    clock,
    logger: createLogger({ name: "woocommerce-test", level: "silent" }),
    wooClient: { retry: noSleepRetry },
    schedulers: false,
  });
  const storeId = await bridge.tenants.storeIdFor(woo.url);
  await bridge.tenants.saveWooStore({
    storeId,
    storeUrl: woo.url,
    consumerKey: `ck_${hex(20)}`,
    consumerSecret: `cs_${hex(20)}`,
    keyId: 3,
    webhookSecret: opts.webhookSecret,
    webhookId: 7,
    pluginSecret: opts.pluginSecret,
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
  return { sandbox, woo, bridge, storeId };
}
