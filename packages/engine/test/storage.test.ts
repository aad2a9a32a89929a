import { randomUUID } from "node:crypto";
import {
  allocateCreditNote,
  claimOutboxBatch,
  claimVouchersDueForExpiry,
  claimVouchersDueForPoll,
  createAttentionItem,
  enqueueOutbox,
  eraseCustomerData,
  exportCustomerData,
  findVoucherByCip,
  findVoucherByTransactionCode,
  insertAudit,
  insertInboxMessage,
  insertOrGetRefund,
  insertOrGetVoucher,
  listAudit,
  listOpenAlerts,
  listVoucherCips,
  addVoucherCip,
  lockVoucher,
  markInboxProcessed,
  markOutboxDead,
  markOutboxDelivered,
  markOutboxDeliveredMany,
  listOutbox,
  notificationDedupeKey,
  purgeAuditLog,
  raiseAlert,
  rescheduleOutbox,
  sumRefundedForVoucher,
  transitionVoucher,
  updateRefund,
  updateSettings,
  updateVoucher,
  getVoucher,
  type Database,
  type NewVoucher,
  type TenantRecord,
} from "../src/index";
import { createTestTenant, forEachDatabase } from "./support/databases";

const NOW = new Date("2026-11-22T15:00:00Z");
let codeCounter = 0;

function newVoucher(tenant: TenantRecord, overrides: Partial<NewVoucher> = {}): NewVoucher {
  codeCounter += 1;
  const key = randomUUID();
  return {
    tenantId: tenant.id,
    platformPaymentId: `pay-${key}`,
    idempotencyKey: key,
    requestFingerprint: "fp-1",
    transactionCode: `tc-${codeCounter}-${key.slice(0, 8)}`,
    amount: { minor: 15050, currency: "PEN" },
    status: "pending",
    expiresAt: new Date(NOW.getTime() + 48 * 3600_000),
    shopperEmail: "Rosa.Quispe@example.pe",
    shopperFirstName: "Rosa",
    ...overrides,
  };
}

