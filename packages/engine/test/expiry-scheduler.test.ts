import { getVoucher, listOutbox, type Database } from "../src/index";
import { forEachDatabase } from "./support/databases";
import { outboxOf, startHarness, voucherCommand, type Harness } from "./vouchers-harness";

const HOUR = 3_600_000;

forEachDatabase("expiry scheduler", (t) => {
  let h: Harness;
  let db: Database;
  beforeAll(async () => {
    db = t().db;
    h = await startHarness(db);
    // Notifications are not what this suite is about: the scheduler must decide alone.
    await h.control("PUT", "/_sandbox/faults", { notifications: { dropRate: 1 } });
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    // Each test starts with nothing due: expire leftovers of earlier tests far in the past.
    await db.query("UPDATE vouchers SET status = 'expired' WHERE status IN ('created','pending')");
  });

  it("leaves vouchers alone until expiry + grace, then deletes the CIP and expires the order", async () => {
    const view = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    await h.advance(48 * HOUR);
    expect((await h.engine.runExpiryOnce()).claimed).toBe(0); // within the grace period
    await h.advance(h.ctx.config.expiryGraceMs + 1000);
    const r = await h.engine.runExpiryOnce();
    expect(r).toMatchObject({ claimed: 1, expired: 1, failed: 0 });
    const v = (await getVoucher(db, view.id))!;
    expect(v.status).toBe("expired");
    expect(v.expiryLeaseUntil).toBeNull();
    expect(h.sandbox.sandbox.state.cips.get(Number(view.cip))!.state).toBe("removed");
    expect((await outboxOf(db, view.id)).map((o) => o.kind)).toEqual([
      "voucher.pending",
      "voucher.expired",
    ]);
    expect((await h.engine.runExpiryOnce()).claimed).toBe(0);
  });

  it("a CIP paid at the last minute (notification lost) makes the order paid, not expired", async () => {
    const view = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    await h.control("POST", `/_sandbox/cips/${view.cip}/pay`, {});
    await h.advance(49 * HOUR);
    const r = await h.engine.runExpiryOnce();
    expect(r).toMatchObject({ claimed: 1, paid: 1, expired: 0 });
    const v = (await getVoucher(db, view.id))!;
    expect(v.status).toBe("paid");
    expect(v.paidAmount).toEqual({ minor: 15050, currency: "PEN" });
    expect((await outboxOf(db, view.id)).map((o) => o.kind)).toEqual([
      "voucher.pending",
      "voucher.paid",
    ]);
  });

  it("a delete refused because the CIP was paid in between → paid", async () => {
    const view = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    await h.advance(49 * HOUR);
    // Paid after the scheduler's search but before its delete: simulate by paying on search.
    const client = h.ctx.pagoEfectivo;
    let paidOnce = false;
    h.ctx.pagoEfectivo = (args) => {
      const c = client(args);
      return {
        ...c,
        async deleteCip(cip) {
          if (!paidOnce) {
            paidOnce = true;
            await h.control("POST", `/_sandbox/cips/${cip}/pay`, { force: true });
          }
          return c.deleteCip(cip);
        },
      };
    };
    h.engine.invalidateTenant(h.tenant.id);
    try {
      const r = await h.engine.runExpiryOnce();
      expect(r).toMatchObject({ claimed: 1, paid: 1 });
      expect((await getVoucher(db, view.id))!.status).toBe("paid");
    } finally {
      h.ctx.pagoEfectivo = client;
      h.engine.invalidateTenant(h.tenant.id);
    }
  });

  it("expires a voucher whose CIP creation never succeeded (stuck in created)", async () => {
    const cmd = voucherCommand(h.tenant.id);
    await h.control("PUT", "/_sandbox/faults", {
      notifications: { dropRate: 1 },
      api: { failNext: 3, path: "/v1/cips" },
    });
    await expect(h.engine.createVoucher(cmd)).rejects.toMatchObject({
      code: "cip_creation_outcome_unknown",
    });
    await h.control("PUT", "/_sandbox/faults", { notifications: { dropRate: 1 } });
    await h.advance(49 * HOUR);
    expect(await h.engine.runExpiryOnce()).toMatchObject({ claimed: 1, expired: 1 });
    const v = await h.engine.getVoucherByIdempotencyKey(h.tenant.id, cmd.idempotencyKey);
    expect(v?.status).toBe("expired");
    const [msg] = await listOutbox(db, { aggregateId: v!.id });
    expect(msg?.kind).toBe("voucher.expired");
  });

  it("keeps the voucher (and its lease) when PagoEfectivo is down, and finishes later", async () => {
    const view = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    await h.advance(49 * HOUR);
    await h.control("PUT", "/_sandbox/faults", {
      notifications: { dropRate: 1 },
      api: { errorRate: 1 },
    });
    expect(await h.engine.runExpiryOnce()).toMatchObject({ claimed: 1, failed: 1 });
    expect((await getVoucher(db, view.id))!.status).toBe("pending");
    await h.control("PUT", "/_sandbox/faults", { notifications: { dropRate: 1 } });
    expect((await h.engine.runExpiryOnce()).claimed).toBe(0); // leased
    await h.advance(3 * 60_000);
    expect(await h.engine.runExpiryOnce()).toMatchObject({ claimed: 1, expired: 1 });
  });

  it("start()/stop(): the scheduler runs by itself and stops gracefully", async () => {
    const view = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    await h.advance(49 * HOUR);
    h.engine.start();
    h.engine.start(); // idempotent
    for (let i = 0; i < 200; i++) {
      if ((await getVoucher(db, view.id))!.status === "expired") break;
      await new Promise((r) => setTimeout(r, 25));
    }
    await h.engine.stop();
    expect((await getVoucher(db, view.id))!.status).toBe("expired");
  });
});
