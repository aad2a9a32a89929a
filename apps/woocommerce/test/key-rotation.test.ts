import { randomBytes } from "node:crypto";
import { createKeyring, getTenantCredentials, type Database, type Keyring } from "@pe-pay/engine";
import { forEachDatabase } from "../../../packages/engine/test/support/databases";
import { captureLogs } from "../../../packages/engine/test/support/log-capture";
import { loadConfig } from "../src/config";
import { DbPendingAuthorizations, DbPluginKeys, DbTenantStore } from "../src/storage";
import { startBridge } from "../src/wiring/bridge";

const KEY_A = randomBytes(32);
const KEY_B = randomBytes(32);
const ringA = createKeyring({ keys: { A: KEY_A }, primary: "A" });
const ringX = createKeyring({ keys: { X: randomBytes(32) }, primary: "X" });
const b64 = (k: Buffer) => k.toString("base64");
const hex = (n: number) => randomBytes(n).toString("hex");
const NOW = new Date("2026-03-14T15:04:05Z");
const clock = { now: () => NOW };

/** The real bridge's start-up on `db` with APP_ENCRYPTION_KEY = `key`, then stopped. */
async function restart(db: Database, key: string) {
  const logs = captureLogs("woo-rotation");
  const bridge = await startBridge({
    config: loadConfig({
      PORT: "0",
      PE_API_BASE_URL: "http://127.0.0.1:9",
      APP_ENCRYPTION_KEY: key,
    }),
    db,
    clock,
    logger: logs.logger,
    schedulers: false,
  });
  return { bridge, logs };
}

/** A connected store and a completed, unclaimed wc-auth state, all sealed under `keyring`. */
async function connectUnder(db: Database, keyring: Keyring) {
  const tenants = new DbTenantStore(db, keyring);
  const storeUrl = `https://tienda-${hex(3)}.example.pe`;
  const storeId = await tenants.storeIdFor(storeUrl);
  const record = {
    storeId,
    storeUrl,
    consumerKey: `ck_${hex(20)}`,
    consumerSecret: `cs_${hex(20)}`,
    keyId: 14,
    webhookSecret: hex(20),
    webhookId: 7,
    pluginSecret: hex(32),
    connectedAt: NOW,
  };
  await tenants.saveWooStore(record);
  const pending = new DbPendingAuthorizations(db, keyring);
  const state = `st_${hex(16)}`;
  const claimCode = `cc_${hex(16)}`;
  await pending.create({
    state,
    storeUrl,
    pluginReturnUrl: `${storeUrl}/wp-admin/`,
    expiresAt: new Date(NOW.getTime() + 600_000),
  });
  expect(await pending.complete(state, { storeId, claimCode }, NOW)).toBe(true);
  return { record, state, claimCode };
}

async function sealedKeyIds(db: Database, keyring: Keyring, storeId: string, state: string) {
  const { rows } = await db.query<{ col: string; blob: Buffer; kid: string | null }>(
    `SELECT 'tenants.platform_credentials' AS col, platform_credentials AS blob,
       platform_credentials_key_id AS kid FROM tenants WHERE id = $1
     UNION ALL SELECT 'woo_stores.secrets', secrets, secrets_key_id
       FROM woo_stores WHERE tenant_id = $1
     UNION ALL SELECT 'woo_pending_authorizations.claim_code_sealed', claim_code_sealed, NULL
       FROM woo_pending_authorizations WHERE state = $2`,
    [storeId, state],
  );
  return Object.fromEntries(rows.map((r) => [r.col, [keyring.keyIdOf(r.blob), r.kid]]));
}

forEachDatabase("woocommerce: every secret at rest follows key rotation", (t) => {
  beforeEach(async () => {
    await t().db.query("TRUNCATE tenants CASCADE");
    await t().db.query("DELETE FROM woo_pending_authorizations");
  });

  it("a start with B,A re-seals everything under B; B alone then opens every value", async () => {
    const { db } = t();
    const { record, state, claimCode } = await connectUnder(db, ringA);

    const first = await restart(db, `B:${b64(KEY_B)},A:${b64(KEY_A)}`);
    await first.bridge.close();
    expect(await sealedKeyIds(db, first.bridge.keyring, record.storeId, state)).toEqual({
      "tenants.platform_credentials": ["B", "B"],
      "woo_stores.secrets": ["B", "B"],
      "woo_pending_authorizations.claim_code_sealed": ["B", null],
    });
    expect(
      first.logs.lines().find((l) => l.msg === "records re-encrypted under the primary key"),
    ).toMatchObject({
      rewritten: 3,
      resealed: {
        "tenants.pe_credentials": 0,
        "tenants.platform_credentials": 1,
        "woo_stores.secrets": 1,
        "woo_pending_authorizations.claim_code_sealed": 1,
      },
    });
    expect(first.logs.text()).toContain("older keys can be removed");

    const second = await restart(db, `B:${b64(KEY_B)}`);
    await second.bridge.close();
    const ringB = second.bridge.keyring;
    expect(ringB.keyIds).toEqual(["B"]);
    expect(await new DbTenantStore(db, ringB).getWooStore(record.storeId)).toEqual(record);
    expect((await getTenantCredentials(db, ringB, record.storeId)).platform).toEqual({
      kind: "woocommerce",
      consumerKey: record.consumerKey,
      consumerSecret: record.consumerSecret,
    });
    const key = await new DbPluginKeys(db, ringB, clock).keyFor(record.storeId);
    expect(key?.secret).toBe(record.pluginSecret);
    expect((await new DbPendingAuthorizations(db, ringB).get(state))?.claimCode).toBe(claimCode);
    expect(second.logs.lines().filter((l) => l.level >= 50)).toEqual([]);

    const logged = first.logs.text() + second.logs.text();
    for (const s of [
      record.consumerSecret,
      record.pluginSecret,
      record.webhookSecret,
      claimCode,
      state,
    ]) {
      expect(logged).not.toContain(s);
    }
  });

  it("rows sealed under a key nobody configured are named (never by their state) at start-up", async () => {
    const { db } = t();
    const good = await connectUnder(db, ringA);
    const stray = await connectUnder(db, ringX);
    const started = await restart(db, `B:${b64(KEY_B)},A:${b64(KEY_A)}`);
    await started.bridge.close();
    expect(await sealedKeyIds(db, started.bridge.keyring, good.record.storeId, good.state)).toEqual(
      {
        "tenants.platform_credentials": ["B", "B"],
        "woo_stores.secrets": ["B", "B"],
        "woo_pending_authorizations.claim_code_sealed": ["B", null],
      },
    );
    const strayId = stray.record.storeId;
    const errors = started.logs.lines().filter((l) => l.level >= 50);
    expect(errors.map((e) => [e.column, e.rows])).toEqual([
      ["tenants.platform_credentials", [{ row: strayId, keyId: "X", reason: "unknown_key" }]],
      ["woo_stores.secrets", [{ row: strayId, keyId: "X", reason: "unknown_key" }]],
      [
        "woo_pending_authorizations.claim_code_sealed",
        [
          {
            row: expect.stringContaining(`store ${strayId} created `),
            keyId: "X",
            reason: "unknown_key",
          },
        ],
      ],
    ]);
    expect(started.logs.text()).not.toContain(stray.state);
    expect(started.logs.text()).not.toContain("older keys can be removed");
  });
});
