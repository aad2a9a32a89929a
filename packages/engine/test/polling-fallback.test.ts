import { signNotification } from "../../core/src/index";
import { DEMO_MERCHANT } from "../../../apps/sandbox/src/index";
import { getVoucher, type Database } from "../src/index";
import { forEachDatabase } from "./support/databases";
import {
  eventually,
  outboxOf,
  startHarness,
  voucherCommand,
  type Harness,
} from "./vouchers-harness";

forEachDatabase("polling fallback", (t) => {
  let h: Harness;
  let db: Database;
  beforeAll(async () => {
    db = t().db;
    h = await startHarness(db, { config: { pollAfterMs: 60_000 } });
  });
  afterAll(() => h.close());

  it("a lost notification delays the order by one poll interval, not forever", async () => {
    await h.control("PUT", "/_sandbox/faults", { notifications: { dropRate: 1 } });
    const view = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    await h.control("POST", `/_sandbox/cips/${view.cip}/pay`, {});
    await h.control("PUT", "/_sandbox/faults", {});
    expect((await h.engine.runPollingOnce()).checked).toBe(0); // not due yet
    expect((await getVoucher(db, view.id))!.status).toBe("pending");
    await h.advance(61_000);
    const r = await h.engine.runPollingOnce();
    expect(r.paid).toBeGreaterThanOrEqual(1);
    const v = (await getVoucher(db, view.id))!;
    expect(v.status).toBe("paid");
    expect(v.nextPollAt).toBeNull();
    expect(v.paymentOperationNumber).toBe(`search:${view.cip}`);

    // The late notification for the same payment collapses into it (and fills in the operation).
    const delivery = h.sandbox.sandbox.state.deliveries.find(
      (d) => d.eventType === "cip.paid" && d.body.includes(`"cip":${view.cip}`),
    )!;
    const res = await fetch(h.notifyUrl, {
      method: "POST",
      headers: { "PE-Signature": signNotification(delivery.body, DEMO_MERCHANT.secretKey) },
      body: delivery.body,
    });
    expect(await res.json()).toEqual({ status: "duplicate" });
    expect((await getVoucher(db, view.id))!.paymentOperationNumber).toBe(delivery.operationNumber);
    expect((await outboxOf(db, view.id)).filter((o) => o.kind === "voucher.paid")).toHaveLength(1);
  });

  it("an unpaid voucher is checked and rescheduled", async () => {
    const view = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    await h.advance(61_000);
    const r = await h.engine.runPollingOnce();
    expect(r.checked).toBeGreaterThanOrEqual(1);
    const v = (await getVoucher(db, view.id))!;
    expect(v.status).toBe("pending");
    expect(v.pollCount).toBe(1);
    expect(v.nextPollAt!.getTime()).toBeGreaterThan(h.clock.now().getTime() + 50_000);
  });

  // The payment is applied in the transaction that stores the message; when applying fails
  // (here: the hook throws inside that transaction), the message is stored alone, answered 2xx
  // and re-applied later by reprocessInbox.
  it("re-applies a notification that was stored but not applied (apply failed)", async () => {
    const crashing = await startHarness(db, {
      sandbox: h.sandbox,
      tenant: h.tenant,
      engine: {
        hook: (step) => {
          if (step === "pay.stored") throw new Error("simulated failure while applying");
        },
      },
    });
    try {
      const view = await crashing.engine.createVoucher(voucherCommand(h.tenant.id));
      const body = `{"eventType":"cip.paid","operationNumber":"42","data":{"cip":${view.cip},"currency":"PEN","amount":150.50,"paymentDate":"2026-11-22T10:15:30-05:00","transactionCode":"x"}}`;
      const res = await crashing.engine.ingestNotification({
        notificationToken: h.tenant.notificationToken,
        rawBody: Buffer.from(body),
        headers: { "pe-signature": signNotification(body, DEMO_MERCHANT.secretKey) },
      });
      expect(res.httpStatus).toBe(200); // durably stored before the answer
      expect((await getVoucher(db, view.id))!.status).toBe("pending");
      const stored = await db.query<{ processed_at: Date | null }>(
        "SELECT processed_at FROM notification_inbox WHERE cip = $1",
        [view.cip],
      );
      expect(stored.rows).toHaveLength(1);
      expect(stored.rows[0]!.processed_at).toBeNull();
      await h.advance(31_000); // past the retry delay of a failed apply
      const r = await h.engine.runPollingOnce();
      expect(r.reprocessed).toBeGreaterThanOrEqual(1);
      await eventually(async () => (await getVoucher(db, view.id))!.status === "paid");
    } finally {
      await crashing.close();
    }
  });
});
