import { ValidationError } from "@pe-pay/core";
import { loadConfig } from "./index";

const base = {
  WOO_BRIDGE_PUBLIC_URL: "https://bridge.example.pe/",
  VOUCHER_PAGE_BASE_URL: "https://pagos.example.pe/v",
  WOO_CREDENTIALS_KEY: Buffer.alloc(32, 1).toString("base64"),
};

test("defaults and normalisation", () => {
  const c = loadConfig(base);
  expect(c).toMatchObject({
    publicUrl: "https://bridge.example.pe",
    port: 4030,
    signatureToleranceSeconds: 300,
    httpRetries: 3,
  });
  expect(c.credentialsKey).toHaveLength(32);
});

test("every invalid variable is reported, without its value", () => {
  const secret = Buffer.alloc(16, 9).toString("base64");
  let error: unknown;
  try {
    loadConfig({
      ...base,
      WOO_BRIDGE_PUBLIC_URL: "http://bridge.example.pe",
      WOO_CREDENTIALS_KEY: secret,
      WOO_BRIDGE_PORT: "x",
    });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationError);
  const fields = (error as ValidationError).issues.map((i) => i.field).sort();
  expect(fields).toEqual(["WOO_BRIDGE_PORT", "WOO_BRIDGE_PUBLIC_URL", "WOO_CREDENTIALS_KEY"]);
  expect((error as Error).message).not.toContain(secret);
});
