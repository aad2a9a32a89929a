import { getVoucher, type Database } from "../src/index";
import { insertClaimedVoucher, type ClaimedNewVoucher } from "../src/db/voucher-and-settings";
import { createTestTenant, forEachDatabase } from "./support/databases";
import { startHarness, voucherCommand, type Harness } from "./vouchers-harness";

/** The statements sent through a database (BEGIN and COMMIT of a transaction included). */
function recording(db: Database): { db: Database; sql: string[] } {
  const sql: string[] = [];
  const wrapped: Database = {
    kind: db.kind,
    inTransaction: false,
    query(text, params) {
      sql.push(text);
      return db.query(text, params);
    },
    exec(text) {
      sql.push(text);
      return db.exec(text);
    },
    transaction(fn, opts) {
      sql.push("BEGIN");
      return db
        .transaction(
          (tx) =>
            fn({
              kind: tx.kind,
              inTransaction: true,
              query(text, params) {
                sql.push(text);
                return tx.query(text, params);
              },
              exec(text) {
                sql.push(text);
                return tx.exec(text);
              },
            }),
          opts,
        )
        .finally(() => sql.push("COMMIT"));
    },
    close: () => db.close(),
  };
  return { db: wrapped, sql };
}

forEachDatabase("vouchers: create, round trips", (t) => {
  let h: Harness;
  let rec: ReturnType<typeof recording>;
  beforeAll(async () => {
    rec = recording(t().db);
    h = await startHarness(rec.db);
  });
  afterAll(() => h.close());

  const setValidity = (hours: number) =>
    t().db.query("UPDATE tenant_settings SET validity_hours = $2 WHERE tenant_id = $1", [
      h.tenant.id,
      hours,
    ]);
  const hoursLeft = (expiresAt: Date) => (expiresAt.getTime() - Date.now()) / 3_600_000;

  it("a new voucher: one statement before PagoEfectivo, one transaction after", async () => {
    await h.engine.createVoucher(voucherCommand(h.tenant.id)); // tenant and settings known
    rec.sql.length = 0;
    const view = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    expect(view.status).toBe("pending");
    expect(rec.sql).toHaveLength(5);
    expect(rec.sql[0]).toMatch(/INSERT INTO vouchers/);
    expect(rec.sql[1]).toBe("BEGIN");
    expect(rec.sql[4]).toBe("COMMIT");
    const stored = (await getVoucher(t().db, view.id))!;
    // The insert took the creation lease; the transition to pending released it.
    expect(stored.createAttempts).toBe(1);
    expect(stored.expiryLeaseUntil).toBeNull();
  });

  it("a replay of a pending voucher: one statement, no CIP", async () => {
    const cmd = voucherCommand(h.tenant.id);
    const first = await h.engine.createVoucher(cmd);
    const cips = h.sandbox.sandbox.state.cips.size;
    rec.sql.length = 0;
    const again = await h.engine.createVoucher(cmd);
    expect(again).toEqual(first);
    expect(rec.sql).toHaveLength(1);
    expect(h.sandbox.sandbox.state.cips.size).toBe(cips);
  });

  it("uses a validity changed behind the engine's back at once (no stale expiry)", async () => {
    await h.engine.createVoucher(voucherCommand(h.tenant.id)); // remembers 48 h
    await setValidity(10);
    try {
      rec.sql.length = 0;
      const view = await h.engine.createVoucher(voucherCommand(h.tenant.id));
      expect(hoursLeft(view.expiresAt)).toBeGreaterThan(9.9);
      expect(hoursLeft(view.expiresAt)).toBeLessThanOrEqual(10);
      // The guarded insert refused the stale guess and told the current setting: one retry.
      expect(rec.sql.filter((s) => /INSERT INTO vouchers/.test(s))).toHaveLength(2);
      const next = await h.engine.createVoucher(voucherCommand(h.tenant.id));
      expect(hoursLeft(next.expiresAt)).toBeLessThanOrEqual(10);
    } finally {
      await setValidity(48);
    }
  });

  it("answers a replay with its voucher even if the request would no longer validate", async () => {
    const cmd = voucherCommand(h.tenant.id);
    const first = await h.engine.createVoucher(cmd);
    const stalePolicy = { expiryPolicy: { notAfter: new Date(Date.now() - 1000) } };
    expect(await h.engine.createVoucher({ ...cmd, ...stalePolicy })).toEqual(first);
    await expect(
      h.engine.createVoucher({ ...voucherCommand(h.tenant.id), ...stalePolicy }),
    ).rejects.toMatchObject({ httpStatus: 400 });
  });

  it("many concurrent first calls of one key on a fresh engine: one voucher, one CIP", async () => {
    const fresh = await startHarness(t().db, { sandbox: h.sandbox, tenant: h.tenant });
    try {
      const cmd = voucherCommand(h.tenant.id);
      const before = h.sandbox.sandbox.state.cips.size;
      const views = await Promise.all(
        Array.from({ length: 8 }, () => fresh.engine.createVoucher(cmd)),
      );
      expect(new Set(views.map((v) => v.id)).size).toBe(1);
      expect(new Set(views.map((v) => v.cip)).size).toBe(1);
      expect(h.sandbox.sandbox.state.cips.size).toBe(before + 1);
    } finally {
      await fresh.close();
    }
  });
});

