import { randomBytes } from "node:crypto";
import { ValidationError, type Clock } from "@pe-pay/core";
import { z } from "zod";
import type { PendingAuthorizationStore, TenantStore, WooStoreRecord } from "./ports";
import type { WooClient } from "./woo-client/client";
import { WooApiError } from "./woo-client/errors";

/**
 * WooCommerce app authorization (`/wc-auth/v1/authorize`) and the hand-over to the plugin.
 *
 *  1. plugin "Conectar" → GET /wc-auth/v1/start → 302 to the store's authorize screen;
 *  2. the store POSTs the new REST keys to our callback (unsigned: correlated by our one-time
 *     `user_id` state, then verified with a cheap GET); we store them, create the order.updated
 *     webhook, mint the store id + shared secret and answer exactly 200;
 *  3. the browser comes back to /wc-auth/v1/return → 302 to the plugin with a one-time claim code;
 *  4. the plugin exchanges that code server-to-server (POST /wc-auth/v1/claim) for the store id
 *     and shared secret, so the secret never travels in a browser URL.
 */
export const WC_AUTH_SCOPE = "read_write";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * WooCommerce stops the flow ("needs to be over SSL") for a non-https callback. A local run on
 * loopback has no certificate, so plain http is accepted there, and only when the operator
 * opted in (`WC_AUTH_ALLOW_HTTP_LOOPBACK=1`, refused in production).
 */
export function isAcceptableCallbackUrl(callbackUrl: string, allowHttpLoopback = false): boolean {
  let url: URL;
  try {
    url = new URL(callbackUrl);
  } catch {
    return false;
  }
  if (url.protocol === "https:") return true;
  return allowHttpLoopback && url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
}

export function buildAuthorizeUrl(args: {
  storeUrl: string;
  appName: string;
  state: string;
  returnUrl: string;
  callbackUrl: string;
  allowHttpLoopback?: boolean;
}): string {
  if (!isAcceptableCallbackUrl(args.callbackUrl, args.allowHttpLoopback)) {
    // A configuration problem of the bridge, reported as a clear 4xx rather than a bare 500.
    throw new ValidationError(
      [
        {
          field: "callback_url",
          code: "insecure_callback",
          message:
            "WooCommerce requires an https callback: set PUBLIC_URL to the bridge's https URL " +
            "(for a local run on 127.0.0.1/localhost, WC_AUTH_ALLOW_HTTP_LOOPBACK=1)",
        },
      ],
      {
        merchantMessage:
          "El puente de PagoEfectivo no tiene una URL pública https; WooCommerce no puede conectarse.",
      },
    );
  }
  const url = new URL(`${args.storeUrl.replace(/\/+$/, "")}/wc-auth/v1/authorize`);
  url.searchParams.set("app_name", args.appName);
  url.searchParams.set("scope", WC_AUTH_SCOPE);
  url.searchParams.set("user_id", args.state);
  url.searchParams.set("return_url", args.returnUrl);
  url.searchParams.set("callback_url", args.callbackUrl);
  return url.toString();
}

export const wcAuthCallbackSchema = z.object({
  key_id: z.number().int().positive(),
  // A JSON string per source; the docs sample shows a number. Accept both.
  user_id: z.union([z.string().min(1), z.number().int()]).transform(String),
  consumer_key: z.string().regex(/^ck_[0-9a-f]{40}$/),
  consumer_secret: z.string().regex(/^cs_[0-9a-f]{40}$/),
  key_permissions: z.string(),
});

export type WooClientFactory = (creds: {
  storeUrl: string;
  consumerKey: string;
  consumerSecret: string;
}) => Pick<WooClient, "verifyCredentials" | "createOrderUpdatedWebhook" | "deleteWebhook">;

export interface WcAuthDeps {
  publicUrl: string;
  appName: string;
  stateTtlSeconds: number;
  pending: PendingAuthorizationStore;
  tenants: Pick<TenantStore, "storeIdFor" | "saveWooStore" | "getWooStore" | "setDisplayName">;
  wooClientFor: WooClientFactory;
  /** The store's published name (WordPress `GET /wp-json/`), null when unknown. */
  siteNameOf?: (storeUrl: string) => Promise<string | null>;
  clock: Clock;
  /** Accept an http callback on a loopback host (local runs only). */
  allowHttpLoopback?: boolean;
  logger?: { warn(obj: object, msg?: string): void };
  /** Injectable for deterministic tests. */
  randomToken?: (bytes: number) => string;
}

export interface CallbackResult {
  httpStatus: number;
  outcome:
    "connected" | "invalid" | "unknown_state" | "wrong_scope" | "keys_rejected" | "webhook_failed";
}

const hexToken = (bytes: number) => randomBytes(bytes).toString("hex");

function normalizeHttpUrl(value: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError([{ field, code: "invalid_url", message: "must be an absolute URL" }]);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ValidationError([{ field, code: "invalid_url", message: "must be http(s)" }]);
  }
  return url;
}

