import { getVoucher, transitionVoucher, type Database } from "../src/index";
import { markBatchExpired } from "../src/expiry/mark-expired";
import { forEachDatabase } from "./support/databases";
import { outboxOf, startHarness, voucherCommand, type Harness } from "./vouchers-harness";

forEachDatabase("expiry batch mark", (t) => {
  let h: Harness;
  let db: Database;
  beforeAll(async () => {
    db = t().db;
    h = await startHarness(db);
    await h.control("PUT", "/_sandbox/faults", { notifications: { dropRate: 1 } });
  });
  afterAll(() => h.close());

  it("moves only vouchers still unpaid, with one outbox message each, after their earlier ones", async () => {
    const views = [];
    for (let i = 0; i < 3; i++) {
      views.push(await h.engine.createVoucher(voucherCommand(h.tenant.id)));
    }
    const records = await Promise.all(views.map(async (v) => (await getVoucher(db, v.id))!));
    // A payment got to the second voucher first: the guard must leave it alone.
    await transitionVoucher(db, records[1]!.id, ["created", "pending"], "paid");
    const done = await db.transaction((tx) => markBatchExpired(tx, records));
    expect(done.map((v) => v.id).sort()).toEqual([records[0]!.id, records[2]!.id].sort());
    for (const i of [0, 2]) {
      const v = (await getVoucher(db, records[i]!.id))!;
      expect(v.status).toBe("expired");
      expect(v.expiryLeaseUntil).toBeNull();
      const out = await outboxOf(db, v.id);
      expect(out.map((o) => o.kind)).toEqual(["voucher.pending", "voucher.expired"]);
      expect(out[1]!.seq).toBeGreaterThan(out[0]!.seq);
    }
    expect((await getVoucher(db, records[1]!.id))!.status).toBe("paid");
    expect((await outboxOf(db, records[1]!.id)).map((o) => o.kind)).toEqual(["voucher.pending"]);
    // Replaying the batch changes nothing and enqueues nothing.
    expect(await db.transaction((tx) => markBatchExpired(tx, records))).toEqual([]);
  });
});
