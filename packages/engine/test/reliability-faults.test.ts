import type { CreateVoucherCommand, Database, VoucherView } from "../src/index";
import { getVoucher } from "../src/index";
import { forEachDatabase } from "./support/databases";
import { outboxOf, startHarness, voucherCommand, type Harness } from "./vouchers-harness";

/**
 * Sandbox fault injection: dropped, duplicated and reordered notifications, and bursts of 5xx
 * from PagoEfectivo's API. Final states must be right: every paid voucher paid exactly once
 * (polling recovers the dropped notifications), every unpaid one expired.
 */
forEachDatabase("reliability: sandbox faults", (t) => {
  let h: Harness;
  let db: Database;
  beforeAll(async () => {
    db = t().db;
    h = await startHarness(db, { config: { pollAfterMs: 60_000 } });
  });
  afterAll(() => h.close());

  async function createWithRetries(cmd: CreateVoucherCommand): Promise<VoucherView> {
    for (let i = 0; ; i++) {
      try {
        return await h.engine.createVoucher(cmd);
      } catch (e) {
        if (i > 30 || !(e as { retryable?: boolean }).retryable) throw e;
      }
    }
  }

  it("ends with correct states despite drops, duplicates, reordering and 5xx bursts", async () => {
    await h.control("PUT", "/_sandbox/faults", {
      notifications: { dropRate: 0.3, duplicateRate: 0.5, reorder: true },
      api: { errorRate: 0.3, errorStatus: 503 },
    });
    const toPay = await Promise.all(
      Array.from({ length: 20 }, () => createWithRetries(voucherCommand(h.tenant.id))),
    );
    const unpaid = await Promise.all(
      Array.from({ length: 8 }, () => createWithRetries(voucherCommand(h.tenant.id))),
    );
    for (const v of toPay) await h.control("POST", `/_sandbox/cips/${v.cip}/pay`, {});
    // A burst of 5xx where PagoEfectivo answers nothing at all for a while.
    await h.control("PUT", "/_sandbox/faults", {
      notifications: { dropRate: 0.3, duplicateRate: 0.5, reorder: true },
      api: { failNext: 20, errorStatus: 502 },
    });
    await h.sandbox.sandbox.idle();
    for (let round = 0; round < 10; round++) {
      h.advance(61_000);
      await h.engine.runPollingOnce();
      const states = await Promise.all(
        toPay.map(async (v) => (await getVoucher(db, v.id))!.status),
      );
      if (states.every((s) => s === "paid")) break;
    }
    h.advance(49 * 3_600_000);
    for (let round = 0; round < 10; round++) {
      await h.engine.runExpiryOnce();
      const states = await Promise.all(
        unpaid.map(async (v) => (await getVoucher(db, v.id))!.status),
      );
      if (states.every((s) => s === "expired")) break;
      h.advance(3 * 60_000);
    }
    await h.control("PUT", "/_sandbox/faults", {});
    h.sandbox.sandbox.notifier.flushHeld(false);
    await h.sandbox.sandbox.idle();

    for (const v of toPay) {
      expect((await getVoucher(db, v.id))!.status).toBe("paid");
      expect((await outboxOf(db, v.id)).map((o) => o.kind)).toEqual([
        "voucher.pending",
        "voucher.paid",
      ]);
    }
    for (const v of unpaid) {
      expect((await getVoucher(db, v.id))!.status).toBe("expired");
      expect((await outboxOf(db, v.id)).map((o) => o.kind)).toEqual([
        "voucher.pending",
        "voucher.expired",
      ]);
      expect(h.sandbox.sandbox.state.cips.get(Number(v.cip))!.state).toBe("removed");
    }
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM attention_items WHERE tenant_id = $1",
      [h.tenant.id],
    );
    expect(rows[0]!.n).toBe(0);
  }, 120_000);
});
