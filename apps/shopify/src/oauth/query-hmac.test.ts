import {
  computeQueryHmac,
  isQueryHmacValid,
  isTimestampFresh,
  queryHmacMessage,
} from "./query-hmac";
import { isValidShopDomain } from "./shop-domain";

describe("OAuth query HMAC", () => {
  // The worked example from Shopify's OAuth documentation (secret "hush").
  const docsQuery =
    "code=0907a61c0c8d55e99db179b68161bc00&hmac=700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173";

  test("Shopify's documented vector verifies", () => {
    expect(isQueryHmacValid(new URLSearchParams(docsQuery), "hush")).toBe(true);
    expect(isQueryHmacValid(new URLSearchParams(docsQuery), "other")).toBe(false);
  });

  test("hmac and signature are dropped and the rest sorted by key", () => {
    const q = {
      timestamp: "1773500000",
      shop: "pe-demo.myshopify.com",
      host: "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvcGUtZGVtbw",
      hmac: "x",
      signature: "y",
    };
    expect(queryHmacMessage(q)).toBe(
      "host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvcGUtZGVtbw&shop=pe-demo.myshopify.com&timestamp=1773500000",
    );
    // Precomputed with `openssl dgst -sha256 -hmac test-secret` over the message above.
    expect(computeQueryHmac(q, "test-secret")).toBe(
      "b0256dcfbb3cd674e71b2f6987c5b1935d955bd6b765346911687d34e3a97f78",
    );
  });

  test("special characters are form-encoded with %20 for spaces (as @shopify/shopify-api does)", () => {
    const q = { shop: "pe-demo.myshopify.com", a: "x y&z=1%" };
    expect(queryHmacMessage(q)).toBe("a=x%20y%26z%3D1%25&shop=pe-demo.myshopify.com");
    expect(computeQueryHmac(q, "test-secret")).toBe(
      "39760db34dfc937c77dc9849ed3ca8722d5ce74fb0bc7bd8a1f785f6d7769615",
    );
  });

  test("a tampered parameter, a missing or malformed hmac all fail", () => {
    const q = new URLSearchParams(docsQuery);
    q.set("shop", "evil.myshopify.com");
    expect(isQueryHmacValid(q, "hush")).toBe(false);
    expect(isQueryHmacValid({ shop: "a.myshopify.com" }, "hush")).toBe(false);
    expect(isQueryHmacValid({ shop: "a.myshopify.com", hmac: "zz" }, "hush")).toBe(false);
  });

  test("uppercase hex is accepted", () => {
    const q = new URLSearchParams(docsQuery);
    q.set("hmac", q.get("hmac")!.toUpperCase());
    expect(isQueryHmacValid(q, "hush")).toBe(true);
  });

  test("timestamp freshness window", () => {
    const now = new Date(1_773_500_000_000);
    expect(isTimestampFresh("1773500000", now, 300_000)).toBe(true);
    expect(isTimestampFresh("1773499000", now, 300_000)).toBe(false);
    expect(isTimestampFresh("abc", now, 300_000)).toBe(false);
    expect(isTimestampFresh(undefined, now, 300_000)).toBe(false);
  });

  test.each([
    ["pe-demo.myshopify.com", true],
    ["PE-Demo.myshopify.com", true],
    ["-bad.myshopify.com", false],
    ["pe-demo.myshopify.com.evil.com", false],
    ["evil.com/pe-demo.myshopify.com", false],
    ["pe-demo.example.com", false],
    ["", false],
  ])("shop domain %s valid=%s", (shop, ok) => {
    expect(isValidShopDomain(shop)).toBe(ok);
  });
});
