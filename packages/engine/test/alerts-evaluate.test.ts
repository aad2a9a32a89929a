/**
 * Merchant alerts on PGlite and PostgreSQL: the refund-rate threshold over the Lima day's
 * payments, signature failures, attention items and held refunds, with es/en texts, resolution
 * and dismissal.
 */
import { randomUUID } from "node:crypto";
import { fixedClock } from "@pe-pay/core";
import {
  createAttentionItem,
  dismissMerchantAlert,
  evaluateAlerts,
  evaluateAlertsForActiveTenants,
  deactivateTenant,
  insertInboxMessage,
  insertOrGetRefund,
  insertOrGetVoucher,
  limaDayStart,
  listMerchantAlerts,
  refundRateForDay,
  resolveAttentionItem,
  type Database,
  type TenantRecord,
} from "../src/index";
import type { EngineContext } from "../src/context";
import { createTestTenant, forEachDatabase } from "./support/databases";
import { testEngineContext } from "./support/engine";

// 12:00 in Lima; the Lima day is 2026-03-10 (05:00Z to 05:00Z next day).
const NOON = new Date("2026-03-10T17:00:00Z");

const makeContext = (db: Database) => testEngineContext(db, { clock: fixedClock(NOON) });

async function voucherPaidAt(db: Database, tenant: TenantRecord, paidAt: Date | null) {
  const key = `pay_${randomUUID()}`;
  const { record } = await insertOrGetVoucher(db, {
    tenantId: tenant.id,
    platformPaymentId: key,
    idempotencyKey: key,
    requestFingerprint: "fp",
    transactionCode: `tc-${randomUUID()}`,
    amount: { minor: 1_000, currency: "PEN" },
    status: paidAt ? "paid" : "pending",
    expiresAt: new Date(NOON.getTime() + 86_400_000),
  });
  if (paidAt) await db.query("UPDATE vouchers SET paid_at = $2 WHERE id = $1", [record.id, paidAt]);
  return record;
}

/** A refund row created at `at` (times are set explicitly: the DB clock is not the test's). */
async function refundAt(
  db: Database,
  tenant: TenantRecord,
  voucherId: string,
  at: Date,
  status = "submitted",
  failureCode: string | null = null,
) {
  const { record } = await insertOrGetRefund(db, {
    tenantId: tenant.id,
    voucherId,
    platformRefundId: `rs_${randomUUID()}`,
    requestFingerprint: "fp",
    amount: { minor: 100, currency: "PEN" },
    status,
  });
  await db.query("UPDATE refunds SET created_at = $2, failure_code = $3 WHERE id = $1", [
    record.id,
    at,
    failureCode,
  ]);
  return record;
}