export function createWcAuthFlow(deps: WcAuthDeps) {
  const token = deps.randomToken ?? hexToken;
  const callbackUrl = `${deps.publicUrl}/wc-auth/v1/callback`;
  const returnUrl = `${deps.publicUrl}/wc-auth/v1/return`;

  return {
    async start(input: {
      storeUrl: string;
      pluginReturnUrl: string;
    }): Promise<{ authorizeUrl: string; state: string }> {
      const store = normalizeHttpUrl(input.storeUrl, "store_url");
      const back = normalizeHttpUrl(input.pluginReturnUrl, "return_url");
      if (back.host !== store.host) {
        // Otherwise this endpoint would be an open redirect carrying claim codes elsewhere.
        throw new ValidationError([
          { field: "return_url", code: "foreign_host", message: "must be on the store's host" },
        ]);
      }
      const storeUrl = `${store.origin}${store.pathname}`.replace(/\/+$/, "");
      const state = token(16);
      // Built first: a refused callback must not leave a pending authorization behind.
      const authorizeUrl = buildAuthorizeUrl({
        storeUrl,
        appName: deps.appName,
        state,
        returnUrl,
        callbackUrl,
        allowHttpLoopback: deps.allowHttpLoopback ?? false,
      });
      await deps.pending.create({
        state,
        storeUrl,
        pluginReturnUrl: back.toString(),
        expiresAt: new Date(deps.clock.now().getTime() + deps.stateTtlSeconds * 1000),
      });
      return { state, authorizeUrl };
    },

    /** Anything but 200 makes WooCommerce delete the new key, which is what we want on failure. */
    async callback(rawBody: Uint8Array): Promise<CallbackResult> {
      let parsed: z.infer<typeof wcAuthCallbackSchema>;
      try {
        parsed = wcAuthCallbackSchema.parse(JSON.parse(Buffer.from(rawBody).toString("utf8")));
      } catch {
        return { httpStatus: 400, outcome: "invalid" };
      }
      const now = deps.clock.now();
      const pending = await deps.pending.get(parsed.user_id);
      if (!pending || pending.claimCode || pending.storeId || pending.expiresAt <= now)
        return { httpStatus: 400, outcome: "unknown_state" };
      if (parsed.key_permissions !== WC_AUTH_SCOPE)
        return { httpStatus: 400, outcome: "wrong_scope" };

      const creds = {
        storeUrl: pending.storeUrl,
        consumerKey: parsed.consumer_key,
        consumerSecret: parsed.consumer_secret,
      };
      const client = deps.wooClientFor(creds);
      try {
        await client.verifyCredentials();
      } catch {
        return { httpStatus: 400, outcome: "keys_rejected" };
      }
      const storeId = await deps.tenants.storeIdFor(pending.storeUrl);
      // A reconnect: the webhook made last time must go, or every event would arrive twice.
      const previous = await deps.tenants.getWooStore(storeId).catch(() => null);
      const webhookSecret = token(20); // 40 hex chars: alphanumeric, as WooCommerce needs
      let webhookId: number;
      try {
        const webhook = await client.createOrderUpdatedWebhook({
          name: `${deps.appName} order.updated`,
          deliveryUrl: `${deps.publicUrl}/webhooks/woocommerce/${storeId}`,
          secret: webhookSecret,
        });
        webhookId = webhook.id;
      } catch {
        return { httpStatus: 502, outcome: "webhook_failed" };
      }
      const record: WooStoreRecord = {
        storeId,
        ...creds,
        keyId: parsed.key_id,
        webhookSecret,
        webhookId,
        pluginSecret: token(32),
        connectedAt: now,
      };
      await deps.tenants.saveWooStore(record);
      const oldWebhookId = previous?.webhookId ?? null;
      if (oldWebhookId !== null && oldWebhookId !== webhookId) {
        await removeWebhook(client, oldWebhookId, storeId, deps.logger);
      }
      // Shoppers see this name on the voucher page; without it the store's host stays.
      const siteName = await deps.siteNameOf?.(pending.storeUrl).catch(() => null);
      if (siteName) await deps.tenants.setDisplayName?.(storeId, siteName);
      const completed = await deps.pending.complete(
        parsed.user_id,
        { storeId, claimCode: token(24) },
        now,
      );
      return completed
        ? { httpStatus: 200, outcome: "connected" }
        : { httpStatus: 400, outcome: "unknown_state" };
    },

    /** Where WooCommerce sends the browser after the grant screen. */
    async returnRedirect(query: { user_id?: unknown; success?: unknown }): Promise<string | null> {
      if (typeof query.user_id !== "string") return null;
      const pending = await deps.pending.get(query.user_id);
      if (!pending) return null;
      const back = new URL(pending.pluginReturnUrl);
      if (query.success === "1" && pending.claimCode)
        back.searchParams.set("pe_claim", pending.claimCode);
      else back.searchParams.set("pe_error", query.success === "1" ? "not_completed" : "denied");
      return back.toString();
    },

    /** One-time exchange of the claim code for the plugin's credentials. */
    async claim(claimCode: unknown): Promise<{ store_id: string; shared_secret: string } | null> {
      if (typeof claimCode !== "string" || !/^[0-9a-f]{48}$/.test(claimCode)) return null;
      const claimed = await deps.pending.claim(claimCode, deps.clock.now());
      if (!claimed) return null;
      const store = await deps.tenants.getWooStore(claimed.storeId);
      return store ? { store_id: store.storeId, shared_secret: store.pluginSecret } : null;
    },
  };
}

export type WcAuthFlow = ReturnType<typeof createWcAuthFlow>;

/**
 * Deletes the webhook of an earlier connection, after the new one exists (no window without
 * one). Already gone (404) is done. Any other failure must not fail the connection — WooCommerce
 * would drop the new keys — and is only logged: the old webhook signs with a secret the bridge
 * no longer holds, so its deliveries are refused (401) and WooCommerce disables it after a few.
 */
async function removeWebhook(
  client: Pick<WooClient, "deleteWebhook">,
  webhookId: number,
  storeId: string,
  logger?: { warn(obj: object, msg?: string): void },
): Promise<void> {
  try {
    await client.deleteWebhook(webhookId);
  } catch (error) {
    if (error instanceof WooApiError && error.kind === "not_found") return;
    logger?.warn(
      { storeId, webhookId, err: error instanceof Error ? error.message : String(error) },
      "could not delete the previous order.updated webhook",
    );
  }
}