forEachDatabase("insertClaimedVoucher", (t) => {
  const attempt = (tenantId: string, key: string, over: Partial<ClaimedNewVoucher> = {}) => ({
    tenantId,
    platformPaymentId: key,
    idempotencyKey: key,
    groupKey: `g-${key}`,
    requestFingerprint: "fp",
    transactionCode: `T${key.toUpperCase()}`,
    amount: { minor: 1000, currency: "PEN" as const },
    status: "created",
    expiresAt: new Date(Date.now() + 3_600_000),
    platformData: { engine: { tokenSecret: "s" } },
    expiryLeaseUntil: new Date(Date.now() + 60_000),
    ...over,
  });

  it("inserts with the lease while the validity matches, and returns the row on a replay", async () => {
    const { db } = t();
    const tenant = await createTestTenant(db);
    const out = await insertClaimedVoucher(db, attempt(tenant.id, "k1"), 48);
    expect(out.kind).toBe("inserted");
    if (out.kind !== "inserted") return;
    expect(out.validityHours).toBe(48);
    expect(out.voucher.createAttempts).toBe(1);
    expect(out.voucher.expiryLeaseUntil).not.toBeNull();
    const again = await insertClaimedVoucher(
      db,
      attempt(tenant.id, "k1", { transactionCode: "TOTHER1" }),
      48,
    );
    expect(again).toMatchObject({ kind: "existing", validityHours: 48 });
    if (again.kind === "existing") expect(again.voucher.id).toBe(out.voucher.id);
  });

  it("inserts nothing on a stale or missing validity and tells the stored one", async () => {
    const { db } = t();
    const tenant = await createTestTenant(db);
    expect(await insertClaimedVoucher(db, attempt(tenant.id, "k2"), 12)).toEqual({
      kind: "none",
      validityHours: 48,
    });
    expect(await insertClaimedVoucher(db, attempt(tenant.id, "k2"), null)).toEqual({
      kind: "none",
      validityHours: 48,
    });
    const { rows } = await db.query("SELECT 1 FROM vouchers WHERE tenant_id = $1", [tenant.id]);
    expect(rows).toHaveLength(0);
  });

  it("reports a conflict on another unique key as nothing inserted, nothing found", async () => {
    const { db } = t();
    const tenant = await createTestTenant(db);
    await insertClaimedVoucher(db, attempt(tenant.id, "k3"), 48);
    // Same platform payment id under another idempotency key.
    expect(
      await insertClaimedVoucher(
        db,
        attempt(tenant.id, "k4", { platformPaymentId: "k3", transactionCode: "TK4" }),
        48,
      ),
    ).toEqual({ kind: "none", validityHours: 48 });
  });
});
