import { randomBytes, randomUUID } from "node:crypto";
import {
  getVoucher,
  insertOrGetVoucher,
  transitionVoucher,
  updateSettings,
  type Database,
  type TenantRecord,
} from "@pe-pay/engine";
import { createTestTenant, forEachDatabase } from "../../../packages/engine/test/support/databases";
import { recording as counting } from "../../../packages/engine/test/support/recording-db";
import { createVoucherMailer } from "../src/mail/voucher-mailer";
import { recordRedirectUrl } from "../src/storage/voucher-notes";
import { memoryTransport, type MailMessage, type MailTransport } from "../src/mail/transport";
import type { VoucherView } from "../src/engine-ports";
import { silentLogger } from "../src/ports";

const clock = { now: () => new Date() };

forEachDatabase("voucher e-mail", (t) => {
  let tenant: TenantRecord;
  beforeAll(async () => {
    tenant = await createTestTenant(t().db, { displayName: "Bodega Rosa" });
    await updateSettings(t().db, tenant.id, { enabledChannels: ["agents"] });
  });

  /** A pending voucher as the engine leaves it, and its view as the outbox delivers it. */
  async function pendingVoucher(
    over: { email?: string | null; firstName?: string | null } = {},
  ): Promise<VoucherView> {
    const key = `s-${randomBytes(6).toString("hex")}`;
    const { record } = await insertOrGetVoucher(t().db, {
      tenantId: tenant.id,
      platformPaymentId: key,
      idempotencyKey: key,
      requestFingerprint: "fp",
      transactionCode: `T${randomBytes(12).toString("hex").toUpperCase()}`,
      amount: { minor: 14_990, currency: "PEN" },
      status: "created",
      expiresAt: new Date(Date.now() + 24 * 3_600_000),
      shopperEmail: over.email === undefined ? "rosa.quispe@example.pe" : over.email,
      shopperFirstName: over.firstName === undefined ? "Lucía" : over.firstName,
      platformData: { platform: { gid: `gid://shopify/PaymentSession/${key}` } },
    });
    const cip = String(Math.floor(10_000_000 + Math.random() * 89_999_999));
    const pending = (await transitionVoucher(t().db, record.id, "created", "pending", { cip }))!;
    return {
      id: pending.id,
      tenantId: pending.tenantId,
      status: "pending",
      cip,
      cipUrl: null,
      amount: pending.amount,
      expiresAt: pending.expiresAt,
      paidAt: null,
      publicToken: `${randomUUID().replace(/-/g, "")}${randomBytes(7).toString("hex")}`,
      platformReference: `gid://shopify/PaymentSession/${key}`,
      platformData: { customerLocale: "es-PE" },
    };
  }

  function mailer(db: Database, transport: MailTransport = memoryTransport()) {
    return createVoucherMailer({
      db,
      clock,
      appUrl: "https://pay.pe-pay.test",
      transport,
      logger: silentLogger,
    });
  }
  const sent = (transport: MailTransport) =>
    (transport as MailTransport & { messages: MailMessage[] }).messages;

  it("sends once, in one statement, with the shop, channels and shopper from that statement", async () => {
    const voucher = await pendingVoucher();
    const transport = memoryTransport();
    const rec = counting(t().db);
    expect(await mailer(rec.db, transport)(voucher)).toBe(true);
    expect(rec.sql).toHaveLength(1);
    const [mail] = sent(transport);
    expect(mail!.to).toBe("rosa.quispe@example.pe");
    expect(mail!.html).toContain(voucher.cip!);
    expect(mail!.html).toContain("Bodega Rosa");
    expect(mail!.html).toContain("Lucía");
    // Only the channel groups the shop enabled (agents, not online banking).
    expect(mail!.html).toContain("Western Union");
    expect(mail!.html).not.toMatch(/app o web de tu banco:/);
    // A redelivery of voucher.pending (this instance or another) sends nothing.
    expect(await mailer(t().db, transport)(voucher)).toBe(false);
    expect(sent(transport)).toHaveLength(1);
    const stored = await getVoucher(t().db, voucher.id);
    expect((stored!.platformData.platform as Record<string, unknown>).emailSentAt).toEqual(
      expect.any(String),
    );
  });

  it("deliveries racing for the same voucher on separate instances send one e-mail", async () => {
    const voucher = await pendingVoucher();
    const transport = memoryTransport();
    // Each its own database handle, as on separate instances: the claims are separate statements.
    const results = await Promise.all(
      Array.from({ length: 5 }, () => mailer(counting(t().db).db, transport)(voucher)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(sent(transport)).toHaveLength(1);
  });

  it("e-mails of several vouchers delivered together are claimed by one statement", async () => {
    const vouchers = [await pendingVoucher(), await pendingVoucher(), await pendingVoucher()];
    const transport = memoryTransport();
    const rec = counting(t().db);
    const send = mailer(rec.db, transport);
    expect(await Promise.all([...vouchers, vouchers[0]!].map((v) => send(v)))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(rec.sql).toHaveLength(1);
    expect(sent(transport).map((m) => m.html.includes(vouchers[1]!.cip!))).toEqual([
      false,
      true,
      false,
    ]);
  });

  it("no address (or a blank one): nothing sent, nothing claimed", async () => {
    for (const email of [null, "", "   "]) {
      const voucher = await pendingVoucher({ email });
      const transport = memoryTransport();
      expect(await mailer(t().db, transport)(voucher)).toBe(false);
      expect(sent(transport)).toHaveLength(0);
      const stored = await getVoucher(t().db, voucher.id);
      expect(stored!.platformData.platform).not.toHaveProperty("emailSentAt");
    }
  });

  it("a voucher no longer pending in storage is not mailed", async () => {
    const voucher = await pendingVoucher();
    await transitionVoucher(t().db, voucher.id, "pending", "paid", { paidAt: new Date() });
    const transport = memoryTransport();
    expect(await mailer(t().db, transport)(voucher)).toBe(false);
    expect(sent(transport)).toHaveLength(0);
  });

  it("redirect URLs learned together are recorded by one statement, keeping other keys", async () => {
    const [a, b] = [await pendingVoucher(), await pendingVoucher()];
    expect(await mailer(t().db)(a)).toBe(true); // sets platform.emailSentAt on a
    const rec = counting(t().db);
    await Promise.all([
      recordRedirectUrl(rec.db, a.id, "https://shop.example/thank-you/a1"),
      recordRedirectUrl(rec.db, b.id, "https://shop.example/thank-you/b"),
      recordRedirectUrl(rec.db, a.id, "https://shop.example/thank-you/a2"),
    ]);
    expect(rec.sql).toHaveLength(1);
    const platform = async (id: string) =>
      (await getVoucher(t().db, id))!.platformData.platform as Record<string, unknown>;
    expect(await platform(a.id)).toMatchObject({
      redirectUrl: "https://shop.example/thank-you/a2",
      emailSentAt: expect.any(String),
    });
    expect(await platform(b.id)).toMatchObject({ redirectUrl: "https://shop.example/thank-you/b" });
    // Alone, a call is its own statement and waits for nothing else.
    await recordRedirectUrl(rec.db, b.id, "https://shop.example/thank-you/b2");
    expect(rec.sql).toHaveLength(2);
    expect((await platform(b.id)).redirectUrl).toBe("https://shop.example/thank-you/b2");
  });

  it("a failed send gives the claim back, so a redelivery mails it", async () => {
    const voucher = await pendingVoucher({ firstName: null });
    const failing: MailTransport = {
      kind: "memory",
      send: () => Promise.reject(new Error("SMTP down")),
    };
    expect(await mailer(t().db, failing)(voucher)).toBe(false);
    const transport = memoryTransport();
    expect(await mailer(t().db, transport)(voucher)).toBe(true);
    expect(sent(transport)).toHaveLength(1);
  });
});
