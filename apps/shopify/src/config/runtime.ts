import { z } from "zod";
import { ConfigError, loadShopifyConfig, type ConfigLogger, type ShopifyConfig } from "./env";

/**
 * The process-level settings of `src/main.ts` (storage, PagoEfectivo, mail, schedulers) on top of
 * the Shopify settings of `loadShopifyConfig`. Like it, never echoes a value.
 */
const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const RuntimeSchema = z.object({
  NODE_ENV: z.string().optional(),
  PORT: int(4030, 0, 65535),
  HOST: z.string().min(1).default("127.0.0.1"),
  /** Direct mTLS mode: the session endpoints' own TLS listener. */
  MTLS_PORT: int(4031, 0, 65535),
  DATABASE_URL: z.string().min(1).optional(),
  /** Base for the local PGlite files and generated key: `<DATA_DIR>/.data/shopify`. */
  DATA_DIR: z.string().min(1).default("."),
  APP_ENCRYPTION_KEY: z.string().min(1).optional(),
  PE_API_BASE_URL: z.url().default("http://127.0.0.1:4010"),
  /** Production PagoEfectivo API; without it, production credentials cannot be used. */
  PE_API_BASE_URL_PRODUCTION: z.url().optional(),
  SMTP_URL: z.string().min(1).optional(),
  MAIL_FROM: z.string().min(3).default("PagoEfectivo <no-reply@pagoefectivo.invalid>"),
  MAIL_CAPTURE_URL: z.url().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  OUTBOX_INTERVAL_MS: int(2_000, 50, 600_000),
  EXPIRY_INTERVAL_SECONDS: int(30, 1, 3600),
  POLL_INTERVAL_SECONDS: int(60, 1, 3600),
  /** A pending voucher with no news for this long is checked with PagoEfectivo (lost notifications). */
  POLL_AFTER_SECONDS: int(600, 1, 86_400),
  /** Extra time after a CIP's deadline before the payment is rejected (last-minute payments). */
  EXPIRY_GRACE_SECONDS: int(300, 0, 3600),
  /** Local runs and demos only: CIPs expire after this many seconds instead of the merchant's hours. */
  // The engine refuses to create a CIP with under a minute left; keep a margin above it.
  VOUCHER_VALIDITY_SECONDS: z.coerce.number().int().min(90).max(86_400).optional(),
  REFUND_INTERVAL_SECONDS: int(15, 1, 3600),
  /** How often every shop's merchant alerts are brought up to date. */
  ALERTS_INTERVAL_SECONDS: int(300, 10, 86_400),
  SHUTDOWN_TIMEOUT_MS: int(15_000, 1_000, 120_000),
  MERCHANT_SESSION_HOURS: int(12, 1, 24 * 7),
});

export interface ShopifyRuntimeConfig {
  shopify: ShopifyConfig;
  production: boolean;
  port: number;
  host: string;
  mtlsPort: number;
  databaseUrl?: string;
  dataDir: string;
  encryptionKey?: string;
  pagoEfectivoBaseUrl: { sandbox: string; production?: string };
  mail: { smtpUrl?: string; from: string; captureUrl?: string };
  logLevel: z.infer<typeof RuntimeSchema>["LOG_LEVEL"];
  outboxIntervalMs: number;
  expiryIntervalMs: number;
  pollIntervalMs: number;
  pollAfterMs: number;
  expiryGraceMs: number;
  /** Local runs only: fixed CIP validity overriding the merchant's hours. */
  voucherValiditySeconds?: number;
  refundIntervalMs: number;
  alertsIntervalMs: number;
  shutdownTimeoutMs: number;
  merchantSessionMs: number;
}

export function loadRuntimeConfig(
  env: Record<string, string | undefined>,
  logger?: ConfigLogger,
): ShopifyRuntimeConfig {
  const production = env.NODE_ENV === "production";
  // Locally mTLS defaults to off (loadShopifyConfig warns); production must choose explicitly.
  const shopify = loadShopifyConfig(
    { ...env, MTLS_MODE: env.MTLS_MODE ?? (production ? undefined : "off") },
    logger,
  );
  const parsed = RuntimeSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const e = parsed.data;
  if (production && !e.SMTP_URL) {
    throw new ConfigError(["SMTP_URL: required in production (voucher e-mails)"]);
  }
  if (production && e.VOUCHER_VALIDITY_SECONDS !== undefined) {
    throw new ConfigError([
      "VOUCHER_VALIDITY_SECONDS: is for local runs only and refused in production",
    ]);
  }
  return {
    shopify,
    production,
    port: e.PORT,
    host: e.HOST,
    mtlsPort: e.MTLS_PORT,
    ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}),
    dataDir: e.DATA_DIR,
    ...(e.APP_ENCRYPTION_KEY ? { encryptionKey: e.APP_ENCRYPTION_KEY } : {}),
    pagoEfectivoBaseUrl: {
      sandbox: e.PE_API_BASE_URL.replace(/\/+$/, ""),
      ...(e.PE_API_BASE_URL_PRODUCTION
        ? { production: e.PE_API_BASE_URL_PRODUCTION.replace(/\/+$/, "") }
        : {}),
    },
    mail: {
      ...(e.SMTP_URL ? { smtpUrl: e.SMTP_URL } : {}),
      from: e.MAIL_FROM,
      ...(e.MAIL_CAPTURE_URL ? { captureUrl: e.MAIL_CAPTURE_URL } : {}),
    },
    logLevel: e.LOG_LEVEL,
    outboxIntervalMs: e.OUTBOX_INTERVAL_MS,
    expiryIntervalMs: e.EXPIRY_INTERVAL_SECONDS * 1000,
    pollIntervalMs: e.POLL_INTERVAL_SECONDS * 1000,
    pollAfterMs: e.POLL_AFTER_SECONDS * 1000,
    expiryGraceMs: e.EXPIRY_GRACE_SECONDS * 1000,
    ...(e.VOUCHER_VALIDITY_SECONDS !== undefined
      ? { voucherValiditySeconds: e.VOUCHER_VALIDITY_SECONDS }
      : {}),
    refundIntervalMs: e.REFUND_INTERVAL_SECONDS * 1000,
    alertsIntervalMs: e.ALERTS_INTERVAL_SECONDS * 1000,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    merchantSessionMs: e.MERCHANT_SESSION_HOURS * 3_600_000,
  };
}
