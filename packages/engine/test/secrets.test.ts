import {
  createKeyring,
  getTenantCredentials,
  insertAudit,
  openAppStorage,
  reencryptTenantColumns,
  reencryptUnderPrimaryKey,
  setTenantCredentials,
  findTenantByNotificationToken,
  deactivateTenant,
  type Database,
} from "../src/index";
import { createTestTenant, forEachDatabase } from "./support/databases";

const SECRET_KEY = "sk_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0ffee1234";
const ACCESS_KEY = "AKLIVE7Q4T8W1Z5R3P6N";
const SHOPIFY_TOKEN = "shpat_0123456789abcdef0123456789abcdef";

/** Every text-like and bytea column of every table in the public schema, as text. */
async function dumpDatabase(db: Database): Promise<string> {
  const { rows: columns } = await db.query<{
    table_name: string;
    column_name: string;
    data_type: string;
  }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
     WHERE table_schema = 'public'
       AND data_type IN ('text', 'character varying', 'bytea', 'jsonb', 'json', 'character')`,
  );
  expect(columns.length).toBeGreaterThan(20);
  const parts: string[] = [];
  for (const c of columns) {
    if (c.data_type === "bytea") {
      const { rows } = await db.query<{ v: Buffer | null }>(
        `SELECT "${c.column_name}" AS v FROM "${c.table_name}"`,
      );
      parts.push(...rows.map((r) => (r.v ? r.v.toString("latin1") : "")));
    } else {
      const { rows } = await db.query<{ v: string | null }>(
        `SELECT "${c.column_name}"::text AS v FROM "${c.table_name}"`,
      );
      parts.push(...rows.map((r) => r.v ?? ""));
    }
  }
  return parts.join("\n");
}

forEachDatabase("secrets at rest", (t) => {
  it("a database dump contains no plaintext credential", async () => {
    const { db } = t();
    const keyring = createKeyring({ keys: { a: Buffer.alloc(32, 9) }, primary: "a" });
    const tenant = await createTestTenant(
      db,
      {
        peCredentials: { accessKey: ACCESS_KEY, secretKey: SECRET_KEY, idService: 77 },
        platformCredentials: { kind: "shopify", accessToken: SHOPIFY_TOKEN },
      },
      keyring,
    );
    await insertAudit(db, {
      tenantId: tenant.id,
      direction: "outbound",
      method: "POST",
      path: "/v1/authorizations",
      request: { accessKey: ACCESS_KEY, secretKey: SECRET_KEY, idService: 77 },
      response: { data: { token: SHOPIFY_TOKEN } },
    });
    const dump = await dumpDatabase(db);
    expect(dump).toContain(tenant.shopDomain); // the scan does see data
    for (const secret of [SECRET_KEY, ACCESS_KEY, SHOPIFY_TOKEN]) {
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(Buffer.from(secret).toString("hex"));
      expect(dump).not.toContain(Buffer.from(secret).toString("base64"));
    }
    const creds = await getTenantCredentials(db, keyring, tenant.id);
    expect(creds.pagoEfectivo).toEqual({
      accessKey: ACCESS_KEY,
      secretKey: SECRET_KEY,
      idService: 77,
    });
    expect(creds.platform).toEqual({ kind: "shopify", accessToken: SHOPIFY_TOKEN });
  });

  it("rotates: old rows decrypt with the retired key, re-encryption moves them to the primary", async () => {
    const { db } = t();
    const oldRing = createKeyring({ keys: { old: Buffer.alloc(32, 3) }, primary: "old" });
    const tenant = await createTestTenant(db, {}, oldRing);
    const newRing = createKeyring({
      // Every key this test database has seen (other tests' tenants are rotated too).
      keys: {
        new: Buffer.alloc(32, 4),
        old: Buffer.alloc(32, 3),
        a: Buffer.alloc(32, 9),
        test1: Buffer.alloc(32, 7),
      },
      primary: "new",
    });
    expect((await getTenantCredentials(db, newRing, tenant.id)).pagoEfectivo?.idService).toBe(1234);
    const reports = [await reencryptTenantColumns(db, newRing)].flat();
    expect(reports.reduce((n, r) => n + r.resealed, 0)).toBeGreaterThanOrEqual(1);
    const onlyNew = createKeyring({ keys: { new: Buffer.alloc(32, 4) }, primary: "new" });
    expect((await getTenantCredentials(db, onlyNew, tenant.id)).pagoEfectivo?.idService).toBe(1234);
  });

  it("an app start rewrites what older keys sealed: tenant credentials and the app's own stores", async () => {
    const { db } = t();
    const older = createKeyring({ keys: { older: Buffer.alloc(32, 5) }, primary: "older" });
    const tenant = await createTestTenant(db, {}, older);
    const ring = createKeyring({
      keys: {
        newest: Buffer.alloc(32, 6),
        older: Buffer.alloc(32, 5),
        new: Buffer.alloc(32, 4),
        old: Buffer.alloc(32, 3),
        a: Buffer.alloc(32, 9),
        test1: Buffer.alloc(32, 7),
      },
      primary: "newest",
    });
    const appStore = jest.fn(async () => ({
      column: "app_store.sealed",
      resealed: 2,
      changedMeanwhile: 0,
      unreadable: [],
      unreadableCount: 0,
      remaining: 0,
    }));
    const info = jest.fn();
    const logger = { info, warn: jest.fn(), error: jest.fn(), debug: jest.fn() } as never;
    await openAppStorage({
      app: "rotation",
      dataDir: "/nonexistent",
      db,
      keyring: ring,
      logger,
      reencrypt: [appStore],
    });
    expect(appStore).toHaveBeenCalledWith(db, ring);
    const onlyNewest = createKeyring({ keys: { newest: Buffer.alloc(32, 6) }, primary: "newest" });
    expect((await getTenantCredentials(db, onlyNewest, tenant.id)).pagoEfectivo?.idService).toBe(
      1234,
    );
    expect(info).toHaveBeenCalledWith(
      expect.objectContaining({ primaryKeyId: "newest" }),
      "records re-encrypted under the primary key",
    );
    // Nothing left: the next start says the older keys can go.
    expect(await reencryptUnderPrimaryKey(db, ring, [reencryptTenantColumns], logger)).toBe(0);
    expect(info).toHaveBeenLastCalledWith(
      expect.anything(),
      expect.stringContaining("older keys can be removed"),
    );
  });

  it("a key the keyring does not hold stops re-encryption with an error, not a crash", async () => {
    const { db } = t();
    const stranger = createKeyring({
      keys: { stranger: Buffer.alloc(32, 8) },
      primary: "stranger",
    });
    await createTestTenant(db, {}, stranger);
    const ring = createKeyring({
      keys: { newest: Buffer.alloc(32, 6), older: Buffer.alloc(32, 5) },
      primary: "newest",
    });
    const error = jest.fn();
    const logger = { info: jest.fn(), warn: jest.fn(), error, debug: jest.fn() } as never;
    await expect(
      reencryptUnderPrimaryKey(db, ring, [reencryptTenantColumns], logger),
    ).resolves.toBe(0);
    expect(error).toHaveBeenCalled();
  });

  it("a ciphertext copied onto another tenant does not decrypt", async () => {
    const { db } = t();
    const keyring = createKeyring({ keys: { a: Buffer.alloc(32, 9) }, primary: "a" });
    const a = await createTestTenant(db, {}, keyring);
    const b = await createTestTenant(db, {}, keyring);
    await db.query(
      "UPDATE tenants SET pe_credentials = (SELECT pe_credentials FROM tenants WHERE id = $1) WHERE id = $2",
      [a.id, b.id],
    );
    await expect(getTenantCredentials(db, keyring, b.id)).rejects.toMatchObject({
      code: "decryption_failed",
    });
    await setTenantCredentials(db, keyring, b.id, { peCredentials: null });
    expect((await getTenantCredentials(db, keyring, b.id)).pagoEfectivo).toBeNull();
  });

  it("finds a tenant by notification token and honours deactivation", async () => {
    const { db } = t();
    const tenant = await createTestTenant(db);
    expect(tenant.notificationToken.length).toBeGreaterThanOrEqual(43);
    expect((await findTenantByNotificationToken(db, tenant.notificationToken))!.id).toBe(tenant.id);
    expect(await findTenantByNotificationToken(db, "short")).toBeNull();
    await deactivateTenant(db, tenant.id, new Date());
    expect(
      await findTenantByNotificationToken(db, tenant.notificationToken, { activeOnly: true }),
    ).toBeNull();
  });
});
