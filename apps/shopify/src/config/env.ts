import { z } from "zod";
import { SHOPIFY_API_VERSION, isApiVersion } from "./api-version";

/**
 * The Shopify app's configuration, validated once at start-up. Secrets live only in the returned
 * object; `describeConfig` is the only thing meant for a log line.
 */
export const MTLS_MODES = ["off", "direct", "proxy"] as const;
export type MtlsMode = (typeof MTLS_MODES)[number];

const DEFAULT_SCOPES = "write_payment_gateways,write_payment_sessions";

const csv = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  );

const intFromEnv = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const EnvSchema = z
  .object({
    NODE_ENV: z.string().optional(),
    SHOPIFY_API_KEY: z.string().min(1, "required"),
    SHOPIFY_API_SECRET: z.string().min(1, "required"),
    /**
     * Base URL for calls to Shopify (OAuth token exchange, Payments Apps GraphQL). `{shop}` is
     * replaced by the shop domain, so the local demo store can stand in for Shopify.
     */
    SHOPIFY_API_ORIGIN: z
      .string()
      .default("https://{shop}")
      .refine((v) => URL.canParse(v.replace("{shop}", "shop.example")), "must be a URL"),
    /** Only accepted when equal to the pinned constant: the version lives in code, not env. */
    SHOPIFY_API_VERSION: z.string().optional(),
    SHOPIFY_SCOPES: z.string().default(DEFAULT_SCOPES),
    APP_URL: z
      .url()
      .transform((v) => v.replace(/\/+$/, ""))
      .refine((v) => /^https?:\/\//.test(v), "must be http(s)"),
    MTLS_MODE: z.enum(MTLS_MODES).default("direct"),
    MTLS_CA_FILE: z.string().min(1).optional(),
    MTLS_SERVER_CERT_FILE: z.string().min(1).optional(),
    MTLS_SERVER_KEY_FILE: z.string().min(1).optional(),
    TRUSTED_PROXY_ADDRESSES: csv,
    TRUSTED_PROXY_HEADER: z.string().min(1).default("x-client-cert-verified"),
    TRUSTED_PROXY_HEADER_VALUE: z.string().min(1).default("SUCCESS"),
    /** pendingExpiresAt = CIP expiry + this margin, so Shopify never gives up before the CIP. */
    PENDING_EXPIRY_MARGIN_MINUTES: intFromEnv(60, 1, 24 * 60),
    OAUTH_TIMESTAMP_TOLERANCE_SECONDS: intFromEnv(300, 30, 24 * 3600),
  })
  .superRefine((env, ctx) => {
    if (env.SHOPIFY_API_VERSION !== undefined && env.SHOPIFY_API_VERSION !== SHOPIFY_API_VERSION) {
      ctx.addIssue({
        code: "custom",
        path: ["SHOPIFY_API_VERSION"],
        message: `is pinned to ${SHOPIFY_API_VERSION} in code (and the TOML files); do not override it`,
      });
    }
    if (env.MTLS_MODE === "direct") {
      for (const key of [
        "MTLS_CA_FILE",
        "MTLS_SERVER_CERT_FILE",
        "MTLS_SERVER_KEY_FILE",
      ] as const) {
        if (!env[key])
          ctx.addIssue({ code: "custom", path: [key], message: "required when MTLS_MODE=direct" });
      }
    }
    if (env.MTLS_MODE === "proxy" && env.TRUSTED_PROXY_ADDRESSES.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["TRUSTED_PROXY_ADDRESSES"],
        message: "required when MTLS_MODE=proxy",
      });
    }
    if (env.MTLS_MODE === "off" && env.NODE_ENV === "production") {
      ctx.addIssue({
        code: "custom",
        path: ["MTLS_MODE"],
        message: "off is for local development only; use direct or proxy in production",
      });
    }
  });

export type MtlsConfig =
  | { mode: "off" }
  | { mode: "direct"; caFile: string; serverCertFile: string; serverKeyFile: string }
  | { mode: "proxy"; proxyAddresses: string[]; header: string; headerValue: string };

export interface ShopifyConfig {
  apiKey: string;
  apiSecret: string;
  /** Template with `{shop}`; see `shopifyOrigin`. */
  apiOrigin: string;
  apiVersion: string;
  scopes: string;
  appUrl: string;
  mtls: MtlsConfig;
  pendingExpiryMarginMs: number;
  oauthTimestampToleranceMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid Shopify app configuration: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

export interface ConfigLogger {
  warn(obj: object, msg: string): void;
}

/** Parses `env`; never echoes values (they may be secrets), only the names of bad variables. */
export function loadShopifyConfig(
  env: Record<string, string | undefined>,
  logger?: ConfigLogger,
): ShopifyConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const e = parsed.data;
  if (!isApiVersion(SHOPIFY_API_VERSION))
    throw new ConfigError(["pinned API version is malformed"]);
  let mtls: MtlsConfig;
  if (e.MTLS_MODE === "direct") {
    mtls = {
      mode: "direct",
      caFile: e.MTLS_CA_FILE!,
      serverCertFile: e.MTLS_SERVER_CERT_FILE!,
      serverKeyFile: e.MTLS_SERVER_KEY_FILE!,
    };
  } else if (e.MTLS_MODE === "proxy") {
    mtls = {
      mode: "proxy",
      proxyAddresses: e.TRUSTED_PROXY_ADDRESSES,
      header: e.TRUSTED_PROXY_HEADER.toLowerCase(),
      headerValue: e.TRUSTED_PROXY_HEADER_VALUE,
    };
  } else {
    mtls = { mode: "off" };
    logger?.warn(
      { mtlsMode: "off" },
      "MTLS IS OFF: payment/refund session requests are NOT authenticated. Local development only.",
    );
  }
  return {
    apiKey: e.SHOPIFY_API_KEY,
    apiSecret: e.SHOPIFY_API_SECRET,
    apiOrigin: e.SHOPIFY_API_ORIGIN.replace(/\/+$/, ""),
    apiVersion: SHOPIFY_API_VERSION,
    scopes: e.SHOPIFY_SCOPES,
    appUrl: e.APP_URL,
    mtls,
    pendingExpiryMarginMs: e.PENDING_EXPIRY_MARGIN_MINUTES * 60_000,
    oauthTimestampToleranceMs: e.OAUTH_TIMESTAMP_TOLERANCE_SECONDS * 1000,
  };
}

/** `https://{shop}` → `https://pe-demo.myshopify.com`; a fixed origin (local demo) stays as is. */
export function shopifyOrigin(apiOrigin: string, shopDomain: string): string {
  return apiOrigin.replace("{shop}", shopDomain);
}

/** Safe for logs: no secrets. */
export function describeConfig(c: ShopifyConfig): Record<string, unknown> {
  return { apiOrigin: c.apiOrigin, apiVersion: c.apiVersion, appUrl: c.appUrl, mtls: c.mtls.mode };
}
