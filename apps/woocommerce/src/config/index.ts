import { z } from "zod";
import { ValidationError } from "@pe-pay/core";

/**
 * The bridge's whole configuration, read once from the environment. Errors name the variable
 * and the rule, never the value (several of these are secrets).
 */
const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL")
  .transform((u) => u.replace(/\/+$/, ""));

const seconds = (min: number, max: number, dflt: number) =>
  z.coerce.number().int().min(min).max(max).default(dflt);

const schema = z
  .object({
    NODE_ENV: z.string().default("development"),
    HOST: z.string().default("127.0.0.1"),
    PORT: z.coerce.number().int().min(0).max(65535).default(4040),
    /**
     * Where WooCommerce and shoppers reach the bridge: wc-auth callback, webhook delivery URL,
     * PagoEfectivo notification URL, voucher pages. WooCommerce refuses a non-https callback, so
     * https is required in production; plain http is accepted for local runs.
     */
    PUBLIC_URL: httpUrl.optional(),
    /** PostgreSQL; without it, embedded PGlite under DATA_DIR/.data/woocommerce. */
    DATABASE_URL: z.string().min(1).optional(),
    DATA_DIR: z.string().min(1).optional(),
    /** base64 of 32 bytes, or "id:base64,…" (first = primary). Required with DATABASE_URL. */
    APP_ENCRYPTION_KEY: z.string().optional(),
    /** PagoEfectivo API for sandbox credentials (the local emulator by default). */
    PE_API_BASE_URL: httpUrl.default("http://127.0.0.1:4010"),
    /** PagoEfectivo API for production credentials; unset = production cannot be chosen. */
    PE_API_BASE_URL_PRODUCTION: httpUrl.optional(),
    WOO_APP_NAME: z.string().min(1).max(60).default("PagoEfectivo"),
    WOO_HTTP_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(15_000),
    WOO_HTTP_RETRIES: z.coerce.number().int().min(0).max(6).default(3),
    PLUGIN_SIGNATURE_TOLERANCE_SECONDS: seconds(30, 900, 300),
    WC_AUTH_STATE_TTL_SECONDS: seconds(60, 3600, 1800),
    /** Local runs only: accept an http wc-auth callback on 127.0.0.1/localhost. */
    WC_AUTH_ALLOW_HTTP_LOOPBACK: z.enum(["0", "1", "false", "true"]).default("0"),
    RECONCILE_INTERVAL_SECONDS: seconds(5, 86_400, 300),
    /** How far back the first reconciliation of a store looks. */
    RECONCILE_LOOKBACK_SECONDS: seconds(60, 30 * 86_400, 3 * 86_400),
    EXPIRY_INTERVAL_SECONDS: seconds(1, 3600, 30),
    /** A pending voucher with no news for this long is checked with PagoEfectivo (lost notifications). */
    POLL_AFTER_SECONDS: seconds(1, 86_400, 600),
    /** Extra time after a CIP's deadline before the order is cancelled (last-minute payments). */
    EXPIRY_GRACE_SECONDS: seconds(0, 3600, 300),
    /** Local runs and demos only: CIPs expire after this many seconds instead of the merchant's hours. */
    // The engine refuses to create a CIP with under a minute left; keep a margin above it.
    VOUCHER_VALIDITY_SECONDS: z.coerce.number().int().min(90).max(86_400).optional(),
    POLL_INTERVAL_SECONDS: seconds(1, 3600, 60),
    OUTBOX_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
    REFUND_INTERVAL_SECONDS: seconds(1, 3600, 60),
    /** How often every store's merchant alerts are brought up to date. */
    ALERTS_INTERVAL_SECONDS: seconds(10, 86_400, 300),
    ADMIN_SESSION_MINUTES: z.coerce.number().int().min(5).max(240).default(30),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(15_000),
    LOG_LEVEL: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info"),
  })
  .superRefine((e, ctx) => {
    if (e.NODE_ENV === "production" && !e.PUBLIC_URL?.startsWith("https://")) {
      ctx.addIssue({
        code: "custom",
        path: ["PUBLIC_URL"],
        message: "must be an https:// URL in production",
      });
    }
    if (e.NODE_ENV === "production" && ["1", "true"].includes(e.WC_AUTH_ALLOW_HTTP_LOOPBACK)) {
      ctx.addIssue({
        code: "custom",
        path: ["WC_AUTH_ALLOW_HTTP_LOOPBACK"],
        message: "is for local runs only and refused in production",
      });
    }
    if (e.NODE_ENV === "production" && e.VOUCHER_VALIDITY_SECONDS !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["VOUCHER_VALIDITY_SECONDS"],
        message: "is for local runs only and refused in production",
      });
    }
    if (e.DATABASE_URL && !e.APP_ENCRYPTION_KEY?.trim()) {
      ctx.addIssue({
        code: "custom",
        path: ["APP_ENCRYPTION_KEY"],
        message: "is required with DATABASE_URL (every instance must share the key)",
      });
    }
  });

