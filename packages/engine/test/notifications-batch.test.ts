import { signNotification } from "../../core/src/index";
import { DEMO_MERCHANT } from "../../../apps/sandbox/src/index";
import { notificationDedupeKey } from "../src/db/inbox";
import { applyPaymentDeliveries, type IngestDeps } from "../src/notifications/ingest-notification";
import { parseNotification, readPaidData } from "../src/notifications/parse-notification";
import { applyPaidBatch, type PaidDelivery } from "../src/notifications/payment-batch";
import { applyRefundOutcome } from "../src/refunds/apply-refund-outcome";
import { tenantAccessFor } from "../src/vouchers/tenant-access";
import { getVoucher, listOpenAttentionItems, type Database } from "../src/index";
import { forEachDatabase } from "./support/databases";
import { outboxOf, startHarness, voucherCommand, type Harness } from "./vouchers-harness";

let op = 500_000;

function paidBody(cip: string, p: { amount?: string; operationNumber?: string } = {}): string {
  op += 1;
  return (
    `{"eventType":"cip.paid","operationNumber":"${p.operationNumber ?? op}",` +
    `"data":{"cip":${cip},"currency":"PEN","amount":${p.amount ?? "150.50"},` +
    `"paymentDate":"2026-11-22T10:15:30-05:00","transactionCode":"x"}}`
  );
}

function delivery(tenantId: string, body: string): PaidDelivery {
  const rawBody = Buffer.from(body);
  const parsed = parseNotification(rawBody)!;
  return {
    stored: {
      tenantId,
      rawBody,
      headers: { "pe-signature": signNotification(body, DEMO_MERCHANT.secretKey) },
      signatureValid: true,
      dedupeKey: notificationDedupeKey({ rawBody, signatureValid: true }),
      eventType: parsed.rawEventType,
      operationNumber: parsed.operationNumber,
      cip: parsed.cip,
      receivedAt: new Date(),
    },
    parsed,
    paid: readPaidData(parsed)!,
  };
}

