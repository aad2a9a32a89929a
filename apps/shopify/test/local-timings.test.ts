/**
 * Local-only timings (VOUCHER_VALIDITY_SECONDS, POLL_AFTER_SECONDS, EXPIRY_GRACE_SECONDS): a
 * short CIP validity reaches PagoEfectivo and Shopify's pendingExpiresAt still outlives the CIP;
 * expiry honours the configured grace. Both databases.
 */
import { getVoucher } from "@pe-pay/engine";
import { forEachDatabase } from "../../../packages/engine/test/support/databases";
import {
  eventually,
  fakeShopify,
  paymentSessionBody,
  postJson,
  sessionHeaders,
  startAppHarness,
  type AppHarness,
} from "./app-harness";

const shopify = fakeShopify();
beforeAll(() => shopify.server.listen({ onUnhandledRequest: "bypass" }));
afterAll(() => shopify.server.close());

forEachDatabase("shopify local timings", (t) => {
  let h: AppHarness;
  let shop: string;
  let tenantId: string;

  beforeAll(async () => {
    h = await startAppHarness(t().db, {
      VOUCHER_VALIDITY_SECONDS: "90",
      POLL_AFTER_SECONDS: "5",
      EXPIRY_GRACE_SECONDS: "0",
    });
    ({ shop, tenantId } = await h.install());
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it("the engine gets the configured poll-after and grace", () => {
    expect(h.app.ctx.config).toMatchObject({ pollAfterMs: 5000, expiryGraceMs: 0 });
  });

  it("a CIP lives VOUCHER_VALIDITY_SECONDS; pendingExpiresAt is not before it; expiry right after", async () => {
    const body = paymentSessionBody();
    const before = h.clock.now().getTime();
    const res = await postJson(`${h.app.url}/shopify/payment-session`, body, sessionHeaders(shop));
    expect(res.status).toBe(200);
    const after = h.clock.now().getTime();
    const voucher = (await h.app.engine.getVoucherByIdempotencyKey(tenantId, body.id as string))!;
    // The deadline is read inside the request (and floored to the second): bound it by the
    // clock before and after the request, not before alone.
    expect(voucher.expiresAt.getTime() - before).toBeGreaterThan(85_000);
    expect(voucher.expiresAt.getTime() - after).toBeLessThanOrEqual(90_000);

    const cips = await h.control("GET", "/_sandbox/cips");
    const remote = cips.json.data.find((c: { cip: number }) => String(c.cip) === voucher.cip);
    expect(new Date(remote.dateExpiry).getTime()).toBe(voucher.expiresAt.getTime());

    await h.app.dispatcher.runOnce();
    const pending = shopify.of("paymentSessionPending").find((m) => m.variables.id === body.gid)!;
    expect(new Date(String(pending.variables.pendingExpiresAt)).getTime()).toBeGreaterThanOrEqual(
      voucher.expiresAt.getTime(),
    );

    // No grace: a second past the deadline the voucher expires.
    await h.advance(voucher.expiresAt.getTime() - h.clock.now().getTime() + 1000);
    await eventually(async () => {
      await h.app.engine.runExpiryOnce();
      return (await getVoucher(t().db, voucher.id))?.status === "expired";
    });
    await h.advance(-h.clock.offsetMs);
  });
});
