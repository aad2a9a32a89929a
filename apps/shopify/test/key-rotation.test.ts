import { randomBytes } from "node:crypto";
import { createKeyring, getTenantCredentials, type Database, type Keyring } from "@pe-pay/engine";
import { forEachDatabase } from "../../../packages/engine/test/support/databases";
import { captureLogs } from "../../../packages/engine/test/support/log-capture";
import { createComplianceHandlers } from "../src/storage/compliance";
import { DbShopStore } from "../src/storage/shop-store";
import { startShopifyServer } from "../src/wiring/server";
import { testRuntimeConfig } from "./helpers";

const KEY_A = randomBytes(32);
const KEY_B = randomBytes(32);
const ringA = createKeyring({ keys: { A: KEY_A }, primary: "A" });
const ringX = createKeyring({ keys: { X: randomBytes(32) }, primary: "X" });
const b64 = (k: Buffer) => k.toString("base64");
const clock = { now: () => new Date("2026-03-14T15:04:05Z") };

/** The real server's start-up on `db` with APP_ENCRYPTION_KEY = `key`, then stopped. */
async function restart(db: Database, key: string) {
  const logs = captureLogs("shopify-rotation");
  const app = await startShopifyServer({
    config: testRuntimeConfig({ PE_API_BASE_URL: "http://127.0.0.1:9", APP_ENCRYPTION_KEY: key }),
    db,
    clock,
    logger: logs.logger,
    schedulers: false,
  });
  return { app, logs };
}

const complianceOn = (db: Database, keyring: Keyring, shops: DbShopStore) =>
  createComplianceHandlers({ db, keyring, clock, shops, logger: captureLogs().logger });

/** A shop with every Shopify-sealed value: offline token, refresh token, both PE sets, export. */
async function installUnder(db: Database, keyring: Keyring) {
  const shops = new DbShopStore(db, keyring, clock);
  const shop = `rot-${randomBytes(4).toString("hex")}.myshopify.com`;
  const secrets = {
    accessToken: `shpat_${randomBytes(12).toString("hex")}`,
    refreshToken: `shprt_${randomBytes(12).toString("hex")}`,
    sandbox: {
      idService: 101,
      accessKey: "AKSANDBOX1",
      secretKey: `sk_${randomBytes(8).toString("hex")}`,
    },
    production: {
      idService: 202,
      accessKey: "AKPROD2",
      secretKey: `sk_${randomBytes(8).toString("hex")}`,
    },
  };
  const { tenantId } = await shops.upsertShopifyTenant({
    shopDomain: shop,
    accessToken: secrets.accessToken,
    refreshToken: secrets.refreshToken,
    expiresInSeconds: 3600,
    scope: "write_payment_gateways,write_payment_sessions",
  });
  await shops.savePeCredentials(tenantId, {
    environment: "production",
    sets: { sandbox: secrets.sandbox, production: secrets.production },
  });
  const compliance = complianceOn(db, keyring, shops);
  await compliance.exportCustomerData({
    shopDomain: shop,
    shopId: "1",
    customer: { id: "cust-7", email: "ana@example.pe", phone: null },
    ordersRequested: [],
    dataRequestId: "dr-1",
  });
  return { tenantId, shop, secrets };
}

/** sealedKeyIds of a tenant whose every value was re-sealed under key B. */
const ALL_UNDER_B = {
  "tenants.pe_credentials": ["B", "B"],
  "tenants.platform_credentials": ["B", "B"],
  "shopify_shops.secrets": ["B", "B"],
  "shopify_data_requests.export_sealed": ["B", "B"],
};

/** Every sealed blob of a tenant: where it is, the key id inside it and the copy beside it. */
async function sealedKeyIds(db: Database, keyring: Keyring, tenantId: string) {
  const { rows } = await db.query<{ col: string; blob: Buffer; kid: string }>(
    `SELECT 'tenants.pe_credentials' AS col, pe_credentials AS blob, pe_credentials_key_id AS kid
       FROM tenants WHERE id = $1
     UNION ALL SELECT 'tenants.platform_credentials', platform_credentials,
       platform_credentials_key_id FROM tenants WHERE id = $1
     UNION ALL SELECT 'shopify_shops.secrets', secrets, secrets_key_id
       FROM shopify_shops WHERE tenant_id = $1
     UNION ALL SELECT 'shopify_data_requests.export_sealed', export_sealed, export_key_id
       FROM shopify_data_requests WHERE tenant_id = $1`,
    [tenantId],
  );
  return Object.fromEntries(rows.map((r) => [r.col, [keyring.keyIdOf(r.blob), r.kid]]));
}

