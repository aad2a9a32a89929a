import type { PagoEfectivoClient } from "../../core/src/index";
import {
  getVoucher,
  listVoucherCips,
  lockVouchers,
  markVouchersPendingOrTaken,
  type Database,
  type EngineContext,
} from "../src/index";
import { insertClaimedVoucher, type ClaimedNewVoucher } from "../src/db/voucher-and-settings";
import { createTestTenant, forEachDatabase } from "./support/databases";
import { recording } from "./support/recording-db";
import { startHarness, voucherCommand, type Harness } from "./vouchers-harness";

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

  it("a new voucher: one statement before PagoEfectivo, one after (transition + outbox)", async () => {
    await h.engine.createVoucher(voucherCommand(h.tenant.id)); // tenant and settings known
    rec.sql.length = 0;
    const view = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    expect(view.status).toBe("pending");
    expect(rec.sql).toHaveLength(2);
    expect(rec.sql[0]).toMatch(/INSERT INTO vouchers/);
    expect(rec.sql[1]).toMatch(/UPDATE vouchers[\s\S]*INSERT INTO outbox/);
    const stored = (await getVoucher(t().db, view.id))!;
    // The insert took the creation lease; the transition to pending released it.
    expect(stored.createAttempts).toBe(1);
    expect(stored.expiryLeaseUntil).toBeNull();
    const { rows } = await t().db.query<{ kind: string; payload: { voucher: unknown } }>(
      "SELECT kind, payload FROM outbox WHERE aggregate_id = $1",
      [view.id],
    );
    expect(rows.map((r) => r.kind)).toEqual(["voucher.pending"]);
    // The stored payload is the view of the committed row (dates as JSON text).
    expect(rows[0]!.payload.voucher).toEqual(JSON.parse(JSON.stringify(view)));
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

  it("vouchers whose CIPs come back together are finished in one statement", async () => {
    const fresh = await startHarness(rec.db, { sandbox: h.sandbox, tenant: h.tenant });
    // Hold every createCip answer until all of them are in, then let them go at once.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let held = 0;
    let gated = false;
    const real = fresh.ctx.pagoEfectivo;
    (fresh.ctx as { pagoEfectivo: EngineContext["pagoEfectivo"] }).pagoEfectivo = (o) => {
      const client = real(o);
      const createCip: PagoEfectivoClient["createCip"] = async (body) => {
        const answer = await client.createCip(body);
        if (gated) {
          held += 1;
          await gate;
        }
        return answer;
      };
      return new Proxy(client, {
        get: (target, key) => (key === "createCip" ? createCip : Reflect.get(target, key)),
      });
    };
    try {
      await fresh.engine.createVoucher(voucherCommand(h.tenant.id)); // warm: tenant, settings
      gated = true;
      const n = 6;
      const calls = Array.from({ length: n }, () =>
        fresh.engine.createVoucher(voucherCommand(h.tenant.id)),
      );
      while (held < n) await new Promise((r) => setTimeout(r, 5));
      rec.sql.length = 0;
      release();
      const views = await Promise.all(calls);
      expect(views.every((v) => v.status === "pending")).toBe(true);
      expect(new Set(views.map((v) => v.cip)).size).toBe(n);
      expect(rec.sql).toHaveLength(1); // mark pending + enqueue, a transaction of its own
      for (const v of views) {
        const kinds = await t().db.query<{ kind: string }>(
          "SELECT kind FROM outbox WHERE aggregate_id = $1",
          [v.id],
        );
        expect(kinds.rows.map((r) => r.kind)).toEqual(["voucher.pending"]);
      }
    } finally {
      release();
      await fresh.close();
    }
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

forEachDatabase("markVouchersPendingOrTaken", (t) => {
  it("moves only vouchers still created, records every CIP, and takes one CIP per voucher", async () => {
    const { db } = t();
    const tenant = await createTestTenant(db);
    const ids: string[] = [];
    for (const key of ["m1", "m2", "m3"]) {
      const out = await insertClaimedVoucher(
        db,
        {
          tenantId: tenant.id,
          platformPaymentId: key,
          idempotencyKey: key,
          requestFingerprint: "fp",
          transactionCode: `T${key.toUpperCase()}${tenant.id.slice(0, 8)}`,
          amount: { minor: 1000, currency: "PEN" },
          status: "created",
          expiresAt: new Date(Date.now() + 3_600_000),
          expiryLeaseUntil: new Date(Date.now() + 60_000),
        },
        48,
      );
      if (out.kind !== "inserted") throw new Error(out.kind);
      ids.push(out.voucher.id);
    }
    // m2 was paid (say) before its CIP answer was stored.
    await db.query("UPDATE vouchers SET status = 'paid' WHERE id = $1", [ids[1]]);
    const nextPollAt = new Date(Date.now() + 600_000);
    const { moved } = await markVouchersPendingOrTaken(db, [
      { voucherId: ids[0]!, cip: "9100001", cipUrl: "https://x/cip/1", nextPollAt },
      { voucherId: ids[1]!, cip: "9100002", cipUrl: null, nextPollAt },
      { voucherId: ids[2]!, cip: "9100003", cipUrl: null, nextPollAt },
      { voucherId: ids[2]!, cip: "9100004", cipUrl: null, nextPollAt },
    ]);
    expect(moved.map((v) => v.id).sort()).toEqual([ids[0], ids[2]].sort());
    const first = moved.find((v) => v.id === ids[0])!;
    expect(first).toMatchObject({
      status: "pending",
      cip: "9100001",
      cipUrl: "https://x/cip/1",
      expiryLeaseUntil: null,
      lastError: null,
      version: 1,
    });
    expect(first.nextPollAt?.getTime()).toBe(nextPollAt.getTime());
    expect(["9100003", "9100004"]).toContain(moved.find((v) => v.id === ids[2])!.cip);
    expect(await listVoucherCips(db, ids[1]!)).toEqual(["9100002"]);
    expect((await listVoucherCips(db, ids[2]!)).sort()).toEqual(["9100003", "9100004"]);
    const locked = await db.transaction((tx) => lockVouchers(tx, [ids[1]!, ids[0]!]));
    expect(locked.map((v) => v.status).sort()).toEqual(["paid", "pending"]);
    expect((await markVouchersPendingOrTaken(db, [])).moved).toEqual([]);
  });
});

forEachDatabase("markVouchersPendingOrTaken with outbox messages", (t) => {
  async function created(db: Database, tenantId: string, key: string): Promise<string> {
    const out = await insertClaimedVoucher(
      db,
      {
        tenantId,
        platformPaymentId: key,
        idempotencyKey: key,
        requestFingerprint: "fp",
        transactionCode: `T${key.toUpperCase()}${tenantId.slice(0, 8)}`,
        amount: { minor: 1000, currency: "PEN" },
        status: "created",
        expiresAt: new Date(Date.now() + 3_600_000),
        platformData: { platform: { gid: key }, engine: { tokenSecret: "s" } },
        expiryLeaseUntil: new Date(Date.now() + 60_000),
      },
      48,
    );
    if (out.kind !== "inserted") throw new Error(out.kind);
    return out.voucher.id;
  }
  const message = (id: string, cip: string) => ({
    kind: "voucher.pending",
    dedupeKey: `voucher.pending:${id}`,
    payload: { voucher: { id, cip, platformData: { stale: true } } },
  });
  const outboxOf = async (db: Database, id: string) =>
    (
      await db.query<{ kind: string; payload: { voucher: Record<string, unknown> } }>(
        "SELECT kind, payload FROM outbox WHERE aggregate_id = $1 ORDER BY seq",
        [id],
      )
    ).rows;

  it("enqueues one message per voucher that moved, with the row's adapter data", async () => {
    const { db } = t();
    const tenant = await createTestTenant(db);
    const [a, b, c] = [
      await created(db, tenant.id, "o1"),
      await created(db, tenant.id, "o2"),
      await created(db, tenant.id, "o3"),
    ];
    await db.query("UPDATE vouchers SET status = 'paid' WHERE id = $1", [b]);
    // The adapter noted something on c while it was still created.
    await db.query(
      `UPDATE vouchers SET platform_data = jsonb_set(platform_data, '{platform,note}', '"x"')
       WHERE id = $1`,
      [c],
    );
    const nextPollAt = new Date(Date.now() + 600_000);
    const issued = [
      { voucherId: a!, cip: "9200001", cipUrl: null, nextPollAt, message: message(a!, "9200001") },
      { voucherId: b!, cip: "9200002", cipUrl: null, nextPollAt, message: message(b!, "9200002") },
      { voucherId: c!, cip: "9200003", cipUrl: null, nextPollAt, message: message(c!, "9200003") },
      { voucherId: c!, cip: "9200004", cipUrl: null, nextPollAt, message: message(c!, "9200004") },
    ];
    const { moved } = await markVouchersPendingOrTaken(db, issued);
    expect(moved.map((v) => v.id).sort()).toEqual([a, c].sort());
    const [ma] = await outboxOf(db, a!);
    expect(ma).toMatchObject({
      kind: "voucher.pending",
      payload: { voucher: { id: a, cip: "9200001", platformData: { gid: "o1" } } },
    });
    expect(await outboxOf(db, b!)).toEqual([]);
    const mc = await outboxOf(db, c!);
    expect(mc).toHaveLength(1);
    // The message names the CIP that became current, and the adapter data as committed.
    expect(mc[0]!.payload.voucher).toEqual({
      id: c,
      cip: moved.find((v) => v.id === c)!.cip,
      platformData: { gid: "o3", note: "x" },
    });
    // A replay of the same transition moves and enqueues nothing.
    expect((await markVouchersPendingOrTaken(db, issued)).moved).toEqual([]);
    expect(await outboxOf(db, a!)).toHaveLength(1);
  });

  it("is all or nothing: a message the database refuses leaves the voucher created", async () => {
    const { db } = t();
    const tenant = await createTestTenant(db);
    const id = await created(db, tenant.id, "o9");
    const nextPollAt = new Date(Date.now() + 600_000);
    await expect(
      markVouchersPendingOrTaken(db, [
        {
          voucherId: id,
          cip: "9200009",
          cipUrl: null,
          nextPollAt,
          // jsonb refuses \u0000: the enqueue fails inside the statement.
          message: { ...message(id, "9200009"), payload: { voucher: { id: "\u0000" } } },
        },
      ]),
    ).rejects.toThrow();
    const stored = (await getVoucher(db, id))!;
    expect(stored.status).toBe("created");
    expect(stored.cip).toBeNull();
    expect(await listVoucherCips(db, id)).toEqual([]);
    expect(await outboxOf(db, id)).toEqual([]);
  });
});
