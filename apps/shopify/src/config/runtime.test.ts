import type { ConfigError } from "./env";
import { loadRuntimeConfig } from "./runtime";

const base = {
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "super-secret-value",
  APP_URL: "https://pay.pe-pay.test",
  MTLS_MODE: "off",
};

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadRuntimeConfig(env);
    return [];
  } catch (e) {
    return (e as ConfigError).problems.map((p) => p.split(":")[0]!);
  }
};

test("polling and expiry timings, with a validity override for local runs only", () => {
  const defaults = loadRuntimeConfig(base);
  expect(defaults).toMatchObject({ pollAfterMs: 600_000, expiryGraceMs: 300_000 });
  expect(defaults.voucherValiditySeconds).toBeUndefined();
  expect(
    loadRuntimeConfig({
      ...base,
      POLL_AFTER_SECONDS: "5",
      EXPIRY_GRACE_SECONDS: "0",
      VOUCHER_VALIDITY_SECONDS: "90",
    }),
  ).toMatchObject({ pollAfterMs: 5000, expiryGraceMs: 0, voucherValiditySeconds: 90 });
  expect(
    problemsOf({
      ...base,
      NODE_ENV: "production",
      MTLS_MODE: "proxy",
      TRUSTED_PROXY_ADDRESSES: "10.0.0.1",
      SMTP_URL: "smtp://mail.example.pe",
      VOUCHER_VALIDITY_SECONDS: "90",
    }),
  ).toEqual(["VOUCHER_VALIDITY_SECONDS"]);
  expect(problemsOf({ ...base, POLL_AFTER_SECONDS: "0" })).toEqual(["POLL_AFTER_SECONDS"]);
  expect(problemsOf({ ...base, VOUCHER_VALIDITY_SECONDS: "60" })).toEqual([
    "VOUCHER_VALIDITY_SECONDS",
  ]);
});
