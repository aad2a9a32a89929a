/**
 * requestRefund / submission / outcomes against a typed fake PagoEfectivo client, on PGlite and
 * PostgreSQL: idempotency under concurrency, the balance race, guards with es/en messages,
 * credit-note policies, PagoEfectivo refusals and transient errors, outcome idempotency.
 */
import { randomUUID } from "node:crypto";
import {
  fixedClock,
  PagoEfectivoUnavailableError,
  PagoEfectivoValidationError,
  RefundRefusedError,
  ValidationError,
  type PagoEfectivoClient,
  type Refund,
} from "@pe-pay/core";
import {
  applyRefundOutcome,
  createLogger,
  DEFAULT_ENGINE_CONFIG,
  enterCreditNote,
  getRefund,
  getVoucher,
  insertOrGetVoucher,
  listOutbox,
  listRefunds,
  RefundRequestConflictError,
  requestRefund,
  runRefundSubmissionOnce,
  updateSettings,
  updateVoucher,
  type Database,
  type TenantRecord,
} from "../src/index";
import type { EngineContext } from "../src/context";
import { createTestTenant, forEachDatabase, testKeyring } from "./support/databases";

const DAY = 24 * 3_600_000;

/** A PagoEfectivo refund endpoint in memory: idempotent on `reference`, counts calls. */
function fakePagoEfectivo() {
  const byReference = new Map<string, Refund>();
  const state = {
    calls: 0,
    /** Thrown by the next createRefund calls (then cleared). */
    failNext: [] as Error[],
    byReference,
  };
  const notUsed = () => Promise.reject(new Error("not used in these tests"));
  const client = {
    createCip: notUsed,
    searchCips: notUsed,
    extendCip: notUsed,
    deleteCip: notUsed,
    getSettlement: notUsed,
    getSettlementCsv: notUsed,
    async createRefund(input) {
      state.calls += 1;
      // Let concurrent callers interleave, as over a network.
      await new Promise((r) => setTimeout(r, 5));
      const fail = state.failNext.shift();
      if (fail) throw fail;
      const seen = byReference.get(input.reference);
      if (seen) return seen;
      const refund: Refund = {
        refundId: `rf_${byReference.size + 1}_${input.reference.slice(0, 8)}`,
        status: "pending",
        transactionId: input.transactionId,
        amount: input.amount,
        reference: input.reference,
        createdAt: new Date(),
        processedDate: null,
        reasonCode: null,
      };
      byReference.set(input.reference, refund);
      return refund;
    },
    async getRefund(refundId) {
      const found = [...byReference.values()].find((r) => r.refundId === refundId);
      if (!found) throw new Error("unknown refund");
      return found;
    },
  } satisfies PagoEfectivoClient;
  return { client, state };
}

function makeContext(db: Database, clock = fixedClock(new Date())) {
  const pe = fakePagoEfectivo();
  const ctx: EngineContext = {
    db,
    clock,
    logger: createLogger({ name: "test", level: "silent" }),
    keyring: testKeyring(),
    config: {
      ...DEFAULT_ENGINE_CONFIG,
      pagoEfectivoBaseUrl: { sandbox: "http://127.0.0.1:9", production: "http://127.0.0.1:9" },
      publicBaseUrl: "http://127.0.0.1:9",
    },
    pagoEfectivo: () => pe.client,
    random: () => 0.5,
  };
  return { ctx, pe, clock };
}

let cipCounter = 7_000_000;

async function paidVoucher(
  db: Database,
  tenant: TenantRecord,
  opts: {
    minor?: number;
    paidAt?: Date;
    currency?: "PEN" | "USD";
    /** The PagoEfectivo environment the CIP was created in (stored as the engine does). */
    environment?: "sandbox" | "production";
  } = {},
) {
  const key = `pay_${randomUUID()}`;
  const amount = { minor: opts.minor ?? 10_000, currency: opts.currency ?? "PEN" } as const;
  const { record } = await insertOrGetVoucher(db, {
    tenantId: tenant.id,
    platformPaymentId: key,
    idempotencyKey: key,
    requestFingerprint: "fp",
    transactionCode: `tc-${randomUUID()}`,
    amount,
    status: "pending",
    expiresAt: new Date(Date.now() + DAY),
    ...(opts.environment
      ? {
          platformData: {
            platform: {},
            engine: { reference: key, tokenSecret: "s".repeat(24), environment: opts.environment },
          },
        }
      : {}),
  });
  cipCounter += 1;
  const paid = await updateVoucher(
    db,
    record.id,
    { expectedStatus: "pending" },
    {
      status: "paid",
      cip: String(cipCounter),
      paidAt: opts.paidAt ?? new Date(),
      paidAmount: amount,
      paymentOperationNumber: `op-${cipCounter}`,
    },
  );
  return paid!;
}