forEachDatabase("storage", (t) => {
  let db: Database;
  let tenant: TenantRecord;
  beforeAll(async () => {
    db = t().db;
    tenant = await createTestTenant(db);
  });

  describe("vouchers", () => {
    it("50 concurrent creates with one idempotency key make one row", async () => {
      const v = newVoucher(tenant);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          insertOrGetVoucher(db, { ...v, transactionCode: `${v.transactionCode}-${i}` }),
        ),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.record.id)).size).toBe(1);
      expect(results.every((r) => r.sameRequest)).toBe(true);
      const { rows } = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM vouchers WHERE tenant_id = $1 AND idempotency_key = $2",
        [tenant.id, v.idempotencyKey],
      );
      expect(rows[0]!.n).toBe(1);
    });

    it("flags a reused key with another body", async () => {
      const v = newVoucher(tenant);
      await insertOrGetVoucher(db, v);
      const again = await insertOrGetVoucher(db, { ...v, requestFingerprint: "other" });
      expect(again).toMatchObject({ created: false, sameRequest: false });
    });

    it("guards updates on the expected status and version", async () => {
      const { record } = await insertOrGetVoucher(db, newVoucher(tenant));
      const paid = await transitionVoucher(db, record.id, "pending", "paid", {
        paidAt: NOW,
        paidAmount: { minor: 15050, currency: "PEN" },
        paymentOperationNumber: "91827364",
        nextPollAt: null,
      });
      expect(paid).toMatchObject({ status: "paid", version: record.version + 1 });
      expect(paid!.paidAmount).toEqual({ minor: 15050, currency: "PEN" });
      // A concurrent expiry that read "pending" loses: nothing changes.
      expect(await transitionVoucher(db, record.id, "pending", "expired")).toBeNull();
      expect(
        await updateVoucher(db, record.id, { expectedVersion: record.version }, { lastError: "x" }),
      ).toBeNull();
      expect((await getVoucher(db, record.id))!.status).toBe("paid");
    });

    it("finds a voucher by its current CIP, an extra CIP, or its transaction code", async () => {
      const { record } = await insertOrGetVoucher(db, newVoucher(tenant));
      await updateVoucher(db, record.id, { expectedStatus: "pending" }, { cip: "2495383" });
      await addVoucherCip(db, tenant.id, record.id, "2495399");
      expect((await findVoucherByCip(db, tenant.id, "2495383"))!.id).toBe(record.id);
      expect((await findVoucherByCip(db, tenant.id, "2495399"))!.id).toBe(record.id);
      expect(await listVoucherCips(db, record.id)).toEqual(["2495383", "2495399"]);
      expect((await findVoucherByTransactionCode(db, tenant.id, record.transactionCode))!.id).toBe(
        record.id,
      );
      const locked = await db.transaction(async (tx) =>
        findVoucherByCip(tx, tenant.id, "2495399", { forUpdate: true }),
      );
      expect(locked!.cip).toBe("2495383");
    });

    it("claims due vouchers for expiry once per lease, and again after the lease lapses", async () => {
      const other = await createTestTenant(db);
      const past = new Date(NOW.getTime() - 3600_000);
      for (let i = 0; i < 5; i++) {
        await insertOrGetVoucher(db, newVoucher(other, { expiresAt: past }));
      }
      await insertOrGetVoucher(db, newVoucher(other)); // not due
      const opts = { now: NOW, limit: 100, leaseMs: 60_000, statuses: ["pending"] };
      const first = (await claimVouchersDueForExpiry(db, opts)).filter(
        (v) => v.tenantId === other.id,
      );
      expect(first).toHaveLength(5);
      expect(
        (await claimVouchersDueForExpiry(db, opts)).filter((v) => v.tenantId === other.id),
      ).toHaveLength(0);
      const later = { ...opts, now: new Date(NOW.getTime() + 61_000) };
      expect(
        (await claimVouchersDueForExpiry(db, later)).filter((v) => v.tenantId === other.id),
      ).toHaveLength(5);
    });

    it("claims vouchers due for polling and pushes next_poll_at by the lease", async () => {
      const { record } = await insertOrGetVoucher(
        db,
        newVoucher(tenant, { nextPollAt: new Date(NOW.getTime() - 1000) }),
      );
      const claimed = await claimVouchersDueForPoll(db, { now: NOW, limit: 1000, leaseMs: 30_000 });
      const mine = claimed.find((v) => v.id === record.id)!;
      expect(mine.pollCount).toBe(1);
      expect(mine.nextPollAt!.getTime()).toBe(NOW.getTime() + 30_000);
      const again = await claimVouchersDueForPoll(db, { now: NOW, limit: 1000, leaseMs: 30_000 });
      expect(again.find((v) => v.id === record.id)).toBeUndefined();
    });

    it("SKIP LOCKED claims from two connections never overlap", async () => {
      const other = await createTestTenant(db);
      const past = new Date(NOW.getTime() - 7200_000);
      for (let i = 0; i < 40; i++) {
        await insertOrGetVoucher(db, newVoucher(other, { expiresAt: past, status: "created" }));
      }
      const second = await t().connect();
      const opts = { now: NOW, limit: 7, leaseMs: 60_000, statuses: ["created"] };
      const seen: string[] = [];
      const worker = async (handle: Database) => {
        for (;;) {
          const batch = await handle.transaction((tx) => claimVouchersDueForExpiry(tx, opts));
          const mine = batch.filter((v) => v.tenantId === other.id);
          if (batch.length === 0) return;
          seen.push(...mine.map((v) => v.id));
        }
      };
      await Promise.all([worker(db), worker(second), worker(db), worker(second)]);
      expect(seen).toHaveLength(40);
      expect(new Set(seen).size).toBe(40);
    });

    it("a row locked in one transaction is skipped by another claimer (pg)", async () => {
      if (t().kind !== "pg") return; // PGlite runs one transaction at a time
      const other = await createTestTenant(db);
      const past = new Date(NOW.getTime() - 7200_000);
      const { record } = await insertOrGetVoucher(
        db,
        newVoucher(other, { expiresAt: past, status: "expiring" }),
      );
      const second = await t().connect();
      const opts = { now: NOW, limit: 10, leaseMs: 0, statuses: ["expiring"] };
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let lockedIt!: () => void;
      const locked = new Promise<void>((r) => (lockedIt = r));
      const holder = db.transaction(async (tx) => {
        await lockVoucher(tx, record.id);
        lockedIt();
        await held;
      });
      await locked;
      const claimed = await second.transaction((tx) => claimVouchersDueForExpiry(tx, opts));
      expect(claimed.map((v) => v.id)).not.toContain(record.id);
      release();
      await holder;
    });
  });

  describe("outbox", () => {
    it("delivers in order per aggregate and only the head of each aggregate is claimable", async () => {
      const a: string = randomUUID();
      const b: string = randomUUID();
      await db.transaction(async (tx) => {
        for (const [agg, kind] of [
          [a, "a1"],
          [b, "b1"],
          [a, "a2"],
          [a, "a3"],
          [b, "b2"],
        ] as const) {
          await enqueueOutbox(tx, {
            tenantId: tenant.id,
            aggregateId: agg,
            kind,
            payload: { kind },
            availableAt: NOW,
          });
        }
      });
      const order: string[] = [];
      const opts = { now: NOW, limit: 10, leaseMs: 1000 };
      for (let round = 0; round < 10; round++) {
        const batch = (await claimOutboxBatch(db, opts)).filter((m) =>
          [a, b].includes(m.aggregateId),
        );
        // Never two messages of one aggregate in flight.
        expect(new Set(batch.map((m) => m.aggregateId)).size).toBe(batch.length);
        if (batch.length === 0) break;
        for (const m of batch) {
          order.push(m.kind);
          expect(await markOutboxDelivered(db, m.id, NOW)).toBe(true);
        }
      }
      expect(order.filter((k) => k.startsWith("a"))).toEqual(["a1", "a2", "a3"]);
      expect(order.filter((k) => k.startsWith("b"))).toEqual(["b1", "b2"]);
    });

    it("a failed head blocks its successors until rescheduled time or dead-lettered", async () => {
      const agg = randomUUID();
      const [m1, m2] = await db.transaction(async (tx) => [
        await enqueueOutbox(tx, {
          tenantId: tenant.id,
          aggregateId: agg,
          kind: "k1",
          payload: {},
          availableAt: NOW,
        }),
        await enqueueOutbox(tx, {
          tenantId: tenant.id,
          aggregateId: agg,
          kind: "k2",
          payload: {},
          availableAt: NOW,
        }),
      ]);
      expect([m1!.seq, m2!.seq]).toEqual([1, 2]);
      const mine = async (now: Date) =>
        (await claimOutboxBatch(db, { now, limit: 100, leaseMs: 1000 })).filter(
          (m) => m.aggregateId === agg,
        );
      expect((await mine(NOW)).map((m) => m.kind)).toEqual(["k1"]);
      await rescheduleOutbox(db, m1!.id, {
        nextAttemptAt: new Date(NOW.getTime() + 60_000),
        error: "503",
      });
      expect(await mine(new Date(NOW.getTime() + 5000))).toEqual([]);
      await markOutboxDead(db, m1!.id, { at: NOW, error: "gave up" });
      expect((await mine(new Date(NOW.getTime() + 5000))).map((m) => m.kind)).toEqual(["k2"]);
    });

    it("marks several delivered in one statement, only those still pending", async () => {
      const [x, y] = await db.transaction(async (tx) => [
        (await enqueueOutbox(tx, {
          tenantId: tenant.id,
          aggregateId: randomUUID(),
          kind: "x",
          payload: {},
        }))!,
        (await enqueueOutbox(tx, {
          tenantId: tenant.id,
          aggregateId: randomUUID(),
          kind: "y",
          payload: {},
        }))!,
      ]);
      await markOutboxDead(db, y.id, { at: NOW, error: "gave up" });
      const at = new Date(NOW.getTime() + 1234);
      const moved = await markOutboxDeliveredMany(db, [
        { id: x.id, at },
        { id: y.id, at },
      ]);
      expect([...moved]).toEqual([x.id]);
      const [sx] = await listOutbox(db, { aggregateId: x.aggregateId });
      const [sy] = await listOutbox(db, { aggregateId: y.aggregateId });
      expect(sx).toMatchObject({ status: "delivered", deliveredAt: at, lastError: null });
      expect(sy).toMatchObject({ status: "dead", deliveredAt: null });
      expect(await markOutboxDeliveredMany(db, [{ id: x.id, at }])).toEqual(new Set());
      expect(await markOutboxDeliveredMany(db, [])).toEqual(new Set());
    });

    it("dedupe key enqueues once, and concurrent enqueuers get distinct seqs", async () => {
      const agg = randomUUID();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          db.transaction((tx) =>
            enqueueOutbox(tx, {
              tenantId: tenant.id,
              aggregateId: agg,
              kind: "x",
              payload: { i },
              dedupeKey: i < 5 ? `resolve:${agg}` : undefined,
            }),
          ),
        ),
      );
      const stored = results.filter((r) => r !== null);
      expect(stored).toHaveLength(6);
      expect(new Set(stored.map((r) => r!.seq)).size).toBe(6);
    });
  });

  describe("inbox", () => {
    it("collapses 50 concurrent deliveries of one notification into one row", async () => {
      const rawBody = Buffer.from(`{"eventType":"cip.paid","operationNumber":"${randomUUID()}"}`);
      const dedupeKey = notificationDedupeKey({ rawBody, signatureValid: true });
      const results = await Promise.all(
        Array.from({ length: 50 }, () =>
          insertInboxMessage(db, {
            tenantId: tenant.id,
            dedupeKey,
            rawBody,
            headers: { "PE-Signature": "abc", authorization: "Bearer nope" },
            signatureValid: true,
            eventType: "cip.paid",
          }),
        ),
      );
      expect(results.filter((r) => r.inserted)).toHaveLength(1);
      const msg = results[0]!.message;
      expect(msg.rawBody.equals(rawBody)).toBe(true);
      expect(msg.headers).toEqual({ "pe-signature": "abc" });
      expect(await markInboxProcessed(db, msg.id, { result: "applied", at: NOW })).toBe(true);
      expect(await markInboxProcessed(db, msg.id, { result: "applied", at: NOW })).toBe(false);
    });

    it("an unsigned copy of a body does not shadow the genuine notification", () => {
      const rawBody = Buffer.from("{}");
      expect(notificationDedupeKey({ rawBody, signatureValid: false, signature: "x" })).not.toBe(
        notificationDedupeKey({ rawBody, signatureValid: true }),
      );
    });
  });

  describe("refunds and credit notes", () => {
    it("is idempotent on the platform refund id and sums succeeded + in-flight refunds", async () => {
      const { record: v } = await insertOrGetVoucher(db, newVoucher(tenant, { status: "paid" }));
      const base = { tenantId: tenant.id, voucherId: v.id, requestFingerprint: "r" };
      const r1 = await insertOrGetRefund(db, {
        ...base,
        platformRefundId: "rf-1",
        amount: { minor: 5000, currency: "PEN" },
        status: "succeeded",
      });
      const again = await insertOrGetRefund(db, {
        ...base,
        platformRefundId: "rf-1",
        amount: { minor: 5000, currency: "PEN" },
        status: "requested",
      });
      expect(again.created).toBe(false);
      expect(again.record.id).toBe(r1.record.id);
      await insertOrGetRefund(db, {
        ...base,
        platformRefundId: "rf-2",
        amount: { minor: 3000, currency: "PEN" },
        status: "submitted",
      });
      const r3 = await insertOrGetRefund(db, {
        ...base,
        platformRefundId: "rf-3",
        amount: { minor: 2000, currency: "PEN" },
        status: "requested",
      });
      expect(await sumRefundedForVoucher(db, v.id)).toEqual({ totalMinor: 10000, count: 3 });
      await updateRefund(
        db,
        r3.record.id,
        { expectedStatus: "requested" },
        { status: "failed", failureReason: "window elapsed" },
      );
      expect(await sumRefundedForVoucher(db, v.id)).toEqual({ totalMinor: 8000, count: 2 });
      expect(
        await updateRefund(db, r3.record.id, { expectedStatus: "requested" }, { status: "x" }),
      ).toBeNull();
    });

    it("allocates unique consecutive credit-note numbers under concurrency", async () => {
      const own = await createTestTenant(db);
      expect(await db.transaction((tx) => allocateCreditNote(tx, own.id))).toBeNull(); // manual
      await updateSettings(db, own.id, {
        creditNotePolicy: "series",
        creditNoteSeries: "F001",
        creditNoteNextNumber: 41,
      });
      const numbers = await Promise.all(
        Array.from({ length: 30 }, () => db.transaction((tx) => allocateCreditNote(tx, own.id))),
      );
      expect(new Set(numbers).size).toBe(30);
      expect([...numbers].sort()[0]).toBe("F001-00000041");
      expect([...numbers].sort()[29]).toBe("F001-00000070");
      // A rolled-back allocation gives its number back.
      await expect(
        db.transaction(async (tx) => {
          await allocateCreditNote(tx, own.id);
          throw new Error("refund insert failed");
        }),
      ).rejects.toThrow();
      expect(await db.transaction((tx) => allocateCreditNote(tx, own.id))).toBe("F001-00000071");
    });
  });

  describe("attention, alerts, audit, privacy", () => {
    it("attention items and alerts are idempotent", async () => {
      const item = {
        tenantId: tenant.id,
        kind: "paid_twice",
        dedupeKey: "paid_twice:op-1",
        detail: { operationNumber: "op-1" },
      };
      expect((await createAttentionItem(db, item)).created).toBe(true);
      expect((await createAttentionItem(db, item)).created).toBe(false);
      await raiseAlert(db, { tenantId: tenant.id, kind: "signature_failure" });
      const bumped = await raiseAlert(db, { tenantId: tenant.id, kind: "signature_failure" });
      expect(bumped.occurrences).toBe(2);
      expect(
        (await listOpenAlerts(db, tenant.id)).filter((a) => a.kind === "signature_failure"),
      ).toHaveLength(1);
    });

    it("redacts audit rows at insert and purges by age", async () => {
      const own = await createTestTenant(db);
      const old = new Date("2020-01-01T00:00:00Z");
      await insertAudit(db, {
        tenantId: own.id,
        direction: "outbound",
        method: "POST",
        path: "/v1/authorizations",
        status: 201,
        request: { accessKey: "AK9X2M7Q4T8W1Z5R3P6N", hashString: "deadbeef", idService: 1 },
        response: { data: { token: "eyJhbGciOi.secret" } },
        durationMs: 12.4,
        createdAt: old,
      });
      await insertAudit(db, {
        tenantId: own.id,
        direction: "outbound",
        method: "POST",
        path: "/v1/cips",
        status: 201,
        request: { userEmail: "rosa@example.pe", amount: 150.5 },
      });
      const rows = await listAudit(db, { tenantId: own.id });
      expect(JSON.stringify(rows)).not.toMatch(/AK9X2M7Q|deadbeef|eyJhbGciOi|rosa@example/);
      expect(rows[1]!.request).toMatchObject({ accessKey: "[redacted]", idService: 1 });
      expect(await purgeAuditLog(db, new Date("2024-01-01T00:00:00Z"), { batchSize: 1 })).toBe(1);
      expect(await listAudit(db, { tenantId: own.id })).toHaveLength(1);
    });

    it("exports and erases a shopper's data", async () => {
      const own = await createTestTenant(db);
      const { record } = await insertOrGetVoucher(
        db,
        newVoucher(own, { shopperEmail: "Lucia@Example.pe", shopperFirstName: "Lucía" }),
      );
      await db.transaction((tx) =>
        enqueueOutbox(tx, {
          tenantId: own.id,
          aggregateId: record.id,
          kind: "voucher_email",
          payload: { to: "lucia@example.pe", name: "Lucía" },
        }),
      );
      const exported = await exportCustomerData(db, own.id, "lucia@example.pe");
      expect(exported.vouchers).toHaveLength(1);
      expect(exported.vouchers[0]!.shopperFirstName).toBe("Lucía");
      const erased = await db.transaction((tx) =>
        eraseCustomerData(tx, own.id, "LUCIA@example.pe"),
      );
      expect(erased).toMatchObject({ vouchers: 1, outboxRows: 1 });
      const after = await getVoucher(db, record.id);
      expect(after).toMatchObject({ shopperEmail: null, shopperFirstName: null, cip: null });
      expect((await exportCustomerData(db, own.id, "lucia@example.pe")).vouchers).toEqual([]);
      const { rows } = await db.query<{ payload: unknown }>(
        "SELECT payload FROM outbox WHERE aggregate_id = $1",
        [record.id],
      );
      expect(JSON.stringify(rows)).not.toMatch(/lucia@example/i);
    });
  });
});
