/**
 * Logging out of the merchant UI holds on every app instance: two instances of the whole app on
 * one database (each its own process state, as behind a load balancer), sessions issued by the
 * real OAuth callback. Log out on one and the same cookie is refused on the other; a session
 * issued after the logout works on both; clock skew between the instances and the database
 * never lets the logged-out session back in. Both databases.
 */
import { randomBytes } from "node:crypto";
import { forEachDatabase } from "../../../packages/engine/test/support/databases";
import { SESSION_COOKIE } from "../src/merchant/session";
import { computeQueryHmac } from "../src/oauth/query-hmac";
import { fakeShopify, startAppHarness, type AppHarness } from "./app-harness";
import { SECRET } from "./helpers";

const shopify = fakeShopify();
beforeAll(() => shopify.server.listen({ onUnhandledRequest: "bypass" }));
afterAll(() => shopify.server.close());

const MINUTE = 60_000;

function cookiesOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

forEachDatabase("merchant logout across app instances", (t) => {
  let a: AppHarness;
  let b: AppHarness;

  beforeAll(async () => {
    a = await startAppHarness(t().db);
    // Its own pool on PostgreSQL (the same PGlite otherwise): nothing shared but the database.
    b = await startAppHarness(await t().connect());
  }, 90_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });
  afterEach(() => {
    a.clock.offsetMs = 0;
    b.clock.offsetMs = 0;
  });

  const newShop = () => `lo-${randomBytes(4).toString("hex")}.myshopify.com`;

  /** Opens the app from the Shopify admin on instance `h`: the session cookie its callback sets. */
  async function signIn(h: AppHarness, shop: string): Promise<string> {
    const signed = (p: Record<string, string>) =>
      new URLSearchParams({ ...p, hmac: computeQueryHmac(p, SECRET) }).toString();
    const timestamp = String(Math.floor(h.clock.now().getTime() / 1000));
    const start = await fetch(`${h.app.url}/auth?${signed({ shop, timestamp })}`, {
      redirect: "manual",
    });
    expect(start.status).toBe(302);
    const state = new URL(start.headers.get("location")!).searchParams.get("state")!;
    const back = await fetch(
      `${h.app.url}/auth/callback?${signed({ shop, timestamp, code: "good-code", state })}`,
      { redirect: "manual", headers: { cookie: cookiesOf(start) } },
    );
    expect(back.status).toBe(302);
    const cookie = cookiesOf(back);
    expect(cookie).toContain(`${SESSION_COOKIE}=`);
    return cookie;
  }

  const dashboard = (h: AppHarness, cookie: string) =>
    fetch(`${h.app.url}/dashboard?lang=en`, { redirect: "manual", headers: { cookie } });

  async function csrfOf(h: AppHarness, cookie: string): Promise<string> {
    const html = await (await dashboard(h, cookie)).text();
    return /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
  }

  const post = (h: AppHarness, path: string, cookie: string, fields: Record<string, string>) =>
    fetch(`${h.app.url}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    });

  async function logOut(h: AppHarness, cookie: string) {
    const res = await post(h, "/logout", cookie, { _csrf: await csrfOf(h, cookie), lang: "en" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Logged out");
  }

  async function notBeforeOf(shop: string): Promise<Date | null> {
    const { rows } = await t().db.query<{ not_before: Date }>(
      `SELECT m.not_before FROM shopify_merchant_sessions m JOIN tenants t ON t.id = m.tenant_id
       WHERE t.shop_domain = $1`,
      [shop],
    );
    return rows[0]?.not_before ?? null;
  }

  it("logged out on one instance, the same cookie is refused on the other", async () => {
    const shop = newShop();
    const cookie = await signIn(a, shop);
    expect((await dashboard(a, cookie)).status).toBe(200);
    expect((await dashboard(b, cookie)).status).toBe(200);
    const csrf = await csrfOf(b, cookie);

    await logOut(a, cookie);

    // B never saw the logout: only the database tells it.
    const refused = await dashboard(b, cookie);
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain("Invalid session");
    expect((await fetch(`${b.app.url}/settings`, { headers: { cookie } })).status).toBe(401);
    // Actions too, with the CSRF token that went with the cookie.
    const action = await post(b, "/dashboard/alerts/1/dismiss", cookie, { _csrf: csrf });
    expect(action.status).toBe(401);
    expect((await dashboard(a, cookie)).status).toBe(401);
  });

  it("a session issued after the logout works on both instances", async () => {
    const shop = newShop();
    const before = await signIn(a, shop);
    await logOut(b, before);
    expect((await dashboard(a, before)).status).toBe(401);

    const after = await signIn(a, shop);
    expect((await dashboard(a, after)).status).toBe(200);
    expect((await dashboard(b, after)).status).toBe(200);
    const again = await signIn(b, shop);
    expect((await dashboard(a, again)).status).toBe(200);
    expect((await dashboard(b, again)).status).toBe(200);
  });

  it("ends every session of the shop issued before it, and no other shop's", async () => {
    const shop = newShop();
    const otherShop = newShop();
    const here = await signIn(a, shop);
    const otherBrowser = await signIn(b, shop);
    const otherShops = await signIn(a, otherShop);

    await logOut(a, here);

    expect((await dashboard(a, otherBrowser)).status).toBe(401);
    expect((await dashboard(b, otherBrowser)).status).toBe(401);
    expect((await dashboard(a, otherShops)).status).toBe(200);
    expect((await dashboard(b, otherShops)).status).toBe(200);
  });

  it("a copy of a logged-out cookie cannot log out the sessions issued since", async () => {
    const shop = newShop();
    const old = await signIn(a, shop);
    const oldCsrf = await csrfOf(a, old);
    await logOut(a, old);
    const instant = await notBeforeOf(shop);
    expect(instant).not.toBeNull();
    const fresh = await signIn(b, shop);

    // On B, which has no memory of the logout: answered like a cookie-less logout.
    const res = await post(b, "/logout", old, { _csrf: oldCsrf });
    expect(res.status).toBe(200);
    expect(await notBeforeOf(shop)).toEqual(instant);
    expect((await dashboard(a, fresh)).status).toBe(200);
    expect((await dashboard(b, fresh)).status).toBe(200);
  });

  it("an instance whose clock runs ahead cannot keep its session past the logout", async () => {
    // A's session says it was issued ten minutes after the database's now: the logout instant
    // is moved past it, so it is refused everywhere all the same.
    a.clock.offsetMs = 10 * MINUTE;
    const shop = newShop();
    const cookie = await signIn(a, shop);
    expect((await dashboard(b, cookie)).status).toBe(200);
    await logOut(a, cookie);
    expect((await dashboard(b, cookie)).status).toBe(401);
    a.clock.offsetMs = 0;
    expect((await dashboard(a, cookie)).status).toBe(401);
  });

  it("an instance whose clock runs behind refuses what it issues before the logout instant", async () => {
    const shop = newShop();
    await logOut(a, await signIn(a, shop));
    // Failing closed: B dates its new session ten minutes before the logout, so both instances
    // refuse it until the merchant opens the app again with B's clock past the instant.
    b.clock.offsetMs = -10 * MINUTE;
    const early = await signIn(b, shop);
    expect((await dashboard(a, early)).status).toBe(401);
    expect((await dashboard(b, early)).status).toBe(401);
    b.clock.offsetMs = 0;
    const later = await signIn(b, shop);
    expect((await dashboard(a, later)).status).toBe(200);
  });
});
