/**
 * One database shared by the Shopify app and the WooCommerce app (PGlite and PostgreSQL): each
 * app's dispatcher has a deliverer for its own platform only and claims only its own tenants'
 * messages, so every message is delivered exactly once, by the right app, in order per voucher,
 * and none is claimed by the other app only to be retried. Messages written before migration 022
 * (which gives each message its tenant's platform) are claimed by the right app after it.
 */
import { randomUUID } from "node:crypto";
import { fixedClock } from "@pe-pay/core";
import {
  claimOutboxBatch,
  createOutboxDispatcher,
  enqueueOutbox,
  listOutbox,
  markOutboxDead,
  markOutboxDelivered,
  migrate,
  MIGRATIONS,
  requeueDeadLetter,
  type DispatchResult,
} from "../src/index";
import type { OutboxMessage, Platform, PlatformDeliverer, TenantContext } from "../src/ports";
import { createTestTenant, forEachDatabase } from "./support/databases";
import { testEngineContext, pendingVoucher } from "./support/engine";

interface Delivery {
  by: Platform;
  message: OutboxMessage;
  tenant: TenantContext;
}

function recordingDeliverer(platform: Platform, log: Delivery[]): PlatformDeliverer {
  return {
    platform,
    async deliver(message, tenant) {
      log.push({ by: platform, message, tenant });
      return { status: "delivered" };
    },
  };
}

forEachDatabase("outbox on a database shared by both apps", (t) => {
  it("each app's dispatcher delivers its own platform's messages exactly once, none retried", async () => {
    const db = t().db;
    const clock = fixedClock(new Date());
    const tenants = {
      shopify: [
        await createTestTenant(db, {
          platformCredentials: { kind: "shopify", accessToken: "shpat_a" },
        }),
        await createTestTenant(db, {
          platformCredentials: { kind: "shopify", accessToken: "shpat_b" },
        }),
      ],
      woocommerce: [
        await createTestTenant(db, { platform: "woocommerce" }),
        await createTestTenant(db, { platform: "woocommerce" }),
      ],
    };
    const kinds = ["voucher.pending", "voucher.paid"];
    const expected = new Map<string, { platform: Platform; tenantId: string }>();
    // Interleaved by creation time, so each app's messages sit among the other's in due order.
    const vouchers: { v: Awaited<ReturnType<typeof pendingVoucher>>; platform: Platform }[] = [];
    for (let i = 0; i < 6; i++) {
      for (const platform of ["shopify", "woocommerce"] as const) {
        const tenant = tenants[platform][i % 2]!;
        vouchers.push({ v: await pendingVoucher(db, tenant), platform });
      }
    }
    for (const kind of kinds) {
      for (const { v, platform } of vouchers) {
        const m = await db.transaction(
          async (tx) =>
            (await enqueueOutbox(tx, {
              tenantId: v.tenantId,
              aggregateId: v.id,
              kind,
              payload: {},
              availableAt: clock.now(),
            }))!,
        );
        expected.set(String(m.id), { platform, tenantId: v.tenantId });
      }
    }
    const log: Delivery[] = [];
    // Separate handles (pools on PostgreSQL), as two processes would have; small batches so
    // each needs several rounds while the other claims too.
    const apps = await Promise.all(
      (["shopify", "woocommerce"] as const).map(async (platform) =>
        createOutboxDispatcher(
          testEngineContext(await t().connect(), { clock }),
          [recordingDeliverer(platform, log)],
          { batchSize: 4, concurrency: 2 },
        ),
      ),
    );
    const totals: DispatchResult = { delivered: 0, retried: 0, dead: 0, more: false };
    for (let round = 0; round < 20; round++) {
      const results = await Promise.all(apps.map((d) => d.runOnce()));
      for (const r of results) {
        totals.delivered += r.delivered;
        totals.retried += r.retried;
        totals.dead += r.dead;
      }
      if (results.every((r) => r.delivered === 0)) break;
    }
    expect(totals).toMatchObject({ delivered: expected.size, retried: 0, dead: 0 });
    const counts = new Map<string, number>();
    for (const d of log) counts.set(d.message.id, (counts.get(d.message.id) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...expected.keys()].sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    for (const d of log) {
      const want = expected.get(d.message.id)!;
      expect({ by: d.by, platform: d.tenant.platform, tenantId: d.tenant.id }).toEqual({
        by: want.platform,
        platform: want.platform,
        tenantId: want.tenantId,
      });
    }
    for (const { v } of vouchers) {
      expect(log.filter((d) => d.message.voucherId === v.id).map((d) => d.message.kind)).toEqual(
        kinds,
      );
    }
    // Claimed once each (attempts count claims), never handed back with an error.
    const rows = (await listOutbox(db, {})).filter((r) => expected.has(String(r.id)));
    expect(rows).toHaveLength(expected.size);
    for (const r of rows) {
      expect(r).toMatchObject({ status: "delivered", attempts: 1, lastError: null });
    }
  });
});

forEachDatabase(
  "outbox messages written before migration 022",
  (t) => {
    it("pending and dead ones get their tenant's platform; new ones get it on insert", async () => {
      const db = t().db;
      const before = MIGRATIONS.filter((m) => m.version < 22);
      expect(MIGRATIONS.map((m) => m.version)).toContain(22);
      await migrate(db, { migrations: before });
      const now = new Date();
      const shop = await createTestTenant(db);
      const woo = await createTestTenant(db, { platform: "woocommerce" });
      const put = (tenantId: string, aggregateId: string, kind: string) =>
        db.transaction(
          async (tx) =>
            (await enqueueOutbox(tx, {
              tenantId,
              aggregateId,
              kind,
              payload: {},
              availableAt: now,
            }))!,
        );
      const shopPending = await put(shop.id, randomUUID(), "voucher.pending");
      const wooPending = await put(woo.id, randomUUID(), "voucher.pending");
      const wooDead = await put(woo.id, randomUUID(), "voucher.paid");
      const shopDelivered = await put(shop.id, randomUUID(), "voucher.pending");
      expect(await markOutboxDead(db, wooDead.id, { at: now, error: "x" })).toBe(true);
      expect(await markOutboxDelivered(db, shopDelivered.id, now)).toBe(true);
      expect((await migrate(db)).applied).toEqual([22]);
      const platformOf = async (id: number) =>
        (
          await db.query<{ p: string | null }>(
            "SELECT tenant_platform AS p FROM outbox WHERE id = $1",
            [id],
          )
        ).rows[0]!.p;
      expect(await platformOf(shopPending.id)).toBe("shopify");
      expect(await platformOf(wooPending.id)).toBe("woocommerce");
      expect(await platformOf(wooDead.id)).toBe("woocommerce");
      // Delivered messages are never claimed again: not rewritten.
      expect(await platformOf(shopDelivered.id)).toBeNull();
      const fresh = await put(woo.id, randomUUID(), "voucher.pending");
      expect(await platformOf(fresh.id)).toBe("woocommerce");
      expect(await requeueDeadLetter(db, wooDead.id, now)).toBe(true);
      const claim = (platform: Platform) =>
        claimOutboxBatch(db, { now, limit: 10, leaseMs: 60_000, platforms: [platform] });
      expect((await claim("shopify")).map((m) => m.id)).toEqual([shopPending.id]);
      expect((await claim("woocommerce")).map((m) => m.id)).toEqual([
        wooPending.id,
        wooDead.id,
        fresh.id,
      ]);
    });
  },
  { migrate: false },
);
