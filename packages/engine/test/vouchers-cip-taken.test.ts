import { DEMO_MERCHANT } from "../../../apps/sandbox/src/index";
import {
  addVoucherCip,
  getVoucher,
  listVoucherCips,
  type Database,
  type StepHook,
} from "../src/index";
import { insertClaimedVoucher } from "../src/db/voucher-and-settings";
import { markVouchersPendingOrTaken } from "../src/db/vouchers";
import { CipNumberTakenError } from "../src/vouchers/cip-number-taken";
import { createTestTenant, forEachDatabase } from "./support/databases";
import {
  eventually,
  outboxOf,
  startHarness,
  voucherCommand,
  type Harness,
} from "./vouchers-harness";

/**
 * CIP numbers are unique per PagoEfectivo environment only: a store that moved from sandbox to
 * production, or a restarted local sandbox, can be handed a number one of its vouchers already
 * holds. Reproduced by resetting the sandbox, whose CIP counter then starts over.
 */
forEachDatabase("vouchers: a CIP number the store already holds", (t) => {
  let h: Harness;
  let db: Database;
  let onStep: StepHook | undefined;
  beforeAll(async () => {
    db = t().db;
    h = await startHarness(db, { engine: { hook: (step) => onStep?.(step) } });
  });
  afterAll(() => h.close());

  /**
   * The sandbox forgets everything and numbers CIPs from its first number again (or from
   * `nextCip`, as a sandbox started with that `firstCip` would).
   */
  async function restartSandbox(nextCip?: number): Promise<void> {
    expect((await h.control("POST", "/_sandbox/reset")).status).toBe(200);
    if (nextCip !== undefined) h.sandbox.sandbox.state.nextCip = nextCip;
    await h.control("PUT", `/_sandbox/merchants/${DEMO_MERCHANT.idService}`, {
      notificationUrl: h.notifyUrl,
    });
  }

  const sandboxCip = (cip: string) => h.sandbox.sandbox.state.cips.get(Number(cip));

  it("answers a retryable typed error, deletes the new CIP, and a retry of the key gets a fresh one", async () => {
    await restartSandbox();
    const old = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    expect(old.status).toBe("pending");
    await restartSandbox();

    const cmd = voucherCommand(h.tenant.id);
    const err = await h.engine.createVoucher(cmd).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CipNumberTakenError);
    expect(err).toMatchObject({
      code: "cip_number_taken",
      retryable: true,
      httpStatus: 503,
      cip: old.cip,
      deleted: true,
    });
    const taken = err as CipNumberTakenError;
    expect(taken.shopperMessage.es).toContain("Inténtalo de nuevo");
    expect(taken.merchantMessage).toContain(h.tenant.id);
    expect(taken.merchantMessage).toContain(old.cip!);
    expect(taken.merchantMessage).not.toContain(cmd.shopper.email);
    expect(JSON.stringify(taken.toJSON())).not.toContain(cmd.shopper.email);

    // The CIP PagoEfectivo issued for the new voucher is gone there (nobody could map it back).
    expect(sandboxCip(old.cip!)?.state).toBe("removed");
    // The old voucher is untouched and still the only owner of its number.
    expect(await getVoucher(db, old.id)).toMatchObject({ status: "pending", cip: old.cip });
    expect(await listVoucherCips(db, old.id)).toEqual([old.cip]);
    // The new voucher is left `created`, free for a retry, with nothing enqueued.
    const left = await h.engine.getVoucherByIdempotencyKey(h.tenant.id, cmd.idempotencyKey);
    const row = (await getVoucher(db, left!.id))!;
    expect(row).toMatchObject({
      status: "created",
      cip: null,
      expiryLeaseUntil: null,
      lastError: `cip_taken:${old.cip}`,
    });
    expect(sandboxCip(old.cip!)?.transactionCode).toBe(row.transactionCode);
    expect(await listVoucherCips(db, row.id)).toEqual([]);
    expect(await outboxOf(db, row.id)).toEqual([]);
    expect(h.logs.text()).toContain("CIP number already held by another voucher");
    expect(h.logs.text()).not.toContain(cmd.shopper.email);

    // The same request again: the same voucher, a new number, pending.
    const retried = await h.engine.createVoucher(cmd);
    expect(retried).toMatchObject({ id: row.id, status: "pending" });
    expect(retried.cip).not.toBe(old.cip);
    expect(sandboxCip(retried.cip!)).toMatchObject({
      state: "generated",
      transactionCode: row.transactionCode,
    });
    expect(await listVoucherCips(db, row.id)).toEqual([retried.cip]);
    expect((await outboxOf(db, row.id)).map((o) => o.kind)).toEqual(["voucher.pending"]);

    // Its payment reaches it, not the old voucher.
    await h.control("POST", `/_sandbox/cips/${retried.cip}/pay`, {});
    await eventually(async () => (await getVoucher(db, row.id))?.status === "paid");
    expect((await getVoucher(db, old.id))!.status).toBe("pending");
  });

  it("keeps the voucher retryable and says so when the delete at PagoEfectivo fails", async () => {
    const old = await h.engine.createVoucher(voucherCommand(h.tenant.id));
    await restartSandbox(Number(old.cip));
    const cmd = voucherCommand(h.tenant.id);
    // Every call after the CIP came back fails, the delete included.
    onStep = async (step) => {
      if (step === "create.cip_created") {
        await h.control("PUT", "/_sandbox/faults", { api: { errorRate: 1, path: "/v1/cips" } });
      }
    };
    try {
      await expect(h.engine.createVoucher(cmd)).rejects.toMatchObject({
        code: "cip_number_taken",
        retryable: true,
        cip: old.cip,
        deleted: false,
      });
    } finally {
      onStep = undefined;
      await h.control("PUT", "/_sandbox/faults", {});
    }
    expect(sandboxCip(old.cip!)?.state).toBe("generated");
    expect(h.logs.text()).toContain("deleting the new CIP failed");
    const left = (await h.engine.getVoucherByIdempotencyKey(h.tenant.id, cmd.idempotencyKey))!;
    expect(await getVoucher(db, left.id)).toMatchObject({ status: "created", cip: null });
    expect(await getVoucher(db, old.id)).toMatchObject({ status: "pending", cip: old.cip });

    const retried = await h.engine.createVoucher(cmd);
    expect(retried).toMatchObject({ id: left.id, status: "pending" });
    expect(retried.cip).not.toBe(old.cip);
  });

  it("two vouchers handed the same new number at once: one gets it, the other a typed error", async () => {
    const p = voucherCommand(h.tenant.id);
    const q = voucherCommand(h.tenant.id);
    let qReached!: () => void;
    const qAtHook = new Promise<void>((r) => (qReached = r));
    let second: Promise<unknown> | undefined;
    // p's CIP is back; q is created now and handed the same number (a counter that went back
    // one), and both finish together.
    onStep = async (step) => {
      if (step !== "create.cip_created") return;
      if (second) return qReached();
      h.sandbox.sandbox.state.nextCip -= 1;
      second = h.engine.createVoucher(q).catch((e: unknown) => e);
      await qAtHook;
    };
    let outcomes: unknown[];
    try {
      const first = await h.engine.createVoucher(p).catch((e: unknown) => e);
      outcomes = [first, await second];
    } finally {
      onStep = undefined;
    }
    const errors = outcomes.filter((o) => o instanceof CipNumberTakenError);
    const views = outcomes.filter((o) => !(o instanceof Error)) as { id: string; cip: string }[];
    expect(errors).toHaveLength(1);
    expect(views).toHaveLength(1);
    expect(errors[0]).toMatchObject({ cip: views[0]!.cip, retryable: true });
    const loser = (await h.engine.getVoucherByIdempotencyKey(
      h.tenant.id,
      views[0]!.id ===
        (await h.engine.getVoucherByIdempotencyKey(h.tenant.id, p.idempotencyKey))!.id
        ? q.idempotencyKey
        : p.idempotencyKey,
    ))!;
    expect(await getVoucher(db, loser.id)).toMatchObject({ status: "created", cip: null });
    expect(await listVoucherCips(db, loser.id)).toEqual([]);
    expect(await listVoucherCips(db, views[0]!.id)).toEqual([views[0]!.cip]);
  });
});

