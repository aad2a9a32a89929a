/**
 * @pe-pay/core's PagoEfectivo client against the real sandbox over HTTP on loopback: every
 * method, plus the sandbox's fault injection for the retry and "outcome unknown" paths. It lives
 * here, not in packages/core, because the sandbox depends on core (a core test importing the
 * sandbox made a workspace dependency cycle).
 */
import {
  fixedClock,
  toLimaIso,
  AppError,
  jsonDecimal,
  CipCreationOutcomeUnknownError,
  PagoEfectivoConflictError,
  PagoEfectivoNotFoundError,
  PagoEfectivoValidationError,
  createPagoEfectivoClient,
  type PagoEfectivoAuditEntry,
  type PagoEfectivoClient,
} from "@pe-pay/core";
import { startSandbox, type RunningSandbox } from "../src";
import { DEMO, T0 } from "./helpers";

let running: RunningSandbox;
let client: PagoEfectivoClient;
const clock = fixedClock(T0);
const audits: PagoEfectivoAuditEntry[] = [];
const sleeps: number[] = [];

async function control(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${running.url}${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as { data?: unknown };
  if (!res.ok) throw new Error(`control ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

const cipBody = (transactionCode: string, minor = 15050) => ({
  currency: "PEN",
  amount: jsonDecimal(minor),
  transactionCode,
  adminEmail: "pagos@tienda.example.pe",
  dateExpiry: toLimaIso(new Date(clock.now().getTime() + 48 * 3600_000)),
  paymentConcept: `Pedido #${transactionCode}`,
  userEmail: "rosa.quispe@example.pe",
  userName: "Rosa",
  userLastName: "Quispe",
  userDocumentType: "DNI",
  userDocumentNumber: "45879632",
  userCodeCountry: "+51",
  userPhone: "987654321",
});

beforeAll(async () => {
  running = await startSandbox({ port: 0, clock, expirySweepMs: 0 });
  client = createPagoEfectivoClient({
    baseUrl: running.url,
    ...DEMO,
    clock,
    timeoutMs: 5_000,
    retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    onAudit: (e) => audits.push(e),
  });
});
afterAll(async () => {
  await running?.close();
});
afterEach(async () => {
  await control("PUT", "/_sandbox/faults", {});
});

describe("PagoEfectivo client ↔ sandbox", () => {
  let paidCip = "";

  it("creates, finds and gets paid: createCip, searchCips", async () => {
    const created = await client.createCip(cipBody("sbx-1001"));
    expect(created.cip).toMatch(/^\d+$/);
    expect(created).toMatchObject({
      transactionCode: "sbx-1001",
      amount: { minor: 15050, currency: "PEN" },
      dateExpiry: new Date(clock.now().getTime() + 48 * 3600_000),
    });
    expect(created.cipUrl).toMatch(/^https?:\/\//);

    const [pending] = await client.searchCips([created.cip]);
    expect(pending).toMatchObject({
      cip: created.cip,
      transactionCode: "sbx-1001",
      amount: { minor: 15050, currency: "PEN" },
      datePayment: null,
      dateRemoval: null,
    });
    expect(pending!.status).not.toBe(23);

    await control("POST", `/_sandbox/cips/${created.cip}/pay`, { channel: "BCP-agente" });
    const [paid] = await client.searchCips([created.cip]);
    expect(paid!.status).toBe(23);
    expect(paid!.datePayment).toEqual(clock.now());
    paidCip = created.cip;
  });

  it("reports PagoEfectivo's field list for an invalid CIP request", async () => {
    const error = await client
      .createCip({ ...cipBody("sbx-bad"), userEmail: "no-es-un-email" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagoEfectivoValidationError);
    expect((error as PagoEfectivoValidationError).issues.map((i) => i.field)).toContain(
      "userEmail",
    );
  });

  it("extends and deletes an unpaid CIP; refuses to delete a paid one", async () => {
    const { cip } = await client.createCip(cipBody("sbx-1002", 1850));
    const newExpiry = new Date(clock.now().getTime() + 72 * 3600_000);
    const extended = await client.extendCip(cip, newExpiry);
    expect(extended.cip?.dateExpiry).toEqual(newExpiry);
    const [afterExtend] = await client.searchCips([cip]);
    expect(afterExtend!.dateExpiry).toEqual(newExpiry);

    const deleted = await client.deleteCip(cip);
    expect(deleted.cip?.cip).toBe(cip);
    const [afterDelete] = await client.searchCips([cip]);
    expect(afterDelete!.dateRemoval).toEqual(clock.now());

    const refused = await client.deleteCip(paidCip).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).retryable).toBe(false);
  });

  it("refunds with a signature the sandbox accepts, idempotently by reference", async () => {
    const input = {
      transactionId: paidCip,
      amount: { minor: 5000, currency: "PEN" as const },
      reason: "Producto devuelto",
      reference: "sbx-refund-1",
      invoiceNumber: "FC01-00000123",
    };
    const refund = await client.createRefund(input);
    expect(refund).toMatchObject({
      transactionId: paidCip,
      amount: { minor: 5000, currency: "PEN" },
      reference: "sbx-refund-1",
      status: "pending",
      processedDate: null,
    });
    const again = await client.createRefund(input);
    expect(again.refundId).toBe(refund.refundId);

    const conflict = await client
      .createRefund({ ...input, amount: { minor: 6000, currency: "PEN" } })
      .catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(PagoEfectivoConflictError);

    await control("POST", `/_sandbox/refunds/${refund.refundId}/complete`, {});
    const completed = await client.getRefund(refund.refundId);
    expect(completed).toMatchObject({ refundId: refund.refundId, status: "completed" });
    expect(completed.processedDate).toEqual(clock.now());

    await expect(client.getRefund("rf_does_not_exist")).rejects.toBeInstanceOf(
      PagoEfectivoNotFoundError,
    );
  });

  it("reads the day's settlement as JSON and as CSV, with the same items", async () => {
    const settlement = await client.getSettlement(clock.now());
    expect(settlement).toMatchObject({ date: "2026-11-22", currency: "PEN" });
    const payment = settlement.items.find((i) => i.type === "payment" && i.cip === paidCip);
    const refund = settlement.items.find((i) => i.type === "refund" && i.cip === paidCip);
    expect(payment).toMatchObject({ amountMinor: 15050, channel: "BCP-agente" });
    expect(refund).toMatchObject({ amountMinor: 5000, netMinor: -5000 });
    expect(settlement.grossMinor).toBe(15050);
    expect(settlement.refundMinor).toBe(5000);
    expect(settlement.netMinor).toBe(settlement.items.reduce((s, i) => s + (i.netMinor ?? 0), 0));

    const csv = await client.getSettlementCsv(settlement.settlementId);
    expect(csv.items).toEqual(settlement.items);
    expect(csv.rows).toHaveLength(settlement.items.length);
    expect(csv.text.split(/\r?\n/)[0]).toBe(csv.columns.join(","));

    await expect(client.getSettlementCsv("STL-9999-20261122-PEN")).rejects.toBeInstanceOf(
      PagoEfectivoNotFoundError,
    );
  });

  it("retries a 503 injected by the sandbox on an idempotent call", async () => {
    await client.searchCips([paidCip]); // token cached, so the faults hit the search itself
    sleeps.length = 0;
    // No `path` filter: the sandbox compares it with the router-relative path (see report).
    await control("PUT", "/_sandbox/faults", { api: { failNext: 2, errorStatus: 503 } });
    const [item] = await client.searchCips([paidCip]);
    expect(item!.status).toBe(23);
    expect(sleeps).toHaveLength(2);
  });

  it("does not resend createCip after an injected 500: outcome unknown", async () => {
    await client.searchCips([paidCip]);
    await control("PUT", "/_sandbox/faults", { api: { failNext: 1, errorStatus: 500 } });
    const error = await client.createCip(cipBody("sbx-1003")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CipCreationOutcomeUnknownError);
    expect((error as CipCreationOutcomeUnknownError).transactionCode).toBe("sbx-1003");
    expect(audits.filter((a) => a.path === "/v1/cips").at(-1)).toMatchObject({ status: 500 });
  });

  it("re-authorizes transparently when the sandbox forgets every token", async () => {
    const authsBefore = audits.filter((a) => a.path === "/v1/authorizations").length;
    await control("POST", "/_sandbox/reset", {});
    await expect(client.searchCips([paidCip])).resolves.toBeDefined();
    const auths = audits.filter((a) => a.path === "/v1/authorizations").length;
    expect(auths).toBe(authsBefore + 1);
    const statuses = audits.slice(-3).map((a) => [a.path, a.status]);
    expect(statuses).toEqual([
      ["/v1/cips/search", 401],
      ["/v1/authorizations", 201],
      ["/v1/cips/search", 200],
    ]);
  });

  it("never wrote a secret or a shopper's personal data into the audit trail", () => {
    const text = JSON.stringify(audits);
    expect(text).not.toContain(DEMO.secretKey);
    expect(text).not.toContain(DEMO.accessKey);
    expect(text).not.toContain("rosa.quispe@example.pe");
    expect(text).not.toContain("45879632");
    expect(text).not.toContain("987654321");
  });
});
