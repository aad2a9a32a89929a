/**
 * Refunds end to end against the PagoEfectivo sandbox over HTTP (real client): submission,
 * completion and rejection through the sandbox controls, found by polling `GET /v2/refunds/{id}`;
 * a PagoEfectivo refusal (CIP not paid there) failing the refund with PagoEfectivo's own words.
 */
import { randomUUID } from "node:crypto";
import {
  createPagoEfectivoClient,
  fixedClock,
  jsonDecimal,
  toLimaIso,
  type PagoEfectivoClient,
} from "@pe-pay/core";
import { startSandbox, type RunningSandbox } from "@pe-pay/sandbox";
import {
  createLogger,
  DEFAULT_ENGINE_CONFIG,
  getRefund,
  getVoucher,
  insertOrGetVoucher,
  listOutbox,
  REFUND_FIRST_POLL_MS,
  requestRefund,
  runRefundPollingOnce,
  updateSettings,
  updateVoucher,
  type Database,
  type TenantRecord,
} from "../src/index";
import type { EngineContext } from "../src/context";
import { createTestTenant, forEachDatabase, testKeyring } from "./support/databases";

const clock = fixedClock(new Date());
let sandbox: RunningSandbox;
let direct: PagoEfectivoClient;
let getRefundCalls = 0;

const DEMO = {
  idService: 1234,
  accessKey: "AK9X2M7Q4T8W1Z5R3P6N",
  secretKey: "sk_demo_4f1c2a9b7e6d5c3b2a1f0e9d8c7b6a5f",
};

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, clock, expirySweepMs: 0 });
  direct = createPagoEfectivoClient({ baseUrl: sandbox.url, ...DEMO, clock, timeoutMs: 5_000 });
});
afterAll(async () => {
  await sandbox?.close();
});

async function control(path: string, body: unknown = {}): Promise<Record<string, unknown>> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { data?: Record<string, unknown> };
  if (!res.ok) throw new Error(`control ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json.data ?? {};
}

function makeContext(db: Database): EngineContext {
  return {
    db,
    clock,
    logger: createLogger({ name: "test", level: "silent" }),
    keyring: testKeyring(),
    config: {
      ...DEFAULT_ENGINE_CONFIG,
      pagoEfectivoBaseUrl: { sandbox: sandbox.url, production: sandbox.url },
      publicBaseUrl: "http://127.0.0.1:9",
    },
    pagoEfectivo: ({ credentials, baseUrl }) => {
      const client = createPagoEfectivoClient({
        baseUrl,
        ...credentials,
        clock,
        timeoutMs: 5_000,
        retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
      });
      return {
        ...client,
        getRefund: (id: string) => {
          getRefundCalls += 1;
          return client.getRefund(id);
        },
      };
    },
    random: () => 0.5,
  };
}

/** A CIP created at the sandbox (paid there unless `pay: false`) and our paid voucher for it. */
async function paidVoucher(db: Database, tenant: TenantRecord, opts: { pay?: boolean } = {}) {
  const transactionCode = `${Math.floor(Math.random() * 1e9)}`;
  const minor = 12_000;
  const created = await direct.createCip({
    currency: "PEN",
    amount: jsonDecimal(minor),
    transactionCode,
    adminEmail: "pagos@tienda.example.pe",
    dateExpiry: toLimaIso(new Date(clock.now().getTime() + 48 * 3_600_000)),
    paymentConcept: `Pedido #${transactionCode}`,
    userEmail: "rosa.quispe@example.pe",
    userCountry: "PERU",
  });
  if (opts.pay !== false) await control(`/_sandbox/cips/${created.cip}/pay`);
  const key = `pay_${randomUUID()}`;
  const { record } = await insertOrGetVoucher(db, {
    tenantId: tenant.id,
    platformPaymentId: key,
    idempotencyKey: key,
    requestFingerprint: "fp",
    transactionCode,
    amount: { minor, currency: "PEN" },
    status: "pending",
    expiresAt: new Date(clock.now().getTime() + 48 * 3_600_000),
  });
  return (await updateVoucher(
    db,
    record.id,
    { expectedStatus: "pending" },
    {
      status: "paid",
      cip: created.cip,
      paidAt: clock.now(),
      paidAmount: { minor, currency: "PEN" },
      paymentOperationNumber: "op-1",
    },
  ))!;
}