forEachDatabase("merchant alerts", (t) => {
  it("the Lima day starts at 05:00Z", () => {
    expect(limaDayStart(NOON).toISOString()).toBe("2026-03-10T05:00:00.000Z");
    expect(limaDayStart(new Date("2026-03-11T04:59:59Z")).toISOString()).toBe(
      "2026-03-10T05:00:00.000Z",
    );
  });

  it("refund rate: alert only above 5 % of the Lima day's payments", async () => {
    const db = t().db;
    const ctx = makeContext(db);
    const tenant = await createTestTenant(db);
    const today = limaDayStart(NOON);
    const vouchers = [];
    // 20 payments today (one just after Lima midnight), 5 yesterday (not counted).
    for (let i = 0; i < 20; i++) {
      vouchers.push(await voucherPaidAt(db, tenant, new Date(today.getTime() + i * 60_000)));
    }
    for (let i = 0; i < 5; i++) {
      await voucherPaidAt(db, tenant, new Date(today.getTime() - (i + 1) * 60_000));
    }
    const v = vouchers[0]!.id;
    // Yesterday's refunds and refunds our guards refused do not count.
    await refundAt(db, tenant, v, new Date(today.getTime() - 1));
    await refundAt(db, tenant, v, NOON, "failed", "above_balance");
    await refundAt(db, tenant, v, NOON);
    expect(await refundRateForDay(ctx, tenant.id)).toMatchObject({
      day: "2026-03-10",
      payments: 20,
      refunds: 1,
      rate: 0.05,
      above: false,
    });
    await evaluateAlerts(ctx, tenant.id);
    expect(await listMerchantAlerts(ctx, tenant.id)).toEqual([]);

    // A refund PagoEfectivo rejected still counts: it was asked for.
    await refundAt(db, tenant, v, NOON, "failed", "R01");
    expect((await evaluateAlerts(ctx, tenant.id)).raised).toBe(1);
    const [alert] = await listMerchantAlerts(ctx, tenant.id);
    expect(alert).toMatchObject({ kind: "refund_rate", severity: "warning", occurrences: 1 });
    expect(alert!.message.es).toBe(
      "El 2026-03-10 (hora de Lima) se pidieron 2 reembolsos para 20 pagos (10 %): más del 5 % de los pagos del día.",
    );
    expect(alert!.message.en).toContain("2 refunds were requested against 20 payments (10 %)");
    expect(alert!.action.es).toContain("Revise los reembolsos del día");
    // Evaluating again with the same numbers changes nothing.
    expect((await evaluateAlerts(ctx, tenant.id)).raised).toBe(0);
    expect((await listMerchantAlerts(ctx, tenant.id))[0]!.occurrences).toBe(1);

    // Dismissed: stays away until the numbers change.
    await dismissMerchantAlert(ctx, { tenantId: tenant.id, alertId: alert!.id });
    await evaluateAlerts(ctx, tenant.id);
    expect(await listMerchantAlerts(ctx, tenant.id)).toEqual([]);
    await refundAt(db, tenant, v, NOON);
    await evaluateAlerts(ctx, tenant.id);
    expect((await listMerchantAlerts(ctx, tenant.id)).map((a) => a.detail.refunds)).toEqual([3]);
  });

  it("a refund on a day without payments is above the threshold", async () => {
    const db = t().db;
    const ctx = makeContext(db);
    const tenant = await createTestTenant(db);
    const old = await voucherPaidAt(db, tenant, new Date(NOON.getTime() - 5 * 86_400_000));
    await refundAt(db, tenant, old.id, NOON);
    expect(await refundRateForDay(ctx, tenant.id)).toMatchObject({
      payments: 0,
      refunds: 1,
      rate: null,
      above: true,
    });
  });

  it("signature failures, attention items and held refunds become alerts with es/en texts", async () => {
    const db = t().db;
    const ctx = makeContext(db);
    const tenant = await createTestTenant(db);
    for (let i = 0; i < 3; i++) {
      await insertInboxMessage(db, {
        tenantId: tenant.id,
        dedupeKey: `bad-${i}`,
        rawBody: Buffer.from("{}"),
        headers: { "pe-signature": "00" },
        signatureValid: false,
        receivedAt: new Date(NOON.getTime() - i * 60_000),
      });
    }
    const voucher = await voucherPaidAt(db, tenant, NOON);
    const { item } = await createAttentionItem(db, {
      tenantId: tenant.id,
      voucherId: voucher.id,
      kind: "paid_twice",
      dedupeKey: "paid_twice:op-9",
    });
    const held = await refundAt(db, tenant, voucher.id, NOON, "requested", "credit_note_missing");

    await evaluateAlerts(ctx, tenant.id);
    const alerts = await listMerchantAlerts(ctx, tenant.id);
    const byKind = Object.fromEntries(alerts.map((a) => [a.kind, a]));
    expect(Object.keys(byKind).sort()).toEqual([
      "attention_item",
      "credit_note_missing",
      "refund_rate",
      "signature_failure",
    ]);
    // Critical ones first.
    expect(alerts.slice(0, 2).map((a) => a.severity)).toEqual(["critical", "critical"]);
    expect(byKind.signature_failure!.message.es).toContain("Llegaron 3 notificaciones");
    expect(byKind.signature_failure!.action.en).toContain("secret key");
    expect(byKind.attention_item!.message.es).toContain("El pedido se pagó dos veces");
    expect(byKind.attention_item!.message.en).toContain("The order was paid twice");
    expect(byKind.credit_note_missing!.message.es).toContain("PEN 1.00");
    expect(byKind.credit_note_missing!.action.en).toContain("F001-00000123");
    for (const a of alerts) {
      for (const text of [a.title, a.message, a.action]) {
        expect(text.es.length).toBeGreaterThan(0);
        expect(text.en.length).toBeGreaterThan(0);
      }
    }

    // Causes that went away resolve their alerts.
    await resolveAttentionItem(db, item.id, { at: NOON, resolution: "refunded" });
    await db.query(
      "UPDATE refunds SET credit_note_number = 'F001-7', failure_code = NULL WHERE id = $1",
      [held.id],
    );
    const result = await evaluateAlerts(ctx, tenant.id);
    expect(result.resolved).toBe(2);
    expect((await listMerchantAlerts(ctx, tenant.id)).map((a) => a.kind).sort()).toEqual([
      "refund_rate",
      "signature_failure",
    ]);
    await expect(
      dismissMerchantAlert(ctx, { tenantId: randomUUID(), alertId: alerts[0]!.id }),
    ).rejects.toMatchObject({ code: "not_found" });
  });
  it("the periodic task evaluates every active tenant, skips inactive ones, survives a failure", async () => {
    const db = t().db;
    const ctx = makeContext(db);
    const active = await createTestTenant(db);
    const inactive = await createTestTenant(db);
    for (const tenant of [active, inactive]) {
      const v = await voucherPaidAt(db, tenant, null);
      await createAttentionItem(db, {
        tenantId: tenant.id,
        voucherId: v.id,
        kind: "paid_twice",
        dedupeKey: `payment:${randomUUID()}`,
        detail: {},
      });
    }
    await deactivateTenant(db, inactive.id, NOON);
    const warn = jest.fn();
    const r = await evaluateAlertsForActiveTenants(ctx, { warn });
    expect(r.failed).toBe(0);
    expect(r.raised).toBeGreaterThanOrEqual(1);
    const kinds = async (id: string) => (await listMerchantAlerts(ctx, id)).map((a) => a.kind);
    expect(await kinds(active.id)).toContain("attention_item");
    expect(await kinds(inactive.id)).toEqual([]);

    // A tenant whose evaluation throws is reported; the others are still evaluated.
    let calls = 0;
    const flaky: EngineContext = {
      ...ctx,
      db: {
        ...db,
        kind: db.kind,
        inTransaction: false,
        query: (sql: string, params?: readonly unknown[]) => {
          if (sql.includes("FROM alerts") && calls++ === 0) throw new Error("connection reset");
          return db.query(sql, params);
        },
        exec: (sql: string) => db.exec(sql),
        transaction: (fn, o) => db.transaction(fn, o),
        close: () => db.close(),
      } as Database,
    };
    const again = await evaluateAlertsForActiveTenants(flaky, { warn });
    expect(again.failed).toBe(1);
    expect(again.tenants).toBeGreaterThanOrEqual(1);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ err: { message: "connection reset" } }),
      "alert evaluation failed",
    );
  });
});
