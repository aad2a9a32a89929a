/**
 * Outbox dispatcher on PGlite and PostgreSQL: order per voucher, backoff schedule with
 * deterministic jitter, the 72 h dead-letter deadline and its alert, permanent failures, throws,
 * and several dispatchers (separate pools on PostgreSQL) delivering each message exactly once.
 */
import { randomUUID } from "node:crypto";
import { fixedClock } from "@pe-pay/core";
import {
  createOutboxDispatcher,
  enqueueOutbox,
  listMerchantAlerts,
  listOutbox,
  loadOutboxVoucherView,
  outboxBackoffMs,
  requeueDeadLetter,
  evaluateAlerts,
  setTenantCredentials,
  type Database,
  type TenantRecord,
} from "../src/index";
import type {
  DeliveryOutcome,
  OutboxMessage,
  PlatformDeliverer,
  TenantContext,
} from "../src/ports";
import { createTestTenant, forEachDatabase, testKeyring } from "./support/databases";
import { testEngineContext, pendingVoucher } from "./support/engine";

const HOUR = 3_600_000;

function makeContext(db: Database, clock = fixedClock(new Date()), random = () => 0.5) {
  const ctx = testEngineContext(db, {
    clock,
    random,
    config: { outboxBaseDelayMs: 1_000, outboxMaxDelayMs: 30 * 60_000, outboxMaxAgeMs: 72 * HOUR },
  });
  return { ctx, clock };
}

/** Records deliveries; `script` decides each outcome (default delivered). */
function recordingDeliverer(
  script: (m: OutboxMessage) => DeliveryOutcome | Promise<DeliveryOutcome> = () => ({
    status: "delivered",
  }),
) {
  const delivered: { message: OutboxMessage; tenant: TenantContext }[] = [];
  const deliverer: PlatformDeliverer = {
    platform: "shopify",
    async deliver(message, tenant) {
      const outcome = await script(message);
      if (outcome.status === "delivered") delivered.push({ message, tenant });
      return outcome;
    },
  };
  return { deliverer, delivered };
}

const voucher = (db: Database, tenant: TenantRecord) =>
  pendingVoucher(db, tenant, (key) => ({ gid: `gid://shopify/PaymentSession/${key}` }));

async function enqueue(db: Database, tenantId: string, voucherId: string, kind: string, at: Date) {
  return db.transaction(
    async (tx) =>
      (await enqueueOutbox(tx, {
        tenantId,
        aggregateId: voucherId,
        kind,
        payload: { attention: { kind: "test", detail: kind } },
        availableAt: at,
      }))!,
  );
}

const shopifyTenant = (db: Database) =>
  createTestTenant(db, {
    platformCredentials: { kind: "shopify", accessToken: "shpat_test_token" },
  });

