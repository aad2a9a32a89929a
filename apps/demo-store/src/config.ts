import { z } from "zod";
import { DEMO_SHOPIFY_API_KEY, DEMO_SHOPIFY_API_SECRET } from "./app";

/** The demo store's environment. Every value has a local default; none is a real secret. */
const url = z
  .url()
  .refine((v) => /^https?:\/\//.test(v), "must be http(s)")
  .transform((v) => v.replace(/\/+$/, ""));

const envSchema = z.object({
  DEMO_STORE_PORT: z.coerce.number().int().min(0).max(65535).default(4020),
  DEMO_STORE_HOST: z.string().min(1).default("127.0.0.1"),
  DEMO_PUBLIC_URL: url.optional(),
  SHOPIFY_APP_URL: url.default("http://127.0.0.1:4030"),
  WOO_BRIDGE_URL: url.default("http://127.0.0.1:4040"),
  SHOPIFY_API_KEY: z.string().min(1).default(DEMO_SHOPIFY_API_KEY),
  SHOPIFY_API_SECRET: z.string().min(1).default(DEMO_SHOPIFY_API_SECRET),
  DEMO_SHOPIFY_PAYMENT_SESSION_PATH: z.string().startsWith("/").default("/shopify/payment-session"),
  DEMO_SHOPIFY_REFUND_SESSION_PATH: z.string().startsWith("/").default("/shopify/refund-session"),
  DEMO_WOO_STORE_ID: z.string().min(1).optional(),
  DEMO_WOO_SHARED_SECRET: z.string().min(1).optional(),
  DEMO_WOO_FIRST_ORDER_ID: z.coerce.number().int().min(1).max(2_000_000_000).optional(),
});

export interface DemoStoreConfig {
  port: number;
  host: string;
  publicUrl?: string;
  shopifyAppUrl: string;
  wooBridgeUrl: string;
  shopifyApiKey: string;
  shopifyApiSecret: string;
  paymentSessionPath: string;
  refundSessionPath: string;
  wooPlugin?: { storeId: string; sharedSecret: string };
  /** The first WooCommerce order id (`pnpm start` moves it past earlier runs' orders). */
  firstWooOrderId?: number;
}

/** Errors name the variables, never their values. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): DemoStoreConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid demo store environment: ${fields}`);
  }
  const e = parsed.data;
  return {
    port: e.DEMO_STORE_PORT,
    host: e.DEMO_STORE_HOST,
    ...(e.DEMO_PUBLIC_URL ? { publicUrl: e.DEMO_PUBLIC_URL } : {}),
    shopifyAppUrl: e.SHOPIFY_APP_URL,
    wooBridgeUrl: e.WOO_BRIDGE_URL,
    shopifyApiKey: e.SHOPIFY_API_KEY,
    shopifyApiSecret: e.SHOPIFY_API_SECRET,
    paymentSessionPath: e.DEMO_SHOPIFY_PAYMENT_SESSION_PATH,
    refundSessionPath: e.DEMO_SHOPIFY_REFUND_SESSION_PATH,
    ...(e.DEMO_WOO_FIRST_ORDER_ID ? { firstWooOrderId: e.DEMO_WOO_FIRST_ORDER_ID } : {}),
    ...(e.DEMO_WOO_STORE_ID && e.DEMO_WOO_SHARED_SECRET
      ? { wooPlugin: { storeId: e.DEMO_WOO_STORE_ID, sharedSecret: e.DEMO_WOO_SHARED_SECRET } }
      : {}),
  };
}
