import { ValidationError } from "@pe-pay/core";
import { loadConfig } from "./index";

test("defaults and normalisation", () => {
  const c = loadConfig({ PUBLIC_URL: "https://bridge.example.pe/" }, "/srv/bridge");
  expect(c).toMatchObject({
    publicUrl: "https://bridge.example.pe",
    port: 4040,
    host: "127.0.0.1",
    dataDir: "/srv/bridge",
    databaseUrl: undefined,
    pagoEfectivoBaseUrl: { sandbox: "http://127.0.0.1:4010", production: undefined },
    signatureToleranceSeconds: 300,
    httpRetries: 3,
    reconcileIntervalSeconds: 300,
  });
  expect(loadConfig({}).publicUrl).toBeUndefined();
});

function issuesOf(env: Record<string, string>) {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    expect(JSON.stringify(e)).not.toContain("hunter2");
    expect((e as Error).message).not.toContain("hunter2");
    return (e as ValidationError).issues.map((i) => i.field).sort();
  }
  return [];
}

test("invalid variables are reported by name, without their value", () => {
  expect(issuesOf({ PORT: "x", PE_API_BASE_URL: "ftp://hunter2" })).toEqual([
    "PE_API_BASE_URL",
    "PORT",
  ]);
  // Cross-variable rules: production needs https; a shared database needs a configured key.
  expect(
    issuesOf({
      NODE_ENV: "production",
      PUBLIC_URL: "http://bridge.example.pe",
      DATABASE_URL: "postgres://user:hunter2@db.example/pe",
    }),
  ).toEqual(["APP_ENCRYPTION_KEY", "PUBLIC_URL"]);
});

test("polling and expiry timings, with a validity override for local runs only", () => {
  const defaults = loadConfig({});
  expect(defaults).toMatchObject({ pollAfterSeconds: 600, expiryGraceSeconds: 300 });
  expect(defaults.voucherValiditySeconds).toBeUndefined();
  expect(
    loadConfig({
      POLL_AFTER_SECONDS: "5",
      EXPIRY_GRACE_SECONDS: "0",
      VOUCHER_VALIDITY_SECONDS: "90",
    }),
  ).toMatchObject({ pollAfterSeconds: 5, expiryGraceSeconds: 0, voucherValiditySeconds: 90 });
  // Under the engine's one-minute minimum for creating a CIP.
  expect(issuesOf({ VOUCHER_VALIDITY_SECONDS: "60" })).toEqual(["VOUCHER_VALIDITY_SECONDS"]);
  expect(
    issuesOf({
      NODE_ENV: "production",
      PUBLIC_URL: "https://bridge.example.pe",
      VOUCHER_VALIDITY_SECONDS: "90",
    }),
  ).toEqual(["VOUCHER_VALIDITY_SECONDS"]);
  expect(issuesOf({ POLL_AFTER_SECONDS: "0" })).toEqual(["POLL_AFTER_SECONDS"]);
});
