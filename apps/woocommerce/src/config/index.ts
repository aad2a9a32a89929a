import { z } from "zod";
import { ValidationError } from "@pe-pay/core";

/**
 * The bridge's whole configuration, read once from the environment. Errors name the variable
 * and the rule, never the value (several of these are secrets).
 */
const httpsUrl = z
  .string()
  .url()
  .refine((u) => u.startsWith("https://"), "must be an https:// URL")
  .transform((u) => u.replace(/\/+$/, ""));

const schema = z.object({
  WOO_BRIDGE_HOST: z.string().default("127.0.0.1"),
  WOO_BRIDGE_PORT: z.coerce.number().int().min(0).max(65535).default(4030),
  /** Where WooCommerce reaches the bridge (wc-auth callback, webhook delivery URL): https only. */
  WOO_BRIDGE_PUBLIC_URL: httpsUrl,
  /** Hosted voucher pages live under this URL + "/" + publicToken. */
  VOUCHER_PAGE_BASE_URL: httpsUrl,
  /** base64 of 32 random bytes: AES-256-GCM key for stored WooCommerce REST keys. */
  WOO_CREDENTIALS_KEY: z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === 32, "must be base64 of exactly 32 bytes"),
  WOO_APP_NAME: z.string().min(1).max(60).default("PagoEfectivo"),
  WOO_HTTP_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(15_000),
  WOO_HTTP_RETRIES: z.coerce.number().int().min(0).max(6).default(3),
  PLUGIN_SIGNATURE_TOLERANCE_SECONDS: z.coerce.number().int().min(30).max(900).default(300),
  WC_AUTH_STATE_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(1800),
  RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(300),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type WooBridgeConfig = {
  host: string;
  port: number;
  publicUrl: string;
  voucherPageBaseUrl: string;
  credentialsKey: Buffer;
  appName: string;
  httpTimeoutMs: number;
  httpRetries: number;
  signatureToleranceSeconds: number;
  wcAuthStateTtlSeconds: number;
  reconcileIntervalSeconds: number;
  logLevel: z.infer<typeof schema>["LOG_LEVEL"];
};

export function loadConfig(env: Record<string, string | undefined> = process.env): WooBridgeConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ValidationError(
      parsed.error.issues.map((i) => ({
        field: i.path.join(".") || "env",
        code: i.code,
        message: i.message,
      })),
      { merchantMessage: "The WooCommerce bridge configuration is invalid." },
    );
  }
  const e = parsed.data;
  return {
    host: e.WOO_BRIDGE_HOST,
    port: e.WOO_BRIDGE_PORT,
    publicUrl: e.WOO_BRIDGE_PUBLIC_URL,
    voucherPageBaseUrl: e.VOUCHER_PAGE_BASE_URL,
    credentialsKey: Buffer.from(e.WOO_CREDENTIALS_KEY, "base64"),
    appName: e.WOO_APP_NAME,
    httpTimeoutMs: e.WOO_HTTP_TIMEOUT_MS,
    httpRetries: e.WOO_HTTP_RETRIES,
    signatureToleranceSeconds: e.PLUGIN_SIGNATURE_TOLERANCE_SECONDS,
    wcAuthStateTtlSeconds: e.WC_AUTH_STATE_TTL_SECONDS,
    reconcileIntervalSeconds: e.RECONCILE_INTERVAL_SECONDS,
    logLevel: e.LOG_LEVEL,
  };
}
