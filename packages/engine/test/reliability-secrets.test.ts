import { signNotification } from "../../core/src/index";
import { DEMO_MERCHANT } from "../../../apps/sandbox/src/index";
import type { Database } from "../src/index";
import { createTestTenant, forEachDatabase } from "./support/databases";
import { eventually, startHarness, voucherCommand, type Harness } from "./vouchers-harness";

const PLATFORM_TOKEN = "shpat_0123456789abcdef0123456789abcdef";

/** Logs and a dump of every table after a full flow contain no secret, token or credential. */
forEachDatabase("reliability: no secrets in logs or dumps", (t) => {
  let h: Harness;
  let db: Database;
  beforeAll(async () => {
    db = t().db;
    const tenant = await createTestTenant(db, {
      peCredentials: {
        accessKey: DEMO_MERCHANT.accessKey,
        secretKey: DEMO_MERCHANT.secretKey,
        idService: DEMO_MERCHANT.idService,
      },
      platformCredentials: { kind: "shopify", accessToken: PLATFORM_TOKEN },
    });
    h = await startHarness(db, { tenant, audit: true });
  });
  afterAll(() => h.close());

  it("after create, pay, a forged notification, expiry and cancel", async () => {
    const paid = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    await h.control("POST", `/_sandbox/cips/${paid.cip}/pay`, {});
    await eventually(
      async () => (await h.engine.getVoucherByPublicToken(paid.publicToken))?.status === "paid",
    );
    const body = `{"eventType":"cip.paid","operationNumber":"1","data":{"cip":${paid.cip},"currency":"PEN","amount":150.50}}`;
    await h.engine.ingestNotification({
      notificationToken: h.tenant.notificationToken,
      rawBody: Buffer.from(body),
      headers: {
        "pe-signature": signNotification(body, "wrong-secret-wrong-secret"),
        authorization: "Bearer leak-me",
      },
    });
    const cancelled = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    await h.engine.cancelVoucher({
      tenantId: h.tenant.id,
      voucherId: cancelled.id,
      reason: "admin_cancelled",
    });
    await h.engine.createVoucher(voucherCommand(h.tenant.id));
    h.advance(49 * 3_600_000);
    await h.engine.runExpiryOnce();
    await new Promise((r) => setTimeout(r, 100)); // audit inserts are fire-and-forget

    const { rows: tables } = await db.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
    );
    let dump = "";
    for (const { tablename } of tables) {
      const { rows } = await db.query(`SELECT * FROM ${tablename}`);
      dump += JSON.stringify(rows, (_k, v) =>
        v && typeof v === "object" && v.type === "Buffer"
          ? Buffer.from(v.data).toString("latin1")
          : v,
      );
    }
    const auditRows = await db.query("SELECT count(*)::int AS n FROM audit_log");
    expect((auditRows.rows[0] as { n: number }).n).toBeGreaterThan(0);
    const peTokens = [...h.sandbox.sandbox.state.tokens.keys()];
    expect(peTokens.length).toBeGreaterThan(0);
    const secrets = [
      DEMO_MERCHANT.secretKey,
      DEMO_MERCHANT.accessKey,
      PLATFORM_TOKEN,
      "leak-me",
      ...peTokens,
    ];
    const logs = h.logs.text();
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(dump.includes(secret)).toBe(false);
      expect(logs.includes(secret)).toBe(false);
    }
    // Shopper personal data stays out of the logs too.
    expect(logs.includes("rosa.quispe@example.pe")).toBe(false);
  });
});
