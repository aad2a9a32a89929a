/* eslint-disable @typescript-eslint/no-explicit-any -- parsed TOML is untyped; the assertions are the type check */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import { SHOPIFY_API_VERSION } from "../src/config/api-version";
import { OAUTH_PATHS } from "../src/oauth/routes";
import { SESSION_PATHS } from "../src/session-requests/handlers";
import { SESSION_MOUNT } from "../src/app";
import { WEBHOOK_PATHS } from "../src/webhooks/routes";

const ROOT = join(__dirname, "..", "..", "..");
const appToml = parse(readFileSync(join(ROOT, "shopify.app.toml"), "utf8")) as Record<string, any>;
const extToml = parse(
  readFileSync(join(ROOT, "extensions", "shopify-pagoefectivo", "shopify.extension.toml"), "utf8"),
) as Record<string, any>;
const ext = extToml.extensions[0] as Record<string, any>;

describe("shopify.app.toml", () => {
  test("required keys (contract §7)", () => {
    expect(typeof appToml.client_id).toBe("string");
    expect(typeof appToml.name).toBe("string");
    expect(appToml.application_url).toMatch(/^https:\/\//);
    expect(appToml.embedded).toBe(false);
    expect(appToml.pos.embedded).toBe(false);
    expect(appToml.access_scopes.scopes).toBe("write_payment_gateways,write_payment_sessions");
  });

  test("webhooks use the pinned API version and the app's routes", () => {
    expect(appToml.webhooks.api_version).toBe(SHOPIFY_API_VERSION);
    const subs = appToml.webhooks.subscriptions as Array<Record<string, any>>;
    expect(subs).toContainEqual({ topics: ["app/uninstalled"], uri: WEBHOOK_PATHS.appUninstalled });
    expect(subs).toContainEqual({
      compliance_topics: ["customers/data_request", "customers/redact", "shop/redact"],
      uri: WEBHOOK_PATHS.compliance,
    });
    expect(appToml.webhooks.privacy_compliance).toBeUndefined();
  });

  test("the OAuth redirect URL is the callback route on the application host", () => {
    const host = new URL(appToml.application_url).origin;
    expect(appToml.auth.redirect_urls).toEqual([`${host}${OAUTH_PATHS.callback}`]);
  });
});

describe("extensions/shopify-pagoefectivo/shopify.extension.toml", () => {
  test("api_version equals the pinned constant", () => {
    expect(extToml.api_version).toBe(SHOPIFY_API_VERSION);
  });

  test("offsite payments extension for PagoEfectivo in Peru (PEN and USD)", () => {
    expect(extToml.extensions).toHaveLength(1);
    expect(ext.type).toBe("payments_extension");
    expect(ext.handle).toMatch(/^[a-z0-9-]{1,50}$/);
    expect(ext.merchant_label.length).toBeLessThanOrEqual(50);
    expect(ext.buyer_label.length).toBeLessThanOrEqual(50);
    expect(ext.supported_countries).toEqual(["PE"]);
    expect(ext.supported_payment_methods).toEqual(["pagoefectivo"]);
    expect(ext.supported_buyer_contexts).toEqual([
      { currency: "PEN", countries: ["PE"] },
      { currency: "USD", countries: ["PE"] },
    ]);
    expect(ext.targeting).toEqual([{ target: "payments.offsite.render" }]);
  });

  test("every boolean is set; installments equal deferred; no oversell without callback", () => {
    for (const key of [
      "test_mode_available",
      "supports_3ds",
      "supports_installments",
      "supports_deferred_payments",
      "multiple_capture",
      "supports_oversell_protection",
    ]) {
      expect(typeof ext[key]).toBe("boolean");
    }
    expect(ext.test_mode_available).toBe(true);
    expect(ext.supports_installments).toBe(ext.supports_deferred_payments);
    if (ext.supports_oversell_protection) expect(ext.confirmation_callback_url).toBeDefined();
  });

  test("session URLs point at the app's routes; sale only: no capture/void URLs", () => {
    expect(new URL(ext.payment_session_url).pathname).toBe(
      `${SESSION_MOUNT}${SESSION_PATHS.payment}`,
    );
    expect(new URL(ext.refund_session_url).pathname).toBe(
      `${SESSION_MOUNT}${SESSION_PATHS.refund}`,
    );
    expect(ext.capture_session_url).toBeUndefined();
    expect(ext.void_session_url).toBeUndefined();
    for (const t of ext.buyer_label_translations) expect(t.label.length).toBeLessThanOrEqual(50);
  });

  test("the contract's example TOML has the same shape as ours", () => {
    const example = parse(
      readFileSync(join(__dirname, "fixtures", "toml", "shopify.extension.toml"), "utf8"),
    ) as Record<string, any>;
    const exampleKeys = Object.keys(example.extensions[0]).sort();
    expect(Object.keys(ext).sort()).toEqual(exampleKeys);
  });
});
