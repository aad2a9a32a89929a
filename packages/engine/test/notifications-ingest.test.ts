import { signNotification } from "../../core/src/index";
import { DEMO_MERCHANT } from "../../../apps/sandbox/src/index";
import {
  getVoucher,
  listOpenAlerts,
  listOpenAttentionItems,
  listVoucherCips,
  type Database,
} from "../src/index";
import { forEachDatabase } from "./support/databases";
import {
  eventually,
  outboxOf,
  startHarness,
  voucherCommand,
  type Harness,
} from "./vouchers-harness";

const SECRET = DEMO_MERCHANT.secretKey;

function paidBody(p: {
  cip: string;
  amount?: string;
  currency?: string;
  transactionCode?: string;
  operationNumber?: string;
  eventType?: string;
}): string {
  return (
    `{"eventType":"${p.eventType ?? "cip.paid"}","operationNumber":"${p.operationNumber ?? "91827499"}",` +
    `"data":{"cip":${p.cip},"currency":"${p.currency ?? "PEN"}","amount":${p.amount ?? "150.50"},` +
    `"paymentDate":"2026-11-22T10:15:30-05:00","transactionCode":"${p.transactionCode ?? "x"}"}}`
  );
}

forEachDatabase("notifications: ingest", (t) => {
  let h: Harness;
  let db: Database;
  const post = (
    body: string | Uint8Array<ArrayBuffer>,
    headers: Record<string, string> = {},
    url?: string,
  ) =>
    fetch(url ?? h.notifyUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
  const signed = (body: string) => post(body, { "PE-Signature": signNotification(body, SECRET) });

  beforeAll(async () => {
    db = t().db;
    h = await startHarness(db);
  });
  afterAll(() => h.close());

  it("a payment at the agent reaches us signed and marks the voucher paid, once", async () => {
    const view = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    await h.control("POST", `/_sandbox/cips/${view.cip}/pay`, {});
    const paid = await eventually(async () => {
      const v = await getVoucher(db, view.id);
      return v?.status === "paid" ? v : null;
    });
    expect(paid.paidAmount).toEqual({ minor: 15050, currency: "PEN" });
    expect(paid.paymentOperationNumber).toMatch(/^\d+$/);
    expect((await outboxOf(db, view.id)).map((o) => o.kind)).toEqual([
      "voucher.pending",
      "voucher.paid",
    ]);
  });

  it("50 concurrent deliveries of the same cip.paid → one transition, one callback", async () => {
    const view = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    const record = (await getVoucher(db, view.id))!;
    const body = paidBody({ cip: view.cip!, transactionCode: record.transactionCode });
    const answers = await Promise.all(Array.from({ length: 50 }, () => signed(body)));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    const statuses = await Promise.all(answers.map((r) => r.json()));
    expect(statuses.filter((s) => s.status === "applied")).toHaveLength(1);
    const v = (await getVoucher(db, view.id))!;
    expect(v.status).toBe("paid");
    expect(v.version).toBe(record.version + 1);
    const outbox = await outboxOf(db, view.id);
    expect(outbox.filter((o) => o.kind === "voucher.paid")).toHaveLength(1);
    const inbox = await db.query("SELECT id FROM notification_inbox WHERE cip = $1", [view.cip]);
    expect(inbox.rows).toHaveLength(1);
  });

  it("an unverifiable notification changes nothing, is stored as rejected, alerts and asks for a poll", async () => {
    const view = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    await db.query("UPDATE vouchers SET next_poll_at = now() + interval '1 day' WHERE id = $1", [
      view.id,
    ]);
    const body = paidBody({ cip: view.cip! });
    const res = await post(body, { "PE-Signature": "0".repeat(64) });
    expect(res.status).toBe(401);
    const missing = await post(body);
    expect(missing.status).toBe(401);
    const v = (await getVoucher(db, view.id))!;
    expect(v.status).toBe("pending");
    expect(v.nextPollAt!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    const { rows } = await db.query<{ result: string; signature_valid: boolean }>(
      "SELECT result, signature_valid FROM notification_inbox WHERE cip = $1",
      [view.cip],
    );
    expect(rows.every((r) => r.result === "rejected_signature" && !r.signature_valid)).toBe(true);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const alerts = await listOpenAlerts(db, h.tenant.id);
    expect(alerts.find((a) => a.kind === "signature_failure")?.occurrences).toBeGreaterThanOrEqual(
      2,
    );
    expect(await outboxOf(db, view.id)).toHaveLength(1);
  });

  it("answers bad input with 4xx, never 500", async () => {
    expect((await post("{}", {}, h.notifyUrl.replace(/[^/]+$/, "x".repeat(40)))).status).toBe(404);
    expect((await post("{}", {}, h.notifyUrl.replace(/[^/]+$/, "short"))).status).toBe(404);
    expect((await signed("not json")).status).toBe(400);
    expect((await signed('{"eventType":"cip.paid","data":{"cip":"abc"}}')).status).toBe(400);
    expect((await signed("[1,2]")).status).toBe(400);
    expect((await post(new Uint8Array(70_000).fill(32))).status).toBe(413);
    const direct = await h.engine.ingestNotification({
      notificationToken: h.tenant.notificationToken,
      rawBody: "nope" as unknown as Uint8Array,
      headers: {},
    });
    expect(direct.httpStatus).toBe(400);
  });

  it("cross-checks the amount: a different amount becomes an attention item, the order stays unpaid", async () => {
    const view = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    const res = await signed(paidBody({ cip: view.cip!, amount: "15.05" }));
    expect(res.status).toBe(200);
    expect((await getVoucher(db, view.id))!.status).toBe("pending");
    const items = await listOpenAttentionItems(db, h.tenant.id);
    expect(items.find((i) => i.voucherId === view.id)?.kind).toBe("amount_mismatch");
    expect((await outboxOf(db, view.id)).map((o) => o.kind)).toEqual([
      "voucher.pending",
      "attention.raised",
    ]);
    // Replayed: nothing more.
    await signed(paidBody({ cip: view.cip!, amount: "15.05", operationNumber: "2" }));
    expect(await outboxOf(db, view.id)).toHaveLength(2);
    const usd = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    await signed(paidBody({ cip: usd.cip!, currency: "USD" }));
    expect((await getVoucher(db, usd.id))!.status).toBe("pending");
  });

  it("applies a payment for an unknown CIP that carries our transactionCode", async () => {
    const view = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    const record = (await getVoucher(db, view.id))!;
    const orphan = "99912345";
    const res = await signed(paidBody({ cip: orphan, transactionCode: record.transactionCode }));
    expect(await res.json()).toEqual({ status: "applied" });
    const v = (await getVoucher(db, view.id))!;
    expect(v.status).toBe("paid");
    expect(v.cip).toBe(orphan);
    expect((await listVoucherCips(db, view.id)).sort()).toEqual([orphan, view.cip].sort());
  });

  it("a payment for a CIP and transactionCode we never issued is kept as attention", async () => {
    await signed(paidBody({ cip: "77700001", transactionCode: "not-ours" }));
    const items = await listOpenAttentionItems(db, h.tenant.id);
    expect(items.find((i) => i.kind === "unknown_cip")).toBeDefined();
  });

  it("a second paid attempt of the same order becomes paid_twice, never a silent loss", async () => {
    const first = voucherCommand(h.tenant.id);
    const a = await h.engine.createVoucher(first);
    const b = await h.engine.createVoucher(
      voucherCommand(h.tenant.id, { groupKey: first.groupKey }),
    );
    await signed(paidBody({ cip: a.cip!, operationNumber: "1001" }));
    await signed(paidBody({ cip: b.cip!, operationNumber: "1002" }));
    expect((await getVoucher(db, a.id))!.status).toBe("paid");
    expect((await getVoucher(db, b.id))!.status).toBe("pending");
    const items = await listOpenAttentionItems(db, h.tenant.id);
    expect(items.find((i) => i.voucherId === b.id)?.kind).toBe("paid_twice");
    expect((await outboxOf(db, b.id)).map((o) => o.kind)).toContain("attention.raised");
  });

  it("a payment after cancellation becomes paid_after_cancellation", async () => {
    const view = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    const cancelled = await h.engine.cancelVoucher({
      tenantId: h.tenant.id,
      voucherId: view.id,
      reason: "shopper_switched",
    });
    expect(cancelled.status).toBe("cancelled");
    expect(h.sandbox.sandbox.state.cips.get(Number(view.cip))!.state).toBe("removed");
    await h.control("POST", `/_sandbox/cips/${view.cip}/pay`, { force: true });
    await eventually(async () =>
      (await listOpenAttentionItems(db, h.tenant.id)).find((i) => i.voucherId === view.id),
    );
    const items = await listOpenAttentionItems(db, h.tenant.id);
    expect(items.find((i) => i.voucherId === view.id)?.kind).toBe("paid_after_cancellation");
    expect((await getVoucher(db, view.id))!.status).toBe("cancelled");
    expect((await outboxOf(db, view.id)).map((o) => o.kind)).toEqual([
      "voucher.pending",
      "voucher.cancelled",
      "attention.raised",
    ]);
  });

  it("stores an unknown eventType without applying it and asks for a status query", async () => {
    const view = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    await db.query("UPDATE vouchers SET next_poll_at = now() + interval '1 day' WHERE id = $1", [
      view.id,
    ]);
    const res = await signed(paidBody({ cip: view.cip!, eventType: "cip.mystery" }));
    expect(await res.json()).toEqual({ status: "ignored" });
    const v = (await getVoucher(db, view.id))!;
    expect(v.status).toBe("pending");
    expect(v.nextPollAt!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    const { rows } = await db.query<{ result: string }>(
      "SELECT result FROM notification_inbox WHERE cip = $1 AND event_type = 'cip.mystery'",
      [view.cip],
    );
    expect(rows[0]?.result).toBe("ignored_unknown_event");
  });

  it("hands refund outcomes to the refunds module and stores them", async () => {
    const body = `{"eventType":"refund.completed","operationNumber":"5","data":{"refundId":"rf_unknown","transactionId":"1","amount":1.00,"currency":"PEN","reference":"r","status":"completed"}}`;
    const res = await signed(body);
    expect(res.status).toBe(200);
    const { rows } = await db.query<{ result: string }>(
      "SELECT result FROM notification_inbox WHERE event_type = 'refund.completed'",
    );
    expect(rows[0]?.result).toBe("applied");
  });
});