export type LogLevel = z.infer<typeof schema>["LOG_LEVEL"];

export interface WooBridgeConfig {
  host: string;
  port: number;
  /** Explicit PUBLIC_URL, or undefined: then http://HOST:<listening port>. */
  publicUrl: string | undefined;
  databaseUrl: string | undefined;
  dataDir: string;
  encryptionKey: string | undefined;
  pagoEfectivoBaseUrl: { sandbox: string; production: string | undefined };
  appName: string;
  httpTimeoutMs: number;
  httpRetries: number;
  signatureToleranceSeconds: number;
  wcAuthStateTtlSeconds: number;
  /** Local runs only (WC_AUTH_ALLOW_HTTP_LOOPBACK). */
  allowHttpLoopbackCallback?: boolean;
  reconcileIntervalSeconds: number;
  reconcileLookbackSeconds: number;
  expiryIntervalSeconds: number;
  pollIntervalSeconds: number;
  pollAfterSeconds: number;
  expiryGraceSeconds: number;
  /** Local runs only: fixed CIP validity overriding the merchant's hours. */
  voucherValiditySeconds?: number;
  outboxIntervalMs: number;
  refundIntervalSeconds: number;
  alertsIntervalSeconds: number;
  adminSessionMinutes: number;
  shutdownTimeoutMs: number;
  logLevel: LogLevel;
}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): WooBridgeConfig {
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
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR ?? cwd,
    encryptionKey: e.APP_ENCRYPTION_KEY?.trim() || undefined,
    pagoEfectivoBaseUrl: { sandbox: e.PE_API_BASE_URL, production: e.PE_API_BASE_URL_PRODUCTION },
    appName: e.WOO_APP_NAME,
    httpTimeoutMs: e.WOO_HTTP_TIMEOUT_MS,
    httpRetries: e.WOO_HTTP_RETRIES,
    signatureToleranceSeconds: e.PLUGIN_SIGNATURE_TOLERANCE_SECONDS,
    wcAuthStateTtlSeconds: e.WC_AUTH_STATE_TTL_SECONDS,
    allowHttpLoopbackCallback: ["1", "true"].includes(e.WC_AUTH_ALLOW_HTTP_LOOPBACK),
    reconcileIntervalSeconds: e.RECONCILE_INTERVAL_SECONDS,
    pollAfterSeconds: e.POLL_AFTER_SECONDS,
    expiryGraceSeconds: e.EXPIRY_GRACE_SECONDS,
    ...(e.VOUCHER_VALIDITY_SECONDS !== undefined
      ? { voucherValiditySeconds: e.VOUCHER_VALIDITY_SECONDS }
      : {}),
    reconcileLookbackSeconds: e.RECONCILE_LOOKBACK_SECONDS,
    expiryIntervalSeconds: e.EXPIRY_INTERVAL_SECONDS,
    pollIntervalSeconds: e.POLL_INTERVAL_SECONDS,
    outboxIntervalMs: e.OUTBOX_INTERVAL_MS,
    refundIntervalSeconds: e.REFUND_INTERVAL_SECONDS,
    alertsIntervalSeconds: e.ALERTS_INTERVAL_SECONDS,
    adminSessionMinutes: e.ADMIN_SESSION_MINUTES,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
  };
}