forEachDatabase("refunds against the sandbox", (t) => {
  let tenant: TenantRecord;
  beforeAll(async () => {
    tenant = await createTestTenant(t().db);
    await updateSettings(t().db, tenant.id, {
      creditNotePolicy: "series",
      creditNoteSeries: "F001",
    });
  });

  const refund = (voucher: { idempotencyKey: string }, minor: number) => ({
    tenantId: tenant.id,
    platformRefundId: `rs_${randomUUID()}`,
    voucher: { idempotencyKey: voucher.idempotencyKey },
    amount: { minor, currency: "PEN" as const },
    reason: "Cliente devolvió el producto",
  });

  it("submitted, completed at PagoEfectivo, found by polling → succeeded + refund.succeeded", async () => {
    const db = t().db;
    const ctx = makeContext(db);
    const voucher = await paidVoucher(db, tenant);
    const view = await requestRefund(ctx, refund(voucher, 12_000));
    expect(view.status).toBe("submitted");
    const row = (await getRefund(db, view.id))!;
    expect(row.peRefundId).toMatch(/^rf_/);
    // The sandbox holds our refund under our id as reference, with the allocated credit note.
    const listed = (await (await fetch(`${sandbox.url}/_sandbox/refunds`)).json()) as {
      data: { refundId: string; reference: string; invoiceNumber: string }[];
    };
    expect(listed.data.find((r) => r.refundId === row.peRefundId)).toMatchObject({
      reference: row.id,
      invoiceNumber: row.creditNoteNumber,
    });

    // Not yet due for polling.
    const calls = getRefundCalls;
    await runRefundPollingOnce(ctx);
    expect(getRefundCalls).toBe(calls);
    // Due, still pending at PagoEfectivo: polled, stays submitted, polled later again.
    clock.advance(REFUND_FIRST_POLL_MS);
    expect(await runRefundPollingOnce(ctx)).toMatchObject({ pending: 1 });
    expect((await getRefund(db, view.id))!.status).toBe("submitted");

    await control(`/_sandbox/refunds/${row.peRefundId}/complete`);
    clock.advance(24 * 3_600_000);
    expect(await runRefundPollingOnce(ctx)).toMatchObject({ completed: 1 });
    expect((await getRefund(db, view.id))!.status).toBe("succeeded");
    expect((await getVoucher(db, voucher.id))!.status).toBe("refunded");
    const outbox = await listOutbox(db, { aggregateId: voucher.id });
    expect(outbox.map((m) => m.kind)).toEqual(["refund.succeeded"]);
    // A succeeded refund is no longer polled.
    clock.advance(24 * 3_600_000);
    expect((await runRefundPollingOnce(ctx)).processed).toBe(0);
  });

  it("rejected at PagoEfectivo, found by polling → failed with the reason + refund.failed", async () => {
    const db = t().db;
    const ctx = makeContext(db);
    const voucher = await paidVoucher(db, tenant);
    const view = await requestRefund(ctx, refund(voucher, 5_000));
    const row = (await getRefund(db, view.id))!;
    await control(`/_sandbox/refunds/${row.peRefundId}/reject`, { reasonCode: "R07" });
    clock.advance(REFUND_FIRST_POLL_MS);
    expect(await runRefundPollingOnce(ctx)).toMatchObject({ rejected: 1 });
    const failed = (await getRefund(db, view.id))!;
    expect(failed).toMatchObject({ status: "failed", failureCode: "R07" });
    expect(failed.failureReason).toContain("R07");
    expect((await getVoucher(db, voucher.id))!.status).toBe("paid");
    const outbox = await listOutbox(db, { aggregateId: voucher.id });
    expect(outbox.map((m) => m.kind)).toEqual(["refund.failed"]);
  });

  it("PagoEfectivo refuses (CIP not paid there) → failed with PagoEfectivo's message", async () => {
    const db = t().db;
    const ctx = makeContext(db);
    const voucher = await paidVoucher(db, tenant, { pay: false });
    const view = await requestRefund(ctx, refund(voucher, 1_000));
    expect(view.status).toBe("failed");
    expect(view.failureReason).toContain("El CIP no está pagado.");
    const outbox = await listOutbox(db, { aggregateId: voucher.id });
    expect(outbox.map((m) => m.kind)).toEqual(["refund.failed"]);
  });
});
