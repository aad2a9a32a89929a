import { ConfigError, describeConfig, loadShopifyConfig, shopifyOrigin } from "./env";
import {
  SHOPIFY_API_VERSION,
  apiVersionAtLeast,
  supportsCancelledPaymentReason,
} from "./api-version";

const base = {
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "super-secret-value",
  APP_URL: "https://pay.pe-pay.test/",
};

describe("shopify config", () => {
  test("off mode loads with defaults and a loud warning", () => {
    const warn = jest.fn();
    const c = loadShopifyConfig({ ...base, MTLS_MODE: "off" }, { warn });
    expect(c).toMatchObject({
      apiOrigin: "https://{shop}",
      apiVersion: SHOPIFY_API_VERSION,
      appUrl: "https://pay.pe-pay.test",
      scopes: "write_payment_gateways,write_payment_sessions",
      mtls: { mode: "off" },
      pendingExpiryMarginMs: 3_600_000,
    });
    expect(warn).toHaveBeenCalledWith(expect.anything(), expect.stringMatching(/MTLS IS OFF/));
    expect(JSON.stringify(describeConfig(c))).not.toContain("super-secret-value");
  });

  test("direct is the default and needs the CA bundle and server key pair", () => {
    expect(() => loadShopifyConfig(base)).toThrow(/MTLS_CA_FILE.*required/);
    const c = loadShopifyConfig({
      ...base,
      MTLS_CA_FILE: "/etc/ca.pem",
      MTLS_SERVER_CERT_FILE: "/etc/s.pem",
      MTLS_SERVER_KEY_FILE: "/etc/s.key",
    });
    expect(c.mtls).toEqual({
      mode: "direct",
      caFile: "/etc/ca.pem",
      serverCertFile: "/etc/s.pem",
      serverKeyFile: "/etc/s.key",
    });
  });

  test("proxy mode needs addresses; header name and value are configurable", () => {
    expect(() => loadShopifyConfig({ ...base, MTLS_MODE: "proxy" })).toThrow(ConfigError);
    const c = loadShopifyConfig({
      ...base,
      MTLS_MODE: "proxy",
      TRUSTED_PROXY_ADDRESSES: "10.0.0.1, 10.0.0.2",
      TRUSTED_PROXY_HEADER: "X-SSL-Client-Verify",
      TRUSTED_PROXY_HEADER_VALUE: "SUCCESS",
    });
    expect(c.mtls).toEqual({
      mode: "proxy",
      proxyAddresses: ["10.0.0.1", "10.0.0.2"],
      header: "x-ssl-client-verify",
      headerValue: "SUCCESS",
    });
  });

  test("off is refused in production", () => {
    expect(() => loadShopifyConfig({ ...base, MTLS_MODE: "off", NODE_ENV: "production" })).toThrow(
      /MTLS_MODE/,
    );
  });

  test("the API version is pinned in code: a different env value is refused", () => {
    expect(() =>
      loadShopifyConfig({ ...base, MTLS_MODE: "off", SHOPIFY_API_VERSION: "2025-01" }),
    ).toThrow(/pinned/);
    expect(
      loadShopifyConfig({ ...base, MTLS_MODE: "off", SHOPIFY_API_VERSION: SHOPIFY_API_VERSION })
        .apiVersion,
    ).toBe(SHOPIFY_API_VERSION);
  });

  test("errors name the variable, never its value", () => {
    try {
      loadShopifyConfig({
        ...base,
        SHOPIFY_API_SECRET: "",
        APP_URL: "not a url super-secret-value",
      });
      throw new Error("should fail");
    } catch (e) {
      expect(String(e)).toMatch(/SHOPIFY_API_SECRET/);
      expect(String(e)).not.toContain("super-secret-value");
    }
  });

  test("the origin template stands in the local demo store", () => {
    expect(shopifyOrigin("https://{shop}", "pe-demo.myshopify.com")).toBe(
      "https://pe-demo.myshopify.com",
    );
    const c = loadShopifyConfig({
      ...base,
      MTLS_MODE: "off",
      SHOPIFY_API_ORIGIN: "http://127.0.0.1:4020/",
    });
    expect(shopifyOrigin(c.apiOrigin, "pe-demo.myshopify.com")).toBe("http://127.0.0.1:4020");
  });

  test("version helpers", () => {
    expect(apiVersionAtLeast("2026-07", "2026-04")).toBe(true);
    expect(apiVersionAtLeast("2025-10", "2026-04")).toBe(false);
    expect(supportsCancelledPaymentReason("unstable")).toBe(true);
  });
});
