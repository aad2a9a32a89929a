import { listOutbox, getVoucher, listVoucherCips, type Database } from "../src/index";
import { forEachDatabase } from "./support/databases";
import { outboxOf, startHarness, voucherCommand, type Harness } from "./vouchers-harness";
import { parsePublicToken } from "../src/vouchers/views";

forEachDatabase("vouchers: create", (t) => {
  let h: Harness;
  let db: Database;
  beforeAll(async () => {
    db = t().db;
    h = await startHarness(db);
  });
  afterAll(() => h.close());

  it("records the attempt, creates one CIP and enqueues voucher.pending", async () => {
    const cmd = voucherCommand(h.tenant.id);
    const view = await h.engine.createVoucher(cmd);
    expect(view.status).toBe("pending");
    expect(view.cip).toMatch(/^\d+$/);
    expect(view.cipUrl).toContain("/cip/");
    expect(view.amount).toEqual({ minor: 15050, currency: "PEN" });
    expect(view.platformReference).toBe(cmd.platformReference);
    expect(view.platformData).toEqual(cmd.platformData);
    // 48 h default validity, whole seconds.
    const hours = (view.expiresAt.getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(47.9);
    expect(hours).toBeLessThanOrEqual(48);
    expect(view.expiresAt.getMilliseconds()).toBe(0);
    expect((await outboxOf(db, view.id)).map((o) => o.kind)).toEqual(["voucher.pending"]);
    const stored = await getVoucher(db, view.id);
    expect(stored?.transactionCode).toMatch(/^T[0-9A-F]{24}$/);
    expect(stored?.nextPollAt).not.toBeNull();
  });

  it("is idempotent: the same key gives the same voucher and never a second CIP", async () => {
    const cmd = voucherCommand(h.tenant.id);
    const before = h.sandbox.sandbox.state.cips.size;
    const views = await Promise.all(Array.from({ length: 10 }, () => h.engine.createVoucher(cmd)));
    expect(new Set(views.map((v) => v.id)).size).toBe(1);
    expect(new Set(views.map((v) => v.cip)).size).toBe(1);
    expect(new Set(views.map((v) => v.publicToken)).size).toBe(1);
    expect(h.sandbox.sandbox.state.cips.size).toBe(before + 1);
    const again = await h.engine.createVoucher(cmd);
    expect(again.cip).toBe(views[0]!.cip);
    expect(await outboxOf(db, again.id)).toHaveLength(1);
  });

  it("refuses the same key with another amount (409) and bad input (400) without a row", async () => {
    const cmd = voucherCommand(h.tenant.id);
    await h.engine.createVoucher(cmd);
    await expect(
      h.engine.createVoucher({ ...cmd, amount: { minor: 100, currency: "PEN" } }),
    ).rejects.toMatchObject({ httpStatus: 409 });
    const bad = voucherCommand(h.tenant.id, {
      shopper: { email: "not-an-email" },
      amount: { minor: 0, currency: "PEN" },
    });
    await expect(h.engine.createVoucher(bad)).rejects.toMatchObject({
      httpStatus: 400,
      code: "validation_error",
    });
    const bad2 = voucherCommand(h.tenant.id, { shopper: { email: "nope" } });
    await expect(h.engine.createVoucher(bad2)).rejects.toMatchObject({ httpStatus: 400 });
    expect(await h.engine.getVoucherByIdempotencyKey(h.tenant.id, bad2.idempotencyKey)).toBeNull();
  });

  it("applies an adapter expiry cap (e.g. Shopify's 72 h) to the tenant's validity", async () => {
    await db.query("UPDATE tenant_settings SET validity_hours = 200 WHERE tenant_id = $1", [
      h.tenant.id,
    ]);
    try {
      const view = await h.engine.createVoucher({
        ...voucherCommand(h.tenant.id),
        expiryPolicy: { maxHours: 72 },
      });
      const hours = (view.expiresAt.getTime() - Date.now()) / 3_600_000;
      expect(hours).toBeGreaterThan(71.9);
      expect(hours).toBeLessThanOrEqual(72);
    } finally {
      await db.query("UPDATE tenant_settings SET validity_hours = 48 WHERE tenant_id = $1", [
        h.tenant.id,
      ]);
    }
  });

  it("finds the voucher by its unguessable public token, and nothing by a forged one", async () => {
    const view = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    expect(view.publicToken).toHaveLength(46);
    const parsed = parsePublicToken(view.publicToken)!;
    expect(parsed.voucherId).toBe(view.id);
    expect(Buffer.from(parsed.secret, "base64url").length * 8).toBeGreaterThanOrEqual(128);
    expect((await h.engine.getVoucherByPublicToken(view.publicToken))?.id).toBe(view.id);
    const forged = view.publicToken.slice(0, 22) + "A".repeat(24);
    expect(await h.engine.getVoucherByPublicToken(forged)).toBeNull();
    expect(await h.engine.getVoucherByPublicToken("short")).toBeNull();
    expect(await h.engine.getVoucherByPublicToken("../../etc/passwd".padEnd(46, "x"))).toBeNull();
  });

  it("keeps the voucher `created` when the outcome is unknown; a retry re-sends the same transactionCode", async () => {
    const cmd = voucherCommand(h.tenant.id);
    await h.control("PUT", "/_sandbox/faults", {
      api: { failNext: 3, errorStatus: 503, path: "/v1/cips" },
    });
    await expect(h.engine.createVoucher(cmd)).rejects.toMatchObject({
      code: "cip_creation_outcome_unknown",
      retryable: true,
    });
    await h.control("PUT", "/_sandbox/faults", {});
    const stuck = await h.engine.getVoucherByIdempotencyKey(h.tenant.id, cmd.idempotencyKey);
    expect(stuck?.status).toBe("created");
    const record = await getVoucher(db, stuck!.id);
    expect(record?.lastError).toMatch(/^outcome_unknown/);
    const view = await h.engine.createVoucher(cmd);
    expect(view.status).toBe("pending");
    const cip = h.sandbox.sandbox.state.cips.get(Number(view.cip))!;
    expect(cip.transactionCode).toBe(record!.transactionCode);
    expect(await listVoucherCips(db, view.id)).toEqual([view.cip]);
  });

  it("refuses a test order on a tenant with production credentials", async () => {
    await db.query("UPDATE tenants SET environment = 'production' WHERE id = $1", [h.tenant.id]);
    h.engine.invalidateTenant(h.tenant.id);
    try {
      await expect(h.engine.createVoucher(voucherCommand(h.tenant.id))).rejects.toMatchObject({
        httpStatus: 409,
      });
    } finally {
      await db.query("UPDATE tenants SET environment = 'sandbox' WHERE id = $1", [h.tenant.id]);
      h.engine.invalidateTenant(h.tenant.id);
    }
  });

  it("answers unknown tenants with 404 and checks the pending outbox payload", async () => {
    await expect(
      h.engine.createVoucher(voucherCommand("00000000-0000-4000-8000-000000000000")),
    ).rejects.toMatchObject({ httpStatus: 404 });
    const view = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    const [msg] = await listOutbox(db, { aggregateId: view.id });
    expect((msg!.payload as { voucher: { publicToken: string } }).voucher.publicToken).toBe(
      view.publicToken,
    );
  });
});
