import { randomBytes } from "node:crypto";
import { getTenant, insertOrGetVoucher, transitionVoucher } from "@pe-pay/engine";
import { forEachDatabase, testKeyring } from "../../../packages/engine/test/support/databases";
import { PluginAuthError, signPluginRequest, verifyPluginRequest } from "../src/plugin-auth";
import {
  DbOrderVoucherLookup,
  DbPendingAuthorizations,
  DbPluginKeys,
  DbReplayGuard,
  DbTenantStore,
} from "../src/storage";
import type { WooStoreRecord } from "../src/ports";

const NOW = new Date("2025-03-14T15:22:40Z");
const keyring = testKeyring();
const hex = (n: number) => randomBytes(n).toString("hex");

function record(storeId: string, storeUrl: string, over: Partial<WooStoreRecord> = {}) {
  return {
    storeId,
    storeUrl,
    consumerKey: `ck_${hex(20)}`,
    consumerSecret: `cs_${hex(20)}`,
    keyId: 14,
    webhookSecret: hex(20),
    webhookId: 7,
    pluginSecret: hex(32),
    connectedAt: NOW,
    ...over,
  } satisfies WooStoreRecord;
}

forEachDatabase("woocommerce bridge storage", (t) => {
  let n = 0;
  const storeUrl = () => `https://tienda-${++n}-${hex(3)}.example.pe`;

  describe("DbTenantStore", () => {
    it("allocates one tenant per store URL and keeps it across reconnects", async () => {
      const tenants = new DbTenantStore(t().db, keyring);
      const url = storeUrl();
      const id = await tenants.storeIdFor(url);
      expect(DbTenantStore.isStoreId(id)).toBe(true);
      expect(await tenants.storeIdFor(url)).toBe(id);
      expect(await tenants.storeIdFor(`${url}/`)).toBe(id);
      // Two connects racing end on the same tenant.
      const other = storeUrl();
      const [a, b] = await Promise.all([tenants.storeIdFor(other), tenants.storeIdFor(other)]);
      expect(a).toBe(b);
      const tenant = await getTenant(t().db, id);
      expect(tenant).toMatchObject({ platform: "woocommerce" });
    });

    it("round-trips a store with every secret encrypted at rest", async () => {
      const tenants = new DbTenantStore(t().db, keyring);
      const url = storeUrl();
      const id = await tenants.storeIdFor(url);
      expect(await tenants.getWooStore(id)).toBeNull(); // not connected yet
      const rec = record(id, url);
      await tenants.saveWooStore(rec);
      expect(await tenants.getWooStore(id)).toEqual(rec);
      expect(await tenants.pluginSecretFor(id)).toBe(rec.pluginSecret);

      const { rows } = await t().db.query(
        `SELECT w.*, t.platform_credentials FROM woo_stores w JOIN tenants t ON t.id = w.tenant_id
         WHERE w.tenant_id = $1`,
        [id],
      );
      const raw = JSON.stringify(rows[0], (_k, v: unknown) =>
        v && typeof v === "object" && (v as { type?: string }).type === "Buffer"
          ? Buffer.from((v as { data: number[] }).data).toString("latin1")
          : v,
      );
      for (const secret of [
        rec.consumerKey,
        rec.consumerSecret,
        rec.webhookSecret,
        rec.pluginSecret,
      ])
        expect(raw).not.toContain(secret);

      // Reconnect: new keys and secrets replace the old ones, same id.
      const again = record(id, url, { webhookId: 9 });
      await tenants.saveWooStore(again);
      expect(await tenants.getWooStore(id)).toEqual(again);
      expect((await tenants.listStores()).map((s) => s.storeId)).toContain(id);
    });

    it("answers null for ids that are not stores, and for deactivated stores", async () => {
      const tenants = new DbTenantStore(t().db, keyring);
      expect(await tenants.getWooStore("wc_not_a_uuid")).toBeNull();
      expect(await tenants.getWooStore("00000000-0000-4000-8000-000000000000")).toBeNull();
      expect(await tenants.pluginSecretFor("x")).toBeNull();
      const url = storeUrl();
      const id = await tenants.storeIdFor(url);
      await tenants.saveWooStore(record(id, url));
      await t().db.query("UPDATE tenants SET status = 'inactive' WHERE id = $1", [id]);
      expect(await tenants.getWooStore(id)).toBeNull();
      expect(await tenants.pluginSecretFor(id)).toBeNull();
    });

    it("moves the reconciliation cursor forward only", async () => {
      const tenants = new DbTenantStore(t().db, keyring);
      const url = storeUrl();
      const id = await tenants.storeIdFor(url);
      await tenants.saveWooStore(record(id, url));
      await tenants.setReconciledUntil(id, new Date("2025-03-14T15:00:00Z"));
      await tenants.setReconciledUntil(id, new Date("2025-03-14T14:00:00Z"));
      const mine = (await tenants.listStores()).find((s) => s.storeId === id);
      expect(mine?.reconciledUntil?.toISOString()).toBe("2025-03-14T15:00:00.000Z");
    });
  });

  describe("DbReplayGuard", () => {
    it("accepts a nonce once per store, even with concurrent callers", async () => {
      let now = NOW;
      const guard = new DbReplayGuard(t().db, { now: () => now });
      const exp = new Date(NOW.getTime() + 301_000);
      const results = await Promise.all(
        Array.from({ length: 8 }, () => guard.remember("store-a", "nonce-0000000000000001", exp)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await guard.remember("store-b", "nonce-0000000000000001", exp)).toBe(true);
      // After its window, the row is purged and (in theory) reusable.
      now = new Date(exp.getTime() + 1);
      expect(await guard.purge(now)).toBeGreaterThanOrEqual(2);
      expect(await guard.remember("store-a", "nonce-0000000000000001", exp)).toBe(true);
    });
  });

  describe("DbPluginKeys", () => {
    const clock = { now: () => NOW };
    const ts = Math.floor(NOW.getTime() / 1000);
    const signed = (storeId: string, secret: string, nonce: string) => ({
      method: "POST",
      path: "/plugin/v1/vouchers",
      rawBody: Buffer.from("{}"),
      headers: Object.fromEntries(
        Object.entries(
          signPluginRequest({
            storeId,
            secret,
            method: "POST",
            path: "/plugin/v1/vouchers",
            body: "{}",
            timestamp: ts,
            nonce,
          }),
        ).map(([k, v]) => [k.toLowerCase(), v]),
      ),
    });
    const verdict = (keys: DbPluginKeys, req: ReturnType<typeof signed>) =>
      verifyPluginRequest({ keys, clock }, req).then(
        () => "ok",
        (e: unknown) => (e instanceof PluginAuthError ? e.reason : String(e)),
      );

    it("refuses a replay on another instance, and serves the secret from memory after the first read", async () => {
      const tenants = new DbTenantStore(t().db, keyring);
      const url = storeUrl();
      const id = await tenants.storeIdFor(url);
      const rec = record(id, url);
      await tenants.saveWooStore(rec);
      const a = new DbPluginKeys(t().db, keyring, clock);
      const b = new DbPluginKeys(t().db, keyring, clock);
      const nonce = hex(16);
      expect(await verdict(a, signed(id, rec.pluginSecret, nonce))).toBe("ok");
      expect(await verdict(b, signed(id, rec.pluginSecret, nonce))).toBe("replayed");
      expect(await verdict(a, signed(id, rec.pluginSecret, nonce))).toBe("replayed");
      // Concurrent copies of one request: exactly one is accepted.
      const again = hex(16);
      const all = await Promise.all(
        [a, b, a, b].map((k) => verdict(k, signed(id, rec.pluginSecret, again))),
      );
      expect(all.filter((v) => v === "ok")).toHaveLength(1);
      expect((await a.keyFor(id))?.cached).toBe(true);
      expect(await a.keyFor("not-a-store")).toBeNull();
    });

    it("concurrent requests share one statement and each gets its own answer", async () => {
      const tenants = new DbTenantStore(t().db, keyring);
      const urlA = storeUrl();
      const urlB = storeUrl();
      const a = await tenants.storeIdFor(urlA);
      const b = await tenants.storeIdFor(urlB);
      const recA = record(a, urlA);
      const oldB = record(b, urlB);
      await tenants.saveWooStore(recA);
      await tenants.saveWooStore(oldB);
      const keys = new DbPluginKeys(t().db, keyring, clock);
      const keyA = (await keys.keyFor(a))!;
      const staleB = (await keys.keyFor(b))!;
      await tenants.saveWooStore(record(b, urlB)); // rotated elsewhere
      const used = hex(16);
      expect(await keys.remember(a, used, new Date(NOW.getTime() + 300_000), keyA)).toBe("fresh");
      const exp = new Date(NOW.getTime() + 300_000);
      const n1 = hex(16);
      const db = t().db;
      const spy = jest.spyOn(db, "query");
      const answers = await Promise.all([
        keys.remember(a, n1, exp, keyA),
        keys.remember(a, n1, exp, keyA),
        keys.remember(a, used, exp, keyA),
        keys.remember(b, hex(16), exp, staleB),
        keys.remember(a, hex(16), exp, keyA),
      ]);
      expect(answers).toEqual(["fresh", "replayed", "replayed", "stale", "fresh"]);
      expect(spy).toHaveBeenCalledTimes(1);
      spy.mockRestore();
    });

    it("serves the webhook secret from memory, and a fresh read after a reconnect", async () => {
      const tenants = new DbTenantStore(t().db, keyring);
      const url = storeUrl();
      const id = await tenants.storeIdFor(url);
      const old = record(id, url);
      await tenants.saveWooStore(old);
      const keys = new DbPluginKeys(t().db, keyring, clock);
      expect(await keys.webhookSecretFor(id)).toBe(old.webhookSecret);
      const rotated = record(id, url);
      await tenants.saveWooStore(rotated);
      expect(await keys.webhookSecretFor(id)).toBe(old.webhookSecret); // cached
      expect(await keys.webhookSecretFor(id, { fresh: true })).toBe(rotated.webhookSecret);
      expect(await keys.webhookSecretFor("nope")).toBeNull();
      // After its time in memory, a deactivated store is unknown.
      const shortLived = new DbPluginKeys(t().db, keyring, clock, 10, 0);
      expect(await shortLived.webhookSecretFor(id)).toBe(rotated.webhookSecret);
      await t().db.query("UPDATE tenants SET status = 'inactive' WHERE id = $1", [id]);
      expect(await shortLived.webhookSecretFor(id)).toBeNull();
      await t().db.query("UPDATE tenants SET status = 'active' WHERE id = $1", [id]);
    });

    it("a reconnect or deactivation on another instance takes effect at once despite the cache", async () => {
      const tenants = new DbTenantStore(t().db, keyring);
      const url = storeUrl();
      const id = await tenants.storeIdFor(url);
      const old = record(id, url);
      await tenants.saveWooStore(old);
      const keys = new DbPluginKeys(t().db, keyring, clock);
      expect(await verdict(keys, signed(id, old.pluginSecret, hex(16)))).toBe("ok");
      expect((await keys.keyFor(id))?.secret).toBe(old.pluginSecret); // cached

      const rotated = record(id, url); // the reconnect, done by another instance
      await tenants.saveWooStore(rotated);
      expect(await verdict(keys, signed(id, old.pluginSecret, hex(16)))).toBe("bad_signature");
      expect(await verdict(keys, signed(id, rotated.pluginSecret, hex(16)))).toBe("ok");

      // The cache now holds the new secret; deactivating the store must still refuse it.
      await t().db.query("UPDATE tenants SET status = 'inactive' WHERE id = $1", [id]);
      expect(await verdict(keys, signed(id, rotated.pluginSecret, hex(16)))).toBe("unknown_store");
      await t().db.query("UPDATE tenants SET status = 'active' WHERE id = $1", [id]);
    });
  });

  describe("DbPendingAuthorizations", () => {
    it("completes a state once and exchanges its claim code once", async () => {
      const store = new DbPendingAuthorizations(t().db, keyring);
      const state = hex(16);
      const exp = new Date(NOW.getTime() + 1_800_000);
      await store.create({
        state,
        storeUrl: "https://tienda.example.pe",
        pluginReturnUrl: "https://tienda.example.pe/wp-admin/admin-post.php?a=1",
        expiresAt: exp,
      });
      expect(await store.get(state)).toEqual({
        state,
        storeUrl: "https://tienda.example.pe",
        pluginReturnUrl: "https://tienda.example.pe/wp-admin/admin-post.php?a=1",
        expiresAt: exp,
      });
      const code = hex(24);
      const done = await Promise.all([
        store.complete(state, { storeId: "s1", claimCode: code }, NOW),
        store.complete(state, { storeId: "s2", claimCode: hex(24) }, NOW),
      ]);
      expect(done.filter(Boolean)).toHaveLength(1);
      const after = await store.get(state);
      expect(after?.claimCode).toBeDefined();
      const { rows } = await t().db.query(
        "SELECT claim_code_hash FROM woo_pending_authorizations WHERE state = $1",
        [state],
      );
      expect(rows[0]!.claim_code_hash).not.toContain(after!.claimCode!);

      const claims = await Promise.all([
        store.claim(after!.claimCode!, NOW),
        store.claim(after!.claimCode!, NOW),
      ]);
      expect(claims.filter(Boolean)).toEqual([{ storeId: after!.storeId }]);
      expect((await store.get(state))?.claimCode).toBeUndefined();
    });

    it("refuses expired states and claims", async () => {
      const store = new DbPendingAuthorizations(t().db, keyring);
      const state = hex(16);
      const exp = new Date(NOW.getTime() + 1000);
      await store.create({
        state,
        storeUrl: "https://a.pe",
        pluginReturnUrl: "https://a.pe/x",
        expiresAt: exp,
      });
      const late = new Date(exp.getTime() + 1);
      expect(await store.complete(state, { storeId: "s", claimCode: hex(24) }, late)).toBe(false);
      const state2 = hex(16);
      await store.create({
        state: state2,
        storeUrl: "https://a.pe",
        pluginReturnUrl: "https://a.pe/x",
        expiresAt: exp,
      });
      const code = hex(24);
      expect(await store.complete(state2, { storeId: "s", claimCode: code }, NOW)).toBe(true);
      expect(await store.claim(code, late)).toBeNull();
      expect(await store.purge(late)).toBeGreaterThanOrEqual(2);
    });
  });

  describe("DbOrderVoucherLookup", () => {
    it("finds the paid attempt of an order, else the newest", async () => {
      const tenants = new DbTenantStore(t().db, keyring);
      const id = await tenants.storeIdFor(storeUrl());
      const lookup = new DbOrderVoucherLookup(t().db);
      expect(await lookup.latestVoucherForOrder(id, 4821)).toBeNull();
      expect(await lookup.latestVoucherForOrder("wc_x", 4821)).toBeNull();
      const make = async (attempt: number) =>
        (
          await insertOrGetVoucher(t().db, {
            tenantId: id,
            platformPaymentId: `4821:${attempt}`,
            idempotencyKey: `${id}:4821:${attempt}`,
            groupKey: "4821",
            requestFingerprint: "f",
            transactionCode: hex(8),
            amount: { minor: 10030, currency: "PEN" },
            status: "pending",
            expiresAt: NOW,
            platformData: {
              platform: { orderId: 4821, attempt },
              engine: { reference: "4821", tokenSecret: hex(12), environment: "sandbox" },
            },
          })
        ).record;
      const first = await make(1);
      const second = await make(2);
      expect((await lookup.latestVoucherForOrder(id, 4821))?.id).toBe(second.id);
      await transitionVoucher(t().db, first.id, "pending", "paid", { paidAt: NOW });
      const found = await lookup.latestVoucherForOrder(id, 4821);
      expect(found).toMatchObject({
        id: first.id,
        status: "paid",
        platformData: { orderId: 4821 },
      });
      expect(typeof found?.publicToken).toBe("string");
    });
  });
});