forEachDatabase("shopify: every secret at rest follows key rotation", (t) => {
  beforeEach(async () => {
    await t().db.query("TRUNCATE tenants CASCADE");
  });

  it("a start with B,A re-seals everything under B; B alone then opens every value", async () => {
    const { db } = t();
    const { tenantId, shop, secrets } = await installUnder(db, ringA);
    expect(Object.values(await sealedKeyIds(db, ringA, tenantId))).toEqual(
      Array(4).fill(["A", "A"]),
    );

    const first = await restart(db, `B:${b64(KEY_B)},A:${b64(KEY_A)}`);
    await first.app.close();
    expect(await sealedKeyIds(db, first.app.keyring, tenantId)).toEqual(ALL_UNDER_B);
    expect(
      first.logs.lines().find((l) => l.msg === "records re-encrypted under the primary key"),
    ).toMatchObject({
      rewritten: 4,
      resealed: {
        "tenants.pe_credentials": 1,
        "tenants.platform_credentials": 1,
        "shopify_shops.secrets": 1,
        "shopify_data_requests.export_sealed": 1,
      },
    });
    expect(first.logs.text()).toContain("older keys can be removed");

    const second = await restart(db, `B:${b64(KEY_B)}`);
    try {
      const shops = second.app.shops;
      expect(await shops.tokenState(shop)).toMatchObject({
        tenantId,
        accessToken: secrets.accessToken,
        refreshToken: secrets.refreshToken,
      });
      expect(await shops.peCredentialSets(tenantId)).toEqual({
        sandbox: secrets.sandbox,
        production: secrets.production,
      });
      expect((await getTenantCredentials(db, second.app.keyring, tenantId)).pagoEfectivo).toEqual(
        secrets.production,
      );
      const compliance = complianceOn(db, second.app.keyring, shops);
      const [exported] = await compliance.listDataRequests(tenantId);
      expect(exported).toMatchObject({
        dataRequestId: "dr-1",
        export: { customerId: "cust-7", email: "ana@example.pe" },
      });
    } finally {
      await second.app.close();
    }
    expect(second.logs.lines().filter((l) => l.level >= 50)).toEqual([]);
    const logged = first.logs.text() + second.logs.text();
    for (const s of [
      secrets.accessToken,
      secrets.refreshToken,
      secrets.sandbox.secretKey,
      secrets.production.secretKey,
      "ana@example.pe",
    ]) {
      expect(logged).not.toContain(s);
    }
  });

  it("a shop sealed under a key nobody configured is named at start-up; the others move on", async () => {
    const { db } = t();
    const good = await installUnder(db, ringA);
    const stray = await installUnder(db, ringX);
    const started = await restart(db, `B:${b64(KEY_B)},A:${b64(KEY_A)}`);
    await started.app.close();
    expect(await sealedKeyIds(db, started.app.keyring, good.tenantId)).toEqual(ALL_UNDER_B);
    const errors = started.logs.lines().filter((l) => l.level >= 50);
    expect(errors.map((e) => [e.column, e.rows])).toEqual([
      ["tenants.pe_credentials", [{ row: stray.tenantId, keyId: "X", reason: "unknown_key" }]],
      [
        "tenants.platform_credentials",
        [{ row: stray.tenantId, keyId: "X", reason: "unknown_key" }],
      ],
      ["shopify_shops.secrets", [{ row: stray.tenantId, keyId: "X", reason: "unknown_key" }]],
      [
        "shopify_data_requests.export_sealed",
        [{ row: expect.any(String), keyId: "X", reason: "unknown_key" }],
      ],
    ]);
    expect(started.logs.text()).toContain("keep the older keys");
    expect(started.logs.text()).not.toContain("older keys can be removed");
  });
});
