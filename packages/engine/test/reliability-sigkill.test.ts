import { spawn } from "node:child_process";
import { join } from "node:path";
import { signNotification } from "../../core/src/index";
import { DEMO_MERCHANT } from "../../../apps/sandbox/src/index";
import { getVoucher, type CreateVoucherCommand } from "../src/index";
import { createTestDatabase, type TestDatabase } from "./support/databases";
import { outboxOf, startHarness, voucherCommand, type Harness } from "./vouchers-harness";

/**
 * A process killed with SIGKILL at each step of create / pay / expire, then a fresh run: the
 * flow completes, nothing is lost and nothing is doubled. PostgreSQL only (the child process
 * needs a database it can share with this one).
 */
describe("reliability: SIGKILL at each step [pg]", () => {
  let tdb: TestDatabase;
  let h: Harness;
  beforeAll(async () => {
    tdb = await createTestDatabase("pg");
    h = await startHarness(tdb.db, { engine: { waitForInFlightMs: 5_000 } });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await tdb?.drop();
  });

  function runChild(flow: string, killAt: string, payload: unknown): Promise<number | string> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", join(__dirname, "reliability-child.ts")],
        {
          env: {
            ...process.env,
            DATABASE_URL: tdb.url!,
            SANDBOX_URL: h.sandbox.url,
            FLOW: flow,
            KILL_AT: killAt,
            PAYLOAD: JSON.stringify(payload),
            OFFSET_MS: String(h.clock.offsetMs),
          },
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      let err = "";
      child.stderr.on("data", (d) => (err += String(d)));
      child.on("error", reject);
      child.on("exit", (code, signal) => {
        if (code === 2) reject(new Error(err));
        else resolve(signal ?? code ?? -1);
      });
    });
  }

  const cipsWithCode = (code: string) =>
    [...h.sandbox.sandbox.state.cips.values()].filter((c) => c.transactionCode === code);

  it.each(["create.recorded", "create.cip_created", "create.done"])(
    "create, killed at %s, then retried with the same key",
    async (step) => {
      const cmd: CreateVoucherCommand = voucherCommand(h.tenant.id);
      expect(await runChild("create", step, cmd)).toBe("SIGKILL");
      const view = await h.engine.createVoucher(cmd);
      expect(view.status).toBe("pending");
      const record = (await getVoucher(tdb.db, view.id))!;
      const { rows } = await tdb.db.query("SELECT id FROM vouchers WHERE idempotency_key = $1", [
        cmd.idempotencyKey,
      ]);
      expect(rows).toHaveLength(1);
      expect((await outboxOf(tdb.db, view.id)).map((o) => o.kind)).toEqual(["voucher.pending"]);
      // A kill after PagoEfectivo answered but before we stored it leaves one orphan CIP with
      // our transactionCode (documented in create-voucher.ts); otherwise exactly one CIP.
      const cips = cipsWithCode(record.transactionCode);
      expect(cips.length).toBe(step === "create.cip_created" ? 2 : 1);
      expect(cips.map((c) => String(c.cip))).toContain(view.cip);
      expect(await h.engine.createVoucher(cmd)).toMatchObject({ id: view.id, cip: view.cip });
    },
    60_000,
  );

  it.each(["pay.stored", "pay.applied"])(
    "pay, killed at %s, then PagoEfectivo redelivers",
    async (step) => {
      const view = await h.engine.createVoucher(voucherCommand(h.tenant.id));
      const body = `{"eventType":"cip.paid","operationNumber":"7${Date.now() % 1e6}","data":{"cip":${view.cip},"currency":"PEN","amount":150.50,"paymentDate":"2026-11-22T10:15:30-05:00","transactionCode":"x"}}`;
      const headers = { "pe-signature": signNotification(body, DEMO_MERCHANT.secretKey) };
      expect(
        await runChild("pay", step, { token: h.tenant.notificationToken, body, headers }),
      ).toBe("SIGKILL");
      h.advance(6_000); // PagoEfectivo's retry comes later
      const res = await h.engine.ingestNotification({
        notificationToken: h.tenant.notificationToken,
        rawBody: Buffer.from(body),
        headers,
      });
      expect(res.httpStatus).toBe(200);
      const v = (await getVoucher(tdb.db, view.id))!;
      expect(v.status).toBe("paid");
      const kinds = (await outboxOf(tdb.db, view.id)).map((o) => o.kind);
      expect(kinds).toEqual(["voucher.pending", "voucher.paid"]);
      const inbox = await tdb.db.query<{ processed_at: Date | null }>(
        "SELECT processed_at FROM notification_inbox WHERE cip = $1",
        [view.cip],
      );
      expect(inbox.rows).toHaveLength(1);
      expect(inbox.rows[0]!.processed_at).not.toBeNull();
    },
    60_000,
  );

  it.each(["expire.claimed", "expire.deleted", "expire.done"])(
    "expire, killed at %s, then the scheduler runs again",
    async (step) => {
      await tdb.db.query(
        "UPDATE vouchers SET status = 'expired' WHERE status IN ('created', 'pending')",
      );
      const view = await h.engine.createVoucher(voucherCommand(h.tenant.id));
      h.advance(49 * 3_600_000);
      const code = await runChild("expire", step, {});
      // Killed at "expire.done" only if there was work; the child always had one voucher.
      expect(code).toBe("SIGKILL");
      h.advance(1_000); // the dead child's 300 ms lease lapses
      await h.engine.runExpiryOnce();
      const v = (await getVoucher(tdb.db, view.id))!;
      expect(v.status).toBe("expired");
      expect(h.sandbox.sandbox.state.cips.get(Number(view.cip))!.state).toBe("removed");
      expect((await outboxOf(tdb.db, view.id)).map((o) => o.kind)).toEqual([
        "voucher.pending",
        "voucher.expired",
      ]);
    },
    60_000,
  );
});
