import { randomBytes } from "node:crypto";
import {
  createKeyring,
  getTenantCredentials,
  openAppStorage,
  reencryptUnderPrimaryKey,
  resealColumn,
  setTenantCredentials,
  tenantSealedColumn,
  type Database,
  type Keyring,
} from "../src/index";
import { reencryptTenantColumns } from "../src/runtime/process-context";
import { createTestTenant, forEachDatabase } from "./support/databases";
import { captureLogs } from "./support/log-capture";

const KEY_A = randomBytes(32);
const KEY_B = randomBytes(32);
const KEY_X = randomBytes(32);
const ringA = createKeyring({ keys: { A: KEY_A }, primary: "A" });
const ringBA = createKeyring({ keys: { B: KEY_B, A: KEY_A }, primary: "B" });
const ringB = createKeyring({ keys: { B: KEY_B }, primary: "B" });
const ringX = createKeyring({ keys: { X: KEY_X }, primary: "X" });
const envBA = `B:${KEY_B.toString("base64")},A:${KEY_A.toString("base64")}`;
const envB = `B:${KEY_B.toString("base64")}`;

const pe = (n: number) => ({
  accessKey: `AK${n}Q4T8W1Z5R3P6N`,
  secretKey: `sk_rotation_${n}_${randomBytes(8).toString("hex")}`,
  idService: 1000 + n,
});

const PE_COLUMN = tenantSealedColumn("pe_credentials");

/** Key id written inside each tenant's pe_credentials blob, and the copy beside it. */
async function peKeyIds(db: Database, ring: Keyring) {
  const { rows } = await db.query<{ id: string; blob: Buffer; kid: string }>(
    "SELECT id, pe_credentials AS blob, pe_credentials_key_id AS kid FROM tenants ORDER BY id",
  );
  return rows.map((r) => ({ id: r.id, inBlob: ring.keyIdOf(r.blob), column: r.kid }));
}