forEachDatabase("markVouchersPendingOrTaken", (t) => {
  async function createdVouchers(db: Database, tenantId: string, keys: string[]) {
    const ids: string[] = [];
    for (const key of keys) {
      const out = await insertClaimedVoucher(
        db,
        {
          tenantId,
          platformPaymentId: key,
          idempotencyKey: key,
          requestFingerprint: "fp",
          transactionCode: `T${key.toUpperCase()}${tenantId.slice(0, 8)}`,
          amount: { minor: 1000, currency: "PEN" },
          status: "created",
          expiresAt: new Date(Date.now() + 3_600_000),
          expiryLeaseUntil: new Date(Date.now() + 60_000),
        },
        48,
      );
      if (out.kind !== "inserted") throw new Error(out.kind);
      ids.push(out.voucher.id);
    }
    return ids;
  }
  const nextPollAt = new Date(Date.now() + 600_000);
  const message = (id: string) => ({
    kind: "voucher.pending",
    dedupeKey: `voucher.pending:${id}`,
    payload: { voucher: { id } },
  });

  it("refuses a number another voucher holds, current or only recorded, and moves the rest", async () => {
    const { db } = t();
    const tenant = await createTestTenant(db);
    const other = await createTestTenant(db);
    const [a, b, c, d] = await createdVouchers(db, tenant.id, ["ta", "tb", "tc", "td"]);
    const [x] = await createdVouchers(db, other.id, ["tx"]);
    // a holds 7200001 as its current CIP and 7200002 as an extra one (a retried create).
    await markVouchersPendingOrTaken(db, [
      { voucherId: a!, cip: "7200001", cipUrl: null, nextPollAt },
    ]);
    await addVoucherCip(db, tenant.id, a!, "7200002");

    const out = await markVouchersPendingOrTaken(db, [
      { voucherId: b!, cip: "7200001", cipUrl: null, nextPollAt, message: message(b!) },
      { voucherId: c!, cip: "7200002", cipUrl: null, nextPollAt, message: message(c!) },
      { voucherId: d!, cip: "7200003", cipUrl: null, nextPollAt, message: message(d!) },
      // Another tenant's voucher may carry the same number.
      { voucherId: x!, cip: "7200001", cipUrl: null, nextPollAt, message: message(x!) },
    ]);
    expect(out.moved.map((v) => v.id).sort()).toEqual([d, x].sort());
    expect(out.taken.sort((p, q) => p.cip.localeCompare(q.cip))).toEqual([
      { voucherId: b, cip: "7200001" },
      { voucherId: c, cip: "7200002" },
    ]);
    for (const id of [b!, c!]) {
      expect(await getVoucher(db, id)).toMatchObject({ status: "created", cip: null, version: 0 });
      expect(await listVoucherCips(db, id)).toEqual([]);
      expect(await outboxOf(db, id)).toEqual([]);
    }
    expect(await listVoucherCips(db, a!)).toEqual(["7200001", "7200002"]);
    expect(await listVoucherCips(db, x!)).toEqual(["7200001"]);
    expect((await outboxOf(db, d!)).map((o) => o.kind)).toEqual(["voucher.pending"]);
  });

  it("one statement handing the same new number to two vouchers fails as a whole", async () => {
    const { db } = t();
    const tenant = await createTestTenant(db);
    const [a, b] = await createdVouchers(db, tenant.id, ["ua", "ub"]);
    await expect(
      markVouchersPendingOrTaken(db, [
        { voucherId: a!, cip: "7300001", cipUrl: null, nextPollAt, message: message(a!) },
        { voucherId: b!, cip: "7300001", cipUrl: null, nextPollAt, message: message(b!) },
      ]),
    ).rejects.toMatchObject({ code: "23505" });
    for (const id of [a!, b!]) {
      expect(await getVoucher(db, id)).toMatchObject({ status: "created", cip: null });
      expect(await listVoucherCips(db, id)).toEqual([]);
      expect(await outboxOf(db, id)).toEqual([]);
    }
    // Each on its own (what createVoucher's finisher falls back to): the first wins.
    const first = await markVouchersPendingOrTaken(db, [
      { voucherId: a!, cip: "7300001", cipUrl: null, nextPollAt },
    ]);
    expect(first.moved.map((v) => v.id)).toEqual([a]);
    const second = await markVouchersPendingOrTaken(db, [
      { voucherId: b!, cip: "7300001", cipUrl: null, nextPollAt },
    ]);
    expect(second).toEqual({ moved: [], taken: [{ voucherId: b, cip: "7300001" }] });
  });
});