forEachDatabase("notifications: payments applied in batches", (t) => {
  let h: Harness;
  let db: Database;
  let deps: IngestDeps;

  beforeAll(async () => {
    db = t().db;
    h = await startHarness(db);
    deps = { access: tenantAccessFor(h.ctx, 0), applyRefundOutcome };
  });
  afterAll(() => h.close());

  const newVoucher = async (overrides: Parameters<typeof voucherCommand>[1] = {}) => {
    const view = await h.engine.createVoucher(voucherCommand(h.tenant.id, overrides));
    return { id: view.id, cip: view.cip! };
  };
  const inboxOf = async (cip: string) =>
    (
      await db.query<{ result: string | null; processed: boolean }>(
        `SELECT result, processed_at IS NOT NULL AS processed FROM notification_inbox
         WHERE tenant_id = $1 AND cip = $2 ORDER BY id`,
        [h.tenant.id, cip],
      )
    ).rows;

  /** A mixed burst: what a batch takes, and what it leaves to the one-by-one path. */
  async function mixedBurst() {
    const a = await newVoucher();
    const b = await newVoucher();
    const wrongAmount = await newVoucher();
    const group = `group-shared-${op}`;
    const first = await newVoucher({ groupKey: group });
    const second = await newVoucher({ groupKey: group });
    const alreadyPaid = await newVoucher();
    await applyPaymentDeliveries(h.ctx, deps, [delivery(h.tenant.id, paidBody(alreadyPaid.cip))]);
    const aBody = paidBody(a.cip);
    const deliveries = [
      delivery(h.tenant.id, aBody),
      delivery(h.tenant.id, paidBody(b.cip)),
      delivery(h.tenant.id, paidBody(wrongAmount.cip, { amount: "100.00" })),
      delivery(h.tenant.id, paidBody("88800011")),
      delivery(h.tenant.id, aBody),
      delivery(h.tenant.id, paidBody(first.cip)),
      delivery(h.tenant.id, paidBody(second.cip)),
      delivery(h.tenant.id, paidBody(alreadyPaid.cip)),
    ];
    return { a, b, wrongAmount, first, second, alreadyPaid, deliveries };
  }

  it("takes the plain payments and repeats, and leaves everything else to be applied alone", async () => {
    const s = await mixedBurst();
    const verdicts = await applyPaidBatch(h.ctx, s.deliveries);
    expect(verdicts.map((v) => v.kind)).toEqual([
      "applied", // a
      "applied", // b
      "single", // amount mismatch → attention, decided alone
      "single", // a CIP we never issued → attention, decided alone
      "single", // the same body twice in one batch
      "applied", // first attempt of the order
      "single", // second attempt of the same order: must see its sibling paid
      "duplicate", // a payment already applied, reported again with another operation number
    ]);
    for (const v of [s.a, s.b, s.first]) {
      expect((await getVoucher(db, v.id))!.status).toBe("paid");
      expect((await outboxOf(db, v.id)).map((o) => o.kind)).toEqual([
        "voucher.pending",
        "voucher.paid",
      ]);
      expect(await inboxOf(v.cip)).toEqual([{ result: "applied", processed: true }]);
    }
    for (const v of [s.wrongAmount, s.second]) {
      expect((await getVoucher(db, v.id))!.status).toBe("pending");
    }
    expect((await inboxOf(s.alreadyPaid.cip)).map((r) => r.result)).toEqual([
      "applied",
      "duplicate",
    ]);
  });

  it("ends where applying each notification alone ends, and answers every delivery", async () => {
    const s = await mixedBurst();
    const answers = await applyPaymentDeliveries(h.ctx, deps, s.deliveries);
    expect(answers.map((a) => a?.httpStatus)).toEqual([200, 200, 200, 200, 200, 200, 200, 200]);
    expect(answers.map((a) => a?.outcome)).toEqual([
      "applied",
      "applied",
      "applied", // stored and turned into an attention item
      "applied",
      "duplicate",
      "applied",
      "applied",
      "duplicate",
    ]);
    const status = async (v: { id: string }) => (await getVoucher(db, v.id))!.status;
    expect(await status(s.a)).toBe("paid");
    expect(await status(s.b)).toBe("paid");
    expect(await status(s.first)).toBe("paid");
    expect(await status(s.wrongAmount)).toBe("pending");
    expect(await status(s.second)).toBe("pending");
    const attention = await listOpenAttentionItems(db, h.tenant.id);
    const kindOf = (id: string | null, cip?: string) =>
      attention
        .filter((i) => (id ? i.voucherId === id : (i.detail as { cip?: string }).cip === cip))
        .map((i) => i.kind);
    expect(kindOf(s.wrongAmount.id)).toEqual(["amount_mismatch"]);
    expect(kindOf(s.second.id)).toEqual(["paid_twice"]);
    expect(kindOf(null, "88800011")).toEqual(["unknown_cip"]);
    // Every delivery is stored, processed, once per distinct body.
    for (const v of [s.a, s.b, s.wrongAmount, s.first, s.second]) {
      const rows = await inboxOf(v.cip);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.processed).toBe(true);
    }
  });

  it("rolls a failing batch back whole and applies each payment alone", async () => {
    const vouchers = await Promise.all([newVoucher(), newVoucher(), newVoucher()]);
    let failures = 0;
    const failingOnce: IngestDeps = {
      ...deps,
      hook: (step) => {
        if (step === "pay.stored" && failures++ === 0) throw new Error("connection lost");
      },
    };
    const answers = await applyPaymentDeliveries(
      h.ctx,
      failingOnce,
      vouchers.map((v) => delivery(h.tenant.id, paidBody(v.cip))),
    );
    expect(answers.map((a) => a?.outcome)).toEqual(["applied", "applied", "applied"]);
    for (const v of vouchers) {
      expect((await getVoucher(db, v.id))!.status).toBe("paid");
      expect((await outboxOf(db, v.id)).map((o) => o.kind)).toEqual([
        "voucher.pending",
        "voucher.paid",
      ]);
    }
    expect(h.logs.text()).toContain("payment batch rolled back");
  });

  it("40 payments posted at once are each applied once, whatever batches they fall into", async () => {
    const vouchers = await Promise.all(Array.from({ length: 40 }, () => newVoucher()));
    const bodies = vouchers.map((v) => paidBody(v.cip));
    // Every body twice: the repeats are duplicates wherever they land.
    const answers = await Promise.all(
      [...bodies, ...bodies].map((body) =>
        fetch(h.notifyUrl, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "PE-Signature": signNotification(body, DEMO_MERCHANT.secretKey),
          },
          body,
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { status: string } })),
      ),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.filter((a) => a.body.status === "applied")).toHaveLength(40);
    for (const v of vouchers) {
      expect((await getVoucher(db, v.id))!.status).toBe("paid");
      expect((await outboxOf(db, v.id)).map((o) => o.kind)).toEqual([
        "voucher.pending",
        "voucher.paid",
      ]);
    }
  });
});