forEachDatabase("key rotation at start-up", (t) => {
  beforeEach(async () => {
    await t().db.query("TRUNCATE tenants CASCADE");
  });

  it("re-seals under B, in batches, and everything opens with B alone", async () => {
    const { db } = t();
    const sealed = [];
    for (let i = 0; i < 5; i++) {
      const creds = pe(i);
      const tenant = await createTestTenant(
        db,
        {
          peCredentials: creds,
          platformCredentials: { kind: "shopify", accessToken: `shpat_${i}` },
        },
        ringA,
      );
      sealed.push({ id: tenant.id, creds, token: `shpat_${i}` });
    }
    const report = await resealColumn(db, ringBA, PE_COLUMN, { batchSize: 2 });
    expect(report).toMatchObject({
      column: "tenants.pe_credentials",
      resealed: 5,
      changedMeanwhile: 0,
      unreadableCount: 0,
      remaining: 0,
    });
    expect(new Set((await peKeyIds(db, ringB)).flatMap((k) => [k.inBlob, k.column]))).toEqual(
      new Set(["B"]),
    );
    // The other column was not part of this pass: still under A.
    await expect(getTenantCredentials(db, ringB, sealed[0]!.id)).rejects.toMatchObject({
      code: "decryption_failed",
    });

    const logs = captureLogs();
    const storage = await openAppStorage({
      app: "rotation",
      dataDir: "/nonexistent",
      db,
      encryptionKey: envBA,
      logger: logs.logger,
    });
    expect(storage.keyring.primaryKeyId).toBe("B");
    const rewritten = logs
      .lines()
      .find((l) => l.msg === "records re-encrypted under the primary key");
    expect(rewritten).toMatchObject({
      rewritten: 5,
      resealed: { "tenants.pe_credentials": 0, "tenants.platform_credentials": 5 },
    });
    expect(logs.lines().map((l) => l.msg)).toContain(
      "nothing left under an older key; older keys can be removed from APP_ENCRYPTION_KEY",
    );

    // Restart with B alone: every row opens, with the values sealed under A.
    const onlyB = captureLogs();
    const restarted = await openAppStorage({
      app: "rotation",
      dataDir: "/nonexistent",
      db,
      encryptionKey: envB,
      logger: onlyB.logger,
    });
    for (const s of sealed) {
      expect(await getTenantCredentials(db, restarted.keyring, s.id)).toEqual({
        pagoEfectivo: s.creds,
        platform: { kind: "shopify", accessToken: s.token },
      });
    }
    expect(onlyB.lines().filter((l) => l.level >= 40)).toEqual([]);
    // Counts and ids only: no secret reaches a log line.
    for (const s of sealed) {
      expect(logs.text() + onlyB.text()).not.toContain(s.creds.secretKey);
      expect(logs.text() + onlyB.text()).not.toContain(s.token);
    }
  });

  it("a row under a key the keyring lacks is named in an error line and left as it is", async () => {
    const { db } = t();
    const before = await createTestTenant(db, { peCredentials: pe(1) }, ringA);
    const stranger = await createTestTenant(db, { peCredentials: pe(2) }, ringX);
    const after = await createTestTenant(db, { peCredentials: pe(3) }, ringA);
    const strangerBlob = (
      await db.query<{ b: Buffer }>("SELECT pe_credentials AS b FROM tenants WHERE id = $1", [
        stranger.id,
      ])
    ).rows[0]!.b;

    const report = await resealColumn(db, ringBA, PE_COLUMN, { batchSize: 1 });
    expect(report.resealed).toBe(2);
    expect(report.unreadableCount).toBe(1);
    expect(report.unreadable).toEqual([{ row: stranger.id, keyId: "X", reason: "unknown_key" }]);
    expect(report.remaining).toBe(1);
    const kids = Object.fromEntries((await peKeyIds(db, ringBA)).map((k) => [k.id, k.inBlob]));
    expect(kids).toEqual({ [before.id]: "B", [stranger.id]: "X", [after.id]: "B" });
    const untouched = (
      await db.query<{ b: Buffer }>("SELECT pe_credentials AS b FROM tenants WHERE id = $1", [
        stranger.id,
      ])
    ).rows[0]!.b;
    expect(untouched.equals(strangerBlob)).toBe(true);

    // At start-up: the app opens, the error line names column, row and key id, and the old key
    // is NOT declared removable. With B alone the same row is still reported on every start.
    for (const encryptionKey of [envBA, envB]) {
      const logs = captureLogs();
      await openAppStorage({
        app: "rotation",
        dataDir: "/nonexistent",
        db,
        encryptionKey,
        logger: logs.logger,
      });
      const errors = logs.lines().filter((l) => l.level >= 50);
      expect(errors).toEqual([
        expect.objectContaining({
          column: "tenants.pe_credentials",
          unreadable: 1,
          keyIds: ["X"],
          rows: [{ row: stranger.id, keyId: "X", reason: "unknown_key" }],
        }),
      ]);
      expect(logs.text()).not.toContain("older keys can be removed");
    }
    // The readable rows still open with B alone.
    expect((await getTenantCredentials(db, ringB, after.id)).pagoEfectivo).toEqual(
      expect.objectContaining({ idService: 1003 }),
    );
  });

  it("rows no key opens do not stall the batches: each is visited once", async () => {
    const { db } = t();
    const strangers = [];
    for (let i = 0; i < 5; i++) {
      strangers.push((await createTestTenant(db, { peCredentials: pe(i) }, ringX)).id);
    }
    const report = await resealColumn(db, ringBA, PE_COLUMN, { batchSize: 2 });
    expect(report.unreadableCount).toBe(5);
    expect(report.unreadable.map((u) => u.row).sort()).toEqual([...strangers].sort());
  });

  it("a blob moved onto another row fails authentication and is reported as such", async () => {
    const { db } = t();
    const a = await createTestTenant(db, { peCredentials: pe(1) }, ringA);
    const b = await createTestTenant(db, { peCredentials: pe(2) }, ringA);
    await db.query(
      "UPDATE tenants SET pe_credentials = (SELECT pe_credentials FROM tenants WHERE id = $1) WHERE id = $2",
      [a.id, b.id],
    );
    const report = await resealColumn(db, ringBA, PE_COLUMN);
    expect(report.resealed).toBe(1);
    expect(report.unreadable).toEqual([{ row: b.id, keyId: "A", reason: "failed_authentication" }]);
  });

  it("never overwrites a value written between its read and its write", async () => {
    const { db } = t();
    const tenant = await createTestTenant(db, { peCredentials: pe(1) }, ringA);
    const concurrent = pe(9);
    // The app saves new credentials (an old instance, still under A) just before the re-seal
    // writes: the guarded UPDATE must find the blob changed and leave the new value alone.
    const racing: Database = Object.create(db) as Database;
    racing.query = (async (sql: string, params?: readonly unknown[]) => {
      if (!sql.trimStart().startsWith("SELECT")) {
        await setTenantCredentials(db, ringA, tenant.id, { peCredentials: concurrent });
      }
      return db.query(sql, params);
    }) as Database["query"];
    const report = await resealColumn(racing, ringBA, PE_COLUMN);
    expect(report).toMatchObject({ resealed: 0, changedMeanwhile: 1, remaining: 1 });
    expect((await getTenantCredentials(db, ringA, tenant.id)).pagoEfectivo).toEqual(concurrent);
    // The next start re-seals the value that won.
    expect((await resealColumn(db, ringBA, PE_COLUMN)).resealed).toBe(1);
    expect((await getTenantCredentials(db, ringB, tenant.id)).pagoEfectivo).toEqual(concurrent);
  });

  it("two instances starting together re-seal each row once and lose nothing", async () => {
    const { db } = t();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push((await createTestTenant(db, { peCredentials: pe(i) }, ringA)).id);
    }
    const other = await t().connect();
    const reports = await Promise.all([
      reencryptTenantColumns(db, ringBA),
      reencryptTenantColumns(other, ringBA),
    ]);
    const pes = reports
      .flatMap((r) => (Array.isArray(r) ? r : []))
      .filter((r) => r.column === "tenants.pe_credentials");
    expect(pes.reduce((n, r) => n + r.resealed, 0)).toBe(12);
    expect(pes.every((r) => r.unreadableCount === 0 && r.remaining === 0)).toBe(true);
    for (const [i, id] of ids.entries()) {
      expect((await getTenantCredentials(db, ringB, id)).pagoEfectivo).toEqual(
        expect.objectContaining({ idService: 1000 + i }),
      );
    }
  });

  it("a step that throws is logged and the others still run", async () => {
    const { db } = t();
    const tenant = await createTestTenant(db, { peCredentials: pe(4) }, ringA);
    const logs = captureLogs();
    const failing = async () => {
      throw new Error("boom");
    };
    const n = await reencryptUnderPrimaryKey(
      db,
      ringBA,
      [failing, reencryptTenantColumns],
      logs.logger,
    );
    expect(n).toBe(1);
    expect((await getTenantCredentials(db, ringB, tenant.id)).pagoEfectivo?.idService).toBe(1004);
    const msgs = logs.lines().map((l) => l.msg);
    expect(msgs).toContain("re-encryption under the primary key failed");
    expect(msgs).toContain(
      "records are still under another key: keep the older keys in APP_ENCRYPTION_KEY",
    );
    expect(msgs.join("\n")).not.toContain("older keys can be removed");
  });
});