forEachDatabase("outbox dispatcher", (t) => {
  it("delivers with the voucher view and decrypted tenant context", async () => {
    const db = t().db;
    const { ctx } = makeContext(db);
    const tenant = await shopifyTenant(db);
    const v = await voucher(db, tenant);
    await enqueue(db, tenant.id, v.id, "voucher.pending", ctx.clock.now());
    const { deliverer, delivered } = recordingDeliverer();
    const result = await createOutboxDispatcher(ctx, [deliverer]).runOnce();
    expect(result).toEqual({ delivered: 1, retried: 0, dead: 0, more: false });
    expect(delivered[0]!.tenant).toMatchObject({
      id: tenant.id,
      platform: "shopify",
      shopDomain: tenant.shopDomain,
      platformCredentials: { kind: "shopify", accessToken: "shpat_test_token" },
    });
    expect(delivered[0]!.message).toMatchObject({
      tenantId: tenant.id,
      voucherId: v.id,
      kind: "voucher.pending",
      attempts: 1,
      payload: {
        voucher: { id: v.id, status: "pending", amount: { minor: 1_000, currency: "PEN" } },
        attention: { kind: "test", detail: "voucher.pending" },
      },
    });
    expect((await listOutbox(db, { aggregateId: v.id }))[0]!.status).toBe("delivered");
  });

  it("reads and decrypts the tenant once, until its row changes (whoever changes it)", async () => {
    const db = t().db;
    const sql: string[] = [];
    const logged: Database = {
      ...db,
      kind: db.kind,
      inTransaction: false,
      query(text, params) {
        sql.push(text);
        return db.query(text, params);
      },
      transaction: (fn, opts) => db.transaction(fn, opts),
      exec: (text) => db.exec(text),
      close: () => db.close(),
    };
    const { ctx } = makeContext(logged);
    const tenant = await shopifyTenant(db);
    const { deliverer, delivered } = recordingDeliverer();
    const dispatcher = createOutboxDispatcher(ctx, [deliverer]);
    const tenantReads = () => sql.filter((q) => /FROM tenants t WHERE t\.id/.test(q)).length;
    const round = async () => {
      const v = await voucher(db, tenant);
      await enqueue(db, tenant.id, v.id, "voucher.pending", ctx.clock.now());
      expect(await dispatcher.runOnce()).toMatchObject({ delivered: 1 });
      return delivered.at(-1)!.tenant.platformCredentials.accessToken;
    };
    expect(await round()).toBe("shpat_test_token");
    expect(tenantReads()).toBe(1);
    expect(await round()).toBe("shpat_test_token");
    expect(tenantReads()).toBe(1); // the claim said the row is unchanged
    // Another instance (not this dispatcher, no invalidation call) stores a new token.
    await setTenantCredentials(db, testKeyring(), tenant.id, {
      platformCredentials: { kind: "shopify", accessToken: "shpat_rotated" },
    });
    expect(await round()).toBe("shpat_rotated");
    expect(tenantReads()).toBe(2);
    // A re-seal of the same credentials changes the ciphertext: read again, same token.
    await setTenantCredentials(db, testKeyring(), tenant.id, {
      platformCredentials: { kind: "shopify", accessToken: "shpat_rotated" },
    });
    expect(await round()).toBe("shpat_rotated");
    expect(tenantReads()).toBe(3);
    expect(await round()).toBe("shpat_rotated");
    expect(tenantReads()).toBe(3);
  });

  it("reads the vouchers of a round with its claim, as the row reads one by one", async () => {
    const db = t().db;
    const sql: string[] = [];
    const logged: Database = {
      ...db,
      kind: db.kind,
      inTransaction: false,
      query(text, params) {
        sql.push(text);
        return db.query(text, params);
      },
    };
    const { ctx } = makeContext(logged);
    const tenant = await shopifyTenant(db);
    const vouchers = [
      await voucher(db, tenant),
      await voucher(db, tenant),
      await voucher(db, tenant),
    ];
    for (const v of vouchers)
      await enqueue(db, tenant.id, v.id, "voucher.pending", ctx.clock.now());
    await db.query("UPDATE vouchers SET status = 'paid' WHERE id = $1", [vouchers[1]!.id]);
    const { deliverer, delivered } = recordingDeliverer();
    expect(await createOutboxDispatcher(ctx, [deliverer]).runOnce()).toMatchObject({
      delivered: 3,
    });
    // One statement reads vouchers: the claim (which also moved the messages).
    expect(sql.filter((q) => /FROM vouchers/.test(q))).toEqual([
      expect.stringMatching(/UPDATE outbox SET next_attempt_at/),
    ]);
    const views = new Map(delivered.map((d) => [d.message.voucherId, d.message.payload.voucher]));
    expect(views.get(vouchers[0]!.id)).toMatchObject({ id: vouchers[0]!.id, status: "pending" });
    expect(views.get(vouchers[1]!.id)).toMatchObject({ status: "paid" });
    for (const v of vouchers) {
      // The same view, dates and amounts included, as a read of the row on its own gives.
      expect(views.get(v.id)).toEqual(await loadOutboxVoucherView(db, v.id));
    }
  });

  it("a voucher that is gone is a permanent failure; a caller's loadVoucher reads at delivery", async () => {
    const db = t().db;
    const { ctx } = makeContext(db);
    const tenant = await shopifyTenant(db);
    const v = await voucher(db, tenant);
    await enqueue(db, tenant.id, v.id, "voucher.pending", ctx.clock.now());
    const seen: string[] = [];
    const { deliverer } = recordingDeliverer();
    const custom = createOutboxDispatcher(ctx, [deliverer], {
      loadVoucher: async (_q, id) => {
        seen.push(id);
        return null;
      },
    });
    expect(await custom.runOnce()).toEqual({ delivered: 0, retried: 0, dead: 1, more: false });
    expect(seen).toEqual([v.id]);
    const [dead] = await listOutbox(db, { aggregateId: v.id });
    expect(dead).toMatchObject({ status: "dead", lastError: `voucher ${v.id} not found` });
    // The default loader: the round's read does not find it either.
    const gone = randomUUID();
    await enqueue(db, tenant.id, gone, "voucher.pending", ctx.clock.now());
    expect(await createOutboxDispatcher(ctx, [deliverer]).runOnce()).toEqual({
      delivered: 0,
      retried: 0,
      dead: 1,
      more: false,
    });
    expect((await listOutbox(db, { aggregateId: gone }))[0]).toMatchObject({
      status: "dead",
      lastError: `voucher ${gone} not found`,
    });
  });

  it("deliveries that finish together are marked delivered by one guarded statement", async () => {
    const db = t().db;
    const sql: string[] = [];
    const logged: Database = {
      ...db,
      kind: db.kind,
      inTransaction: false,
      query(text, params) {
        sql.push(text);
        return db.query(text, params);
      },
    };
    const { ctx } = makeContext(logged);
    const tenant = await shopifyTenant(db);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const v = await voucher(db, tenant);
      ids.push(v.id);
      await enqueue(db, tenant.id, v.id, "voucher.pending", ctx.clock.now());
    }
    let entered = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { deliverer } = recordingDeliverer(async () => {
      if (++entered === 5) release();
      await gate;
      return { status: "delivered" };
    });
    expect(await createOutboxDispatcher(ctx, [deliverer]).runOnce()).toMatchObject({
      delivered: 5,
    });
    expect(sql.filter((q) => /UPDATE outbox o SET status = 'delivered'/.test(q))).toHaveLength(1);
    for (const id of ids) {
      expect((await listOutbox(db, { aggregateId: id }))[0]).toMatchObject({
        status: "delivered",
        deliveredAt: ctx.clock.now(),
      });
    }
  });

  it("keeps order per voucher while the head is retried; other vouchers flow", async () => {
    const db = t().db;
    const { ctx, clock } = makeContext(db);
    const tenant = await shopifyTenant(db);
    const a = await voucher(db, tenant);
    const b = await voucher(db, tenant);
    const now = clock.now();
    for (const kind of ["voucher.pending", "voucher.paid", "refund.succeeded"]) {
      await enqueue(db, tenant.id, a.id, kind, now);
    }
    await enqueue(db, tenant.id, b.id, "voucher.pending", now);
    await enqueue(db, tenant.id, b.id, "voucher.expired", now);
    let failuresLeft = 3;
    const { deliverer, delivered } = recordingDeliverer((m) =>
      m.voucherId === a.id && m.kind === "voucher.pending" && failuresLeft-- > 0
        ? { status: "retry", error: "Shopify 503" }
        : { status: "delivered" },
    );
    const dispatcher = createOutboxDispatcher(ctx, [deliverer]);
    for (let round = 0; round < 20; round++) {
      await dispatcher.runOnce();
      clock.advance(60_000);
    }
    const kinds = (id: string) =>
      delivered.filter((d) => d.message.voucherId === id).map((d) => d.message.kind);
    expect(kinds(a.id)).toEqual(["voucher.pending", "voucher.paid", "refund.succeeded"]);
    expect(kinds(b.id)).toEqual(["voucher.pending", "voucher.expired"]);
    // B was not held up by A's retries.
    expect(delivered.findIndex((d) => d.message.voucherId === b.id)).toBe(0);
  });

  it("backs off exponentially with full jitter (deterministic random)", async () => {
    const db = t().db;
    const { ctx, clock } = makeContext(db, fixedClock(new Date()), () => 0.5);
    const tenant = await shopifyTenant(db);
    const v = await voucher(db, tenant);
    const m = await enqueue(db, tenant.id, v.id, "voucher.paid", clock.now());
    const { deliverer } = recordingDeliverer(() => ({ status: "retry", error: "timeout" }));
    const dispatcher = createOutboxDispatcher(ctx, [deliverer]);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 14; attempt++) {
      const before = clock.now().getTime();
      expect(await dispatcher.runOnce()).toEqual({
        delivered: 0,
        retried: 1,
        dead: 0,
        more: false,
      });
      const row = (await listOutbox(db, { aggregateId: v.id }))[0]!;
      expect(row).toMatchObject({ id: m.id, attempts: attempt, lastError: "timeout" });
      delays.push(row.nextAttemptAt.getTime() - before);
      // Not due before its time.
      clock.set(new Date(row.nextAttemptAt.getTime() - 1));
      expect(await dispatcher.runOnce()).toEqual({
        delivered: 0,
        retried: 0,
        dead: 0,
        more: false,
      });
      clock.set(row.nextAttemptAt);
    }
    // random 0.5 → half of min(30 min, 1 s · 2^(n-1)).
    expect(delays).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 512_000, 900_000,
      900_000, 900_000,
    ]);
    expect(outboxBackoffMs(3, { baseDelayMs: 1_000, maxDelayMs: 60_000 }, () => 0)).toBe(0);
    expect(outboxBackoffMs(3, { baseDelayMs: 1_000, maxDelayMs: 60_000 }, () => 0.999)).toBe(3_996);
  });

  it("parks as a dead letter 72 h after creation, with a merchant alert", async () => {
    const db = t().db;
    const { ctx, clock } = makeContext(db, fixedClock(new Date()), () => 0.99);
    ctx.config.outboxMaxDelayMs = 8 * HOUR; // fewer rounds; same rule
    const tenant = await shopifyTenant(db);
    const v = await voucher(db, tenant);
    const m = await enqueue(db, tenant.id, v.id, "voucher.paid", clock.now());
    const deadline = m.createdAt.getTime() + 72 * HOUR;
    const { deliverer } = recordingDeliverer(() => ({ status: "retry", error: "store offline" }));
    const dispatcher = createOutboxDispatcher(ctx, [deliverer]);
    const attemptsAt: number[] = [];
    for (let i = 0; i < 100; i++) {
      const row = (await listOutbox(db, { aggregateId: v.id }))[0]!;
      if (row.status === "dead") break;
      clock.set(row.nextAttemptAt);
      attemptsAt.push(clock.now().getTime());
      await dispatcher.runOnce();
    }
    const row = (await listOutbox(db, { aggregateId: v.id }))[0]!;
    expect(row.status).toBe("dead");
    expect(row.deadAt!.getTime()).toBe(deadline);
    // Every attempt fell inside the window, the last one exactly at its end.
    expect(Math.max(...attemptsAt)).toBe(deadline);
    expect(attemptsAt.filter((a) => a > deadline)).toEqual([]);
    const alerts = await listMerchantAlerts(ctx, tenant.id);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: "dead_letter", severity: "critical" });
    expect(alerts[0]!.message.es).toContain("pedido pagado");
    expect(alerts[0]!.message.en).toContain("store offline");
    expect(alerts[0]!.action.en).toMatch(/retry/);
    // The merchant retries it: pending again, the alert resolves on the next evaluation.
    expect(await requeueDeadLetter(db, row.id, clock.now())).toBe(true);
    await evaluateAlerts(ctx, tenant.id);
    expect(await listMerchantAlerts(ctx, tenant.id)).toEqual([]);
  });

  it("'failed' → dead at once; a throw counts as a retry; other platforms are not claimed", async () => {
    const db = t().db;
    const { ctx } = makeContext(db);
    const tenant = await shopifyTenant(db);
    const woo = await createTestTenant(db, { platform: "woocommerce" });
    const a = await voucher(db, tenant);
    const b = await voucher(db, tenant);
    const c = await voucher(db, woo);
    await enqueue(db, tenant.id, a.id, "refund.failed", ctx.clock.now());
    await enqueue(db, tenant.id, b.id, "voucher.paid", ctx.clock.now());
    await enqueue(db, woo.id, c.id, "voucher.paid", ctx.clock.now());
    const { deliverer } = recordingDeliverer((m) => {
      if (m.voucherId === a.id) return { status: "failed", error: "refund session not found" };
      throw new Error("socket hang up");
    });
    const result = await createOutboxDispatcher(ctx, [deliverer]).runOnce();
    expect(result).toEqual({ delivered: 0, retried: 1, dead: 1, more: false });
    expect((await listOutbox(db, { aggregateId: a.id }))[0]).toMatchObject({
      status: "dead",
      lastError: "refund session not found",
    });
    expect((await listOutbox(db, { aggregateId: b.id }))[0]).toMatchObject({
      status: "pending",
      lastError: "socket hang up",
    });
    // A Shopify-only dispatcher leaves the WooCommerce tenant's message alone: never claimed.
    expect((await listOutbox(db, { aggregateId: c.id }))[0]).toMatchObject({
      status: "pending",
      attempts: 0,
      lastError: null,
    });
    expect((await listMerchantAlerts(ctx, tenant.id)).map((x) => x.kind)).toEqual(["dead_letter"]);
  });

  it("a tenant whose platform changed after the claim waits for a deliverer (retry)", async () => {
    const db = t().db;
    const tenant = await shopifyTenant(db);
    const v = await voucher(db, tenant);
    // Between the claim and the tenant read, the tenant moves to a platform we cannot deliver to.
    const moving: Database = {
      ...db,
      kind: db.kind,
      inTransaction: false,
      query: (async (text: string, params?: readonly unknown[]) => {
        const r = await db.query(text, params);
        if (/WITH due AS/.test(text)) {
          await db.query("UPDATE tenants SET platform = 'woocommerce' WHERE id = $1", [tenant.id]);
        }
        return r;
      }) as Database["query"],
    };
    const { ctx } = makeContext(moving);
    await enqueue(db, tenant.id, v.id, "voucher.paid", ctx.clock.now());
    const { deliverer, delivered } = recordingDeliverer();
    expect(await createOutboxDispatcher(ctx, [deliverer]).runOnce()).toEqual({
      delivered: 0,
      retried: 1,
      dead: 0,
      more: false,
    });
    expect(delivered).toEqual([]);
    expect((await listOutbox(db, { aggregateId: v.id }))[0]).toMatchObject({
      status: "pending",
      attempts: 1,
      lastError: "no deliverer for woocommerce",
    });
  });

  it("concurrent dispatchers (separate connections) deliver each message exactly once, in order", async () => {
    const db = t().db;
    const tenant = await shopifyTenant(db);
    const clock = fixedClock(new Date());
    const vouchers = [];
    for (let i = 0; i < 25; i++) vouchers.push(await voucher(db, tenant));
    const kinds = ["voucher.pending", "voucher.paid", "refund.succeeded", "refund.failed"];
    for (const kind of kinds) {
      for (const v of vouchers) await enqueue(db, tenant.id, v.id, kind, clock.now());
    }
    const deliveries = new Map<string, number>();
    const inFlight = new Set<string>();
    let overlaps = 0;
    const order = new Map<string, string[]>();
    const deliverer: PlatformDeliverer = {
      platform: "shopify",
      async deliver(message) {
        if (inFlight.has(message.voucherId)) overlaps += 1;
        inFlight.add(message.voucherId);
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 3)));
        inFlight.delete(message.voucherId);
        deliveries.set(message.id, (deliveries.get(message.id) ?? 0) + 1);
        order.set(message.voucherId, [...(order.get(message.voucherId) ?? []), message.kind]);
        return { status: "delivered" };
      },
    };
    const contexts = await Promise.all(
      [0, 1, 2].map(async () => makeContext(await t().connect(), clock).ctx),
    );
    const dispatchers = contexts.map((c) =>
      createOutboxDispatcher(c, [deliverer], { batchSize: 7, concurrency: 4 }),
    );
    for (let round = 0; round < 60; round++) {
      const results = await Promise.all(dispatchers.map((d) => d.runOnce()));
      if (results.every((r) => r.delivered === 0)) {
        if ((await listOutbox(db, { status: "pending" })).length === 0) break;
      }
    }
    expect(deliveries.size).toBe(100);
    expect([...deliveries.values()].every((n) => n === 1)).toBe(true);
    expect(overlaps).toBe(0);
    for (const v of vouchers) expect(order.get(v.id)).toEqual(kinds);
  });

  it("start/stop runs rounds in the background and stops cleanly", async () => {
    const db = t().db;
    const { ctx } = makeContext(db);
    const tenant = await shopifyTenant(db);
    const v = await voucher(db, tenant);
    await enqueue(db, tenant.id, v.id, "voucher.pending", ctx.clock.now());
    const { deliverer, delivered } = recordingDeliverer();
    const dispatcher = createOutboxDispatcher(ctx, [deliverer]);
    dispatcher.start(10);
    const mine = () => delivered.filter((d) => d.message.voucherId === v.id);
    for (let i = 0; i < 200 && mine().length === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await dispatcher.stop();
    expect(mine()).toHaveLength(1);
  });
});
