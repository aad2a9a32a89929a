/**
 * The per-shop logout instant in storage (MerchantSessionStore), on both databases: taken from
 * the database clock, never before the logged-out session's own issue time, only moving forward,
 * one per shop.
 */
import { createTestTenant, forEachDatabase } from "../../../packages/engine/test/support/databases";
import { MerchantSessionStore } from "../src/storage/merchant-sessions";

forEachDatabase("merchant session logouts in storage", (t) => {
  let store: MerchantSessionStore;
  beforeAll(() => {
    store = new MerchantSessionStore(t().db);
  });

  async function dbNow(): Promise<number> {
    const { rows } = await t().db.query<{ now: Date }>(
      "SELECT date_trunc('milliseconds', clock_timestamp()) AS now",
    );
    return rows[0]!.now.getTime();
  }

  it("no logout yet: no instant", async () => {
    const tenant = await createTestTenant(t().db);
    expect(await store.notBefore(tenant.shopDomain)).toBeNull();
  });

  it("an unknown shop stores nothing", async () => {
    expect(await store.logOut("nadie.myshopify.com", new Date(0))).toBeNull();
    expect(await store.notBefore("nadie.myshopify.com")).toBeNull();
  });

  it("a logout is stamped with the database's now, in whole milliseconds", async () => {
    const tenant = await createTestTenant(t().db);
    const before = await dbNow();
    const instant = await store.logOut(tenant.shopDomain, new Date(0));
    const after = await dbNow();
    expect(instant!.getTime()).toBeGreaterThanOrEqual(before);
    expect(instant!.getTime()).toBeLessThanOrEqual(after);
    expect(await store.notBefore(tenant.shopDomain)).toEqual(instant);
    // Stored without sub-millisecond digits, which an issue time (ms) could never reach.
    const { rows } = await t().db.query<{ whole: boolean }>(
      `SELECT not_before = date_trunc('milliseconds', not_before) AS whole
       FROM shopify_merchant_sessions WHERE tenant_id = $1`,
      [tenant.id],
    );
    expect(rows[0]!.whole).toBe(true);
  });

  it("never at or before the logged-out session's issue time (an issuer clock running ahead)", async () => {
    const tenant = await createTestTenant(t().db);
    const issued = new Date((await dbNow()) + 3_600_000);
    const instant = await store.logOut(tenant.shopDomain, issued);
    expect(instant!.getTime()).toBe(issued.getTime() + 1);
  });

  it("only moves forward, and each shop keeps its own", async () => {
    const one = await createTestTenant(t().db);
    const two = await createTestTenant(t().db);
    const late = new Date((await dbNow()) + 3_600_000);
    await store.logOut(one.shopDomain, late);
    const kept = await store.logOut(one.shopDomain, new Date(0));
    expect(kept!.getTime()).toBe(late.getTime() + 1);
    expect((await store.notBefore(one.shopDomain))!.getTime()).toBe(late.getTime() + 1);
    expect(await store.notBefore(two.shopDomain)).toBeNull();
    const { rows } = await t().db.query(
      "SELECT count(*)::int AS n FROM shopify_merchant_sessions WHERE tenant_id = $1",
      [one.id],
    );
    expect(rows[0]!.n).toBe(1);
  });

  it("finds the shop whatever the case of its domain", async () => {
    const tenant = await createTestTenant(t().db);
    const instant = await store.logOut(tenant.shopDomain.toUpperCase(), new Date(0));
    expect(instant).not.toBeNull();
    expect(await store.notBefore(` ${tenant.shopDomain.toUpperCase()} `)).toEqual(instant);
  });

  it("goes with the tenant", async () => {
    const tenant = await createTestTenant(t().db);
    await store.logOut(tenant.shopDomain, new Date(0));
    await t().db.query("DELETE FROM tenants WHERE id = $1", [tenant.id]);
    const { rows } = await t().db.query(
      "SELECT count(*)::int AS n FROM shopify_merchant_sessions WHERE tenant_id = $1",
      [tenant.id],
    );
    expect(rows[0]!.n).toBe(0);
  });
});
