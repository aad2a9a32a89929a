/**
 * Nudged outbox rounds (PGlite and PostgreSQL): a round runs another one only when its claim saw
 * something for it (a delivered message's voucher had a later pending message, or the batch was
 * full), so a quiet system pays one claim per nudge, while a voucher.paid queued behind a
 * voucher.pending still goes out right after it, without waiting for a polling round.
 * Figures are statement counts, never times.
 */
import { fixedClock } from "@pe-pay/core";
import {
  createOutboxDispatcher,
  enqueueOutbox,
  listOutbox,
  nudger,
  type Database,
  type DispatchResult,
  type DispatcherOptions,
  type TenantRecord,
} from "../src/index";
import type { DeliveryOutcome, OutboxMessage, PlatformDeliverer } from "../src/ports";
import { createTestTenant, forEachDatabase } from "./support/databases";
import { testEngineContext, pendingVoucher } from "./support/engine";

const clock = fixedClock(new Date());

function counting(db: Database) {
  const claims: string[] = [];
  const wrapped: Database = {
    ...db,
    kind: db.kind,
    inTransaction: false,
    query(text, params) {
      if (/WITH due AS/.test(text)) claims.push(text);
      return db.query(text, params);
    },
  };
  return { db: wrapped, claims };
}

async function enqueue(db: Database, tenantId: string, voucherId: string, kind: string) {
  await db.transaction((tx) =>
    enqueueOutbox(tx, {
      tenantId,
      aggregateId: voucherId,
      kind,
      payload: {},
      availableAt: clock.now(),
    }),
  );
}

/**
 * The app wiring's nudged loop (runtime/background.ts: another round while `more`), with the
 * rounds it ran; resolves once the loop stops by itself (no timer: the dispatcher is not
 * started, so nothing but the nudge delivers).
 */
async function nudgedRounds(
  db: Database,
  script: (m: OutboxMessage) => DeliveryOutcome = () => ({ status: "delivered" }),
  opts: DispatcherOptions = {},
) {
  const delivered: OutboxMessage[] = [];
  const deliverer: PlatformDeliverer = {
    platform: "shopify",
    async deliver(message) {
      const outcome = script(message);
      if (outcome.status === "delivered") delivered.push(message);
      return outcome;
    },
  };
  const dispatcher = createOutboxDispatcher(testEngineContext(db, { clock }), [deliverer], opts);
  const rounds: DispatchResult[] = [];
  let idle!: () => void;
  const stopped = new Promise<void>((r) => (idle = r));
  const errors: unknown[] = [];
  const n = nudger(
    async () => {
      const r = await dispatcher.runOnce();
      rounds.push(r);
      if (!r.more) idle();
      return r.more;
    },
    (e) => {
      errors.push(e);
      idle();
    },
  );
  n.nudge();
  await stopped;
  await n.close();
  expect(errors).toEqual([]);
  return { rounds, delivered };
}

forEachDatabase("nudged outbox rounds", (t) => {
  let tenant: TenantRecord;
  beforeEach(async () => {
    tenant = await createTestTenant(t().db, {
      platformCredentials: { kind: "shopify", accessToken: "shpat_test" },
    });
  });

  it("one message: one round, one claim (no empty round after it)", async () => {
    const { db, claims } = counting(t().db);
    const v = await pendingVoucher(db, tenant);
    await enqueue(db, tenant.id, v.id, "voucher.pending");
    const { rounds, delivered } = await nudgedRounds(db);
    expect(delivered.map((m) => m.kind)).toEqual(["voucher.pending"]);
    expect(rounds).toEqual([{ delivered: 1, retried: 0, dead: 0, more: false }]);
    expect(claims).toHaveLength(1);
  });

  it("a voucher.paid queued behind a voucher.pending goes out in the next round, in order", async () => {
    const { db, claims } = counting(t().db);
    const v = await pendingVoucher(db, tenant);
    const other = await pendingVoucher(db, tenant);
    await enqueue(db, tenant.id, v.id, "voucher.pending");
    await enqueue(db, tenant.id, v.id, "voucher.paid");
    await enqueue(db, tenant.id, other.id, "voucher.pending");
    const { rounds, delivered } = await nudgedRounds(db);
    expect(delivered.filter((m) => m.voucherId === v.id).map((m) => m.kind)).toEqual([
      "voucher.pending",
      "voucher.paid",
    ]);
    expect(delivered.filter((m) => m.voucherId === other.id)).toHaveLength(1);
    expect(rounds).toEqual([
      { delivered: 2, retried: 0, dead: 0, more: true },
      { delivered: 1, retried: 0, dead: 0, more: false },
    ]);
    expect(claims).toHaveLength(2);
    expect((await listOutbox(db, { status: "pending" })).length).toBe(0);
  });

  it("a parked head unblocks its successor the same way; a retried head does not loop", async () => {
    const { db, claims } = counting(t().db);
    const parked = await pendingVoucher(db, tenant);
    await enqueue(db, tenant.id, parked.id, "refund.failed");
    await enqueue(db, tenant.id, parked.id, "voucher.paid");
    const first = await nudgedRounds(db, (m) =>
      m.kind === "refund.failed" ? { status: "failed", error: "gone" } : { status: "delivered" },
    );
    expect(first.rounds).toEqual([
      { delivered: 0, retried: 0, dead: 1, more: true },
      { delivered: 1, retried: 0, dead: 0, more: false },
    ]);
    expect(first.delivered.map((m) => m.kind)).toEqual(["voucher.paid"]);
    claims.length = 0;
    const retried = await pendingVoucher(db, tenant);
    await enqueue(db, tenant.id, retried.id, "voucher.pending");
    await enqueue(db, tenant.id, retried.id, "voucher.paid");
    const second = await nudgedRounds(db, () => ({ status: "retry", error: "503" }));
    // Its successor stays blocked behind it: another round now could claim nothing.
    expect(second.rounds).toEqual([{ delivered: 0, retried: 1, dead: 0, more: false }]);
    expect(claims).toHaveLength(1);
  });

  it("a full batch runs another round for the due messages it left behind", async () => {
    const { db, claims } = counting(t().db);
    for (let i = 0; i < 5; i++) {
      await enqueue(db, tenant.id, (await pendingVoucher(db, tenant)).id, "voucher.pending");
    }
    const { rounds, delivered } = await nudgedRounds(db, undefined, { batchSize: 2 });
    expect(delivered).toHaveLength(5);
    expect(rounds.map((r) => [r.delivered, r.more])).toEqual([
      [2, true],
      [2, true],
      [1, false],
    ]);
    expect(claims).toHaveLength(3);
  });
});