async function seriesTenant(db: Database) {
  const tenant = await createTestTenant(db);
  await updateSettings(db, tenant.id, { creditNotePolicy: "series", creditNoteSeries: "F001" });
  return tenant;
}

const cmd = (
  tenant: TenantRecord,
  voucher: { idempotencyKey: string },
  minor: number,
  platformRefundId = `rs_${randomUUID()}`,
) => ({
  tenantId: tenant.id,
  platformRefundId,
  voucher: { idempotencyKey: voucher.idempotencyKey },
  amount: { minor, currency: "PEN" as const },
  reason: "Producto devuelto",
  platformData: { gid: `gid://shopify/RefundSession/${platformRefundId}` },
});

forEachDatabase("refunds: request, submit, outcome", (t) => {
  it("20 concurrent requests with the same id → one refund, one PagoEfectivo call", async () => {
    const db = t().db;
    const { ctx, pe } = makeContext(db);
    const tenant = await seriesTenant(db);
    const voucher = await paidVoucher(db, tenant);
    const c = cmd(tenant, voucher, 2_500);
    const views = await Promise.all(Array.from({ length: 20 }, () => requestRefund(ctx, c)));
    expect(new Set(views.map((v) => v.id)).size).toBe(1);
    expect(pe.state.calls).toBe(1);
    expect(pe.state.byReference.size).toBe(1);
    const rows = await listRefunds(db, { voucherId: voucher.id });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: "submitted",
      creditNoteNumber: "F001-00000001",
      reason: "Producto devuelto",
    });
    expect(rows[0]!.peRefundId).toMatch(/^rf_1_/);
    // PagoEfectivo's reference is our refund id.
    expect([...pe.state.byReference.keys()]).toEqual([rows[0]!.id]);
    // A later repeat is still the same refund, with no new call.
    const again = await requestRefund(ctx, c);
    expect(again).toMatchObject({ id: rows[0]!.id, status: "submitted" });
    expect(pe.state.calls).toBe(1);
  });

  it("two refunds racing for the last balance → exactly one accepted", async () => {
    const db = t().db;
    const { ctx, pe } = makeContext(db);
    const tenant = await seriesTenant(db);
    const voucher = await paidVoucher(db, tenant, { minor: 10_000 });
    const results = await Promise.allSettled([
      requestRefund(ctx, cmd(tenant, voucher, 6_000)),
      requestRefund(ctx, cmd(tenant, voucher, 6_000)),
    ]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const error = (refused[0] as PromiseRejectedResult).reason as RefundRefusedError;
    expect(error).toBeInstanceOf(RefundRefusedError);
    expect(error.reason).toBe("above_balance");
    expect(error.refundableMinor).toBe(4_000);
    expect(pe.state.calls).toBe(1);
    const statuses = (await listRefunds(db, { voucherId: voucher.id })).map((r) => r.status);
    expect(statuses.sort()).toEqual(["failed", "submitted"]);
  });

  it("partial then the rest → partially_refunded then refunded (notification path)", async () => {
    const db = t().db;
    const { ctx } = makeContext(db);
    const tenant = await seriesTenant(db);
    const voucher = await paidVoucher(db, tenant, { minor: 10_000 });
    const first = await requestRefund(ctx, cmd(tenant, voucher, 4_000));
    const firstRow = (await getRefund(db, first.id))!;
    await applyRefundOutcome(ctx, {
      tenantId: tenant.id,
      peRefundId: firstRow.peRefundId!,
      outcome: "completed",
      source: "notification",
    });
    expect((await getVoucher(db, voucher.id))!.status).toBe("partially_refunded");
    // Repeated notification: no-op (no second outbox message, status unchanged).
    await applyRefundOutcome(ctx, {
      tenantId: tenant.id,
      peRefundId: firstRow.peRefundId!,
      outcome: "completed",
      source: "notification",
    });
    const second = await requestRefund(ctx, cmd(tenant, voucher, 6_000));
    expect(second.status).toBe("submitted");
    await applyRefundOutcome(ctx, {
      tenantId: tenant.id,
      peRefundId: (await getRefund(db, second.id))!.peRefundId!,
      outcome: "completed",
      source: "notification",
    });
    expect((await getVoucher(db, voucher.id))!.status).toBe("refunded");
    expect((await getRefund(db, second.id))!.status).toBe("succeeded");
    const outbox = await listOutbox(db, { aggregateId: voucher.id });
    expect(outbox.map((m) => m.kind)).toEqual(["refund.succeeded", "refund.succeeded"]);
    expect(outbox.map((m) => (m.payload as { refundId: string }).refundId)).toEqual([
      first.id,
      second.id,
    ]);
    // Nothing left: one more centimo is refused.
    await expect(requestRefund(ctx, cmd(tenant, voucher, 1))).rejects.toMatchObject({
      reason: "above_balance",
    });
  });

  it("above the balance → refused with readable es/en text; same id → same answer", async () => {
    const db = t().db;
    const { ctx, pe } = makeContext(db);
    const tenant = await seriesTenant(db);
    const voucher = await paidVoucher(db, tenant, { minor: 5_000 });
    const c = cmd(tenant, voucher, 5_001);
    const error = (await requestRefund(ctx, c).catch((e: unknown) => e)) as RefundRefusedError;
    expect(error).toBeInstanceOf(RefundRefusedError);
    expect(error.messages.es).toContain("supera el saldo reembolsable (PEN 50.00)");
    expect(error.messages.en).toContain("exceeds the refundable balance (PEN 50.00)");
    expect(error.merchantMessage).toBe(error.messages.es);
    // Decision: the refusal is stored (failed) and reported through the outbox too.
    const [row] = await listRefunds(db, { voucherId: voucher.id });
    expect(row).toMatchObject({ status: "failed", failureCode: "above_balance" });
    const outbox = await listOutbox(db, { aggregateId: voucher.id });
    expect(outbox.map((m) => m.kind)).toEqual(["refund.failed"]);
    // The same platform refund id gets the same answer, even once the balance would allow it.
    const again = (await requestRefund(ctx, c).catch((e: unknown) => e)) as RefundRefusedError;
    expect(again).toBeInstanceOf(RefundRefusedError);
    expect(again.messages).toEqual(error.messages);
    expect(pe.state.calls).toBe(0);
    expect(await listOutbox(db, { aggregateId: voucher.id })).toHaveLength(1);
    // The same id reused with another amount is a conflict, not a replay.
    await expect(
      requestRefund(ctx, { ...c, amount: { minor: 100, currency: "PEN" } }),
    ).rejects.toBeInstanceOf(RefundRequestConflictError);
  });

  it("wrong currency, unpaid voucher, unknown voucher and zero amount are refused", async () => {
    const db = t().db;
    const { ctx } = makeContext(db);
    const tenant = await seriesTenant(db);
    const voucher = await paidVoucher(db, tenant);
    await expect(
      requestRefund(ctx, { ...cmd(tenant, voucher, 100), amount: { minor: 100, currency: "USD" } }),
    ).rejects.toMatchObject({ reason: "currency_mismatch" });
    await expect(
      requestRefund(ctx, cmd(tenant, { idempotencyKey: "nope" }, 100)),
    ).rejects.toMatchObject({ reason: "not_paid" });
    await expect(requestRefund(ctx, cmd(tenant, voucher, 0))).rejects.toMatchObject({
      reason: "invalid_amount",
    });
    const key = `pending_${randomUUID()}`;
    await insertOrGetVoucher(db, {
      tenantId: tenant.id,
      platformPaymentId: key,
      idempotencyKey: key,
      requestFingerprint: "fp",
      transactionCode: `tc-${randomUUID()}`,
      amount: { minor: 100, currency: "PEN" },
      status: "pending",
      expiresAt: new Date(Date.now() + DAY),
    });
    await expect(
      requestRefund(ctx, cmd(tenant, { idempotencyKey: key }, 100)),
    ).rejects.toMatchObject({
      reason: "not_paid",
    });
  });

  it("90-day window elapsed (injected clock) → refused before PagoEfectivo is called", async () => {
    const db = t().db;
    const paidAt = new Date("2026-01-10T15:00:00Z");
    const clock = fixedClock(new Date(paidAt.getTime() + 90 * DAY));
    const { ctx, pe } = makeContext(db, clock);
    const tenant = await seriesTenant(db);
    const voucher = await paidVoucher(db, tenant, { paidAt });
    // Exactly 90 days: still allowed.
    await expect(requestRefund(ctx, cmd(tenant, voucher, 100))).resolves.toMatchObject({
      status: "submitted",
    });
    clock.advance(1_000);
    const error = (await requestRefund(ctx, cmd(tenant, voucher, 100)).catch(
      (e: unknown) => e,
    )) as RefundRefusedError;
    expect(error.reason).toBe("window_elapsed");
    expect(error.messages.es).toContain("90 días");
    expect(error.messages.en).toContain("90 days");
    expect(pe.state.calls).toBe(1);
  });

  it("a payment made in another PagoEfectivo environment is refused before PagoEfectivo is called", async () => {
    const db = t().db;
    const { ctx, pe } = makeContext(db);
    const tenant = await seriesTenant(db);
    const voucher = await paidVoucher(db, tenant, { environment: "sandbox" });
    // The store went live: its credentials are production ones now.
    await db.query("UPDATE tenants SET environment = 'production' WHERE id = $1", [tenant.id]);
    const request = cmd(tenant, voucher, 1_000);
    const error = (await requestRefund(ctx, request).catch(
      (e: unknown) => e,
    )) as RefundRefusedError;
    expect(error).toBeInstanceOf(RefundRefusedError);
    expect(error.reason).toBe("environment_changed");
    expect(error.messages.es).toContain("otro entorno de PagoEfectivo");
    expect(pe.state.calls).toBe(0);
    const [row] = await listRefunds(db, { tenantId: tenant.id, voucherId: voucher.id });
    expect(row).toMatchObject({ status: "failed", failureCode: "environment_changed" });
    const messages = await listOutbox(db, { tenantId: tenant.id, aggregateId: voucher.id });
    expect(messages.map((m) => m.kind)).toContain("refund.failed");
    // Back on the payment's environment, the same payment refunds normally.
    await db.query("UPDATE tenants SET environment = 'sandbox' WHERE id = $1", [tenant.id]);
    await expect(requestRefund(ctx, cmd(tenant, voucher, 1_000))).resolves.toMatchObject({
      status: "submitted",
    });
    expect(pe.state.calls).toBe(1);
  });

  it("a refund held for its credit note across an environment switch fails instead of being sent", async () => {
    const db = t().db;
    const { ctx, pe } = makeContext(db);
    const tenant = await createTestTenant(db); // manual credit notes: the refund waits
    const voucher = await paidVoucher(db, tenant, { environment: "sandbox" });
    const held = await requestRefund(ctx, cmd(tenant, voucher, 1_000));
    expect(held.status).toBe("requested");
    await db.query("UPDATE tenants SET environment = 'production' WHERE id = $1", [tenant.id]);
    const after = makeContext(db);
    const view = await enterCreditNote(after.ctx, {
      tenantId: tenant.id,
      refundId: held.id,
      creditNoteNumber: "B001-00000043",
    });
    expect(view.status).toBe("failed");
    expect(after.pe.state.calls + pe.state.calls).toBe(0);
    expect((await getRefund(db, held.id))!.failureCode).toBe("environment_changed");
  });

  it("manual credit-note policy: held until enterCreditNote, then submitted", async () => {
    const db = t().db;
    const { ctx, pe, clock } = makeContext(db);
    const tenant = await createTestTenant(db); // default policy: manual
    const voucher = await paidVoucher(db, tenant);
    const view = await requestRefund(ctx, cmd(tenant, voucher, 1_000));
    expect(view).toMatchObject({ status: "requested", failureReason: null });
    expect((await getRefund(db, view.id))!.failureCode).toBe("credit_note_missing");
    // A held refund is not picked up by the submission worker.
    clock.advance(DAY);
    await runRefundSubmissionOnce(ctx);
    expect(pe.state.calls).toBe(0);
    await expect(
      enterCreditNote(ctx, { tenantId: tenant.id, refundId: view.id, creditNoteNumber: "X1" }),
    ).rejects.toBeInstanceOf(ValidationError);
    const submitted = await enterCreditNote(ctx, {
      tenantId: tenant.id,
      refundId: view.id,
      creditNoteNumber: " b001-00000042 ",
    });
    expect(submitted.status).toBe("submitted");
    expect(pe.state.calls).toBe(1);
    const row = (await getRefund(db, view.id))!;
    expect(row).toMatchObject({ creditNoteNumber: "B001-00000042", failureCode: null });
    // Once sent, the number cannot change.
    await expect(
      enterCreditNote(ctx, { tenantId: tenant.id, refundId: view.id, creditNoteNumber: "B001-1" }),
    ).rejects.toMatchObject({ code: "conflict" });
  });

  it("a PagoEfectivo refusal fails the refund with its exact reason + refund.failed", async () => {
    const db = t().db;
    const { ctx, pe } = makeContext(db);
    const tenant = await seriesTenant(db);
    const voucher = await paidVoucher(db, tenant);
    pe.state.failNext.push(
      new PagoEfectivoValidationError({
        method: "POST",
        path: "/v2/refunds",
        status: 422,
        code: "162",
        message: "El plazo de 90 días para devolver este pago venció.",
        issues: [],
      }),
    );
    const view = await requestRefund(ctx, cmd(tenant, voucher, 1_000));
    expect(view.status).toBe("failed");
    expect(view.failureReason).toBe("El plazo de 90 días para devolver este pago venció.");
    expect((await getRefund(db, view.id))!.failureCode).toBe("pagoefectivo_162");
    const outbox = await listOutbox(db, { aggregateId: voucher.id });
    expect(outbox.map((m) => m.kind)).toEqual(["refund.failed"]);
    // A failed refund frees its amount.
    await expect(requestRefund(ctx, cmd(tenant, voucher, 10_000))).resolves.toMatchObject({
      status: "submitted",
    });
  });

  it("transient errors keep the refund requested; the worker resubmits with the same reference", async () => {
    const db = t().db;
    const { ctx, pe, clock } = makeContext(db);
    const tenant = await seriesTenant(db);
    const voucher = await paidVoucher(db, tenant);
    pe.state.failNext.push(
      new PagoEfectivoUnavailableError(
        { method: "POST", path: "/v2/refunds", issues: [] },
        "http_5xx",
        3,
      ),
    );
    const view = await requestRefund(ctx, cmd(tenant, voucher, 1_000));
    expect(view).toMatchObject({ status: "requested", failureReason: null });
    const row = (await getRefund(db, view.id))!;
    expect(row.failureCode).toBe("submission_retry");
    expect(row.nextPollAt!.getTime()).toBeGreaterThan(clock.now().getTime());
    // Not due yet.
    expect((await runRefundSubmissionOnce(ctx)).processed).toBe(0);
    clock.set(row.nextPollAt!);
    expect((await runRefundSubmissionOnce(ctx)).processed).toBe(1);
    const after = (await getRefund(db, view.id))!;
    expect(after).toMatchObject({ status: "submitted", failureCode: null });
    expect(pe.state.calls).toBe(2);
    expect([...pe.state.byReference.keys()]).toEqual([view.id]);
  });

  it("a crash after storing the refund is recovered by the submission worker", async () => {
    const db = t().db;
    const { ctx, pe, clock } = makeContext(db);
    const tenant = await seriesTenant(db);
    const voucher = await paidVoucher(db, tenant);
    // Simulate "stored, then the process died": the inline call never reached PagoEfectivo.
    pe.state.failNext.push(new Error("process killed"));
    const view = await requestRefund(ctx, cmd(tenant, voucher, 1_000));
    expect(view.status).toBe("requested");
    clock.advance(31 * 60_000);
    await runRefundSubmissionOnce(ctx);
    expect((await getRefund(db, view.id))!.status).toBe("submitted");
  });

  it("rejected → failed + refund.failed with a clear reason; repeats and contradictions change nothing", async () => {
    const db = t().db;
    const { ctx } = makeContext(db);
    const tenant = await seriesTenant(db);
    const voucher = await paidVoucher(db, tenant);
    const view = await requestRefund(ctx, cmd(tenant, voucher, 1_000));
    const peRefundId = (await getRefund(db, view.id))!.peRefundId!;
    const reject = {
      tenantId: tenant.id,
      peRefundId,
      outcome: "rejected" as const,
      reasonCode: "R01",
      source: "notification" as const,
    };
    await applyRefundOutcome(ctx, reject);
    await applyRefundOutcome(ctx, reject);
    const row = (await getRefund(db, view.id))!;
    expect(row).toMatchObject({ status: "failed", failureCode: "R01" });
    expect(row.failureReason).toBe("PagoEfectivo rechazó el reembolso (código R01)");
    expect((await getVoucher(db, voucher.id))!.status).toBe("paid");
    const outbox = await listOutbox(db, { aggregateId: voucher.id });
    expect(outbox.map((m) => m.kind)).toEqual(["refund.failed"]);
    // "completed" after "rejected": recorded for a person, nothing moves.
    await applyRefundOutcome(ctx, { ...reject, outcome: "completed" });
    expect((await getRefund(db, view.id))!.status).toBe("failed");
    const { rows } = await db.query("SELECT kind FROM attention_items WHERE tenant_id = $1", [
      tenant.id,
    ]);
    expect(rows).toEqual([{ kind: "refund_outcome_conflict" }]);
    // Another tenant's refund id is ignored.
    await applyRefundOutcome(ctx, { ...reject, tenantId: randomUUID(), outcome: "completed" });
    expect((await getRefund(db, view.id))!.status).toBe("failed");
  });
});
