import { isAppError } from "@pe-pay/core";
import { shopifyOrigin } from "../config/env";
import { silentLogger, type Logger } from "../ports";
import { toShopifyDateTime } from "./date-time";
import { fetchPost, nodeHttpPost, type PostAnswer } from "./http-post";
import { MUTATIONS, type MutationName } from "./documents";
import { backoffDelay, throttleDelay, type BackoffOptions, type ThrottleStatus } from "./retry";
import { classifyUserErrors, type ShopifyUserError, type UserErrorVerdict } from "./user-errors";

export interface ShopCredentials {
  shopDomain: string;
  /** Offline access token. Never logged. */
  accessToken: string;
}

/**
 * Hands out the shop's token for a call (an expiring offline token is refreshed first) and, after
 * a 401, a replacement for `rejected`. null: nothing better than the caller's token. A throw ends
 * the call: as transient if it is a retryable AppError, else as permanent.
 */
export type AccessTokenProvider = (
  shop: ShopCredentials,
  options?: { rejected?: string },
) => Promise<string | null>;

export type MutationResult<T> =
  | { ok: true; payload: T; alreadyDone: boolean; userErrors: ShopifyUserError[] }
  | {
      ok: false;
      kind: "user_error";
      verdict: Exclude<UserErrorVerdict, "already_done">;
      userErrors: ShopifyUserError[];
      message: string;
    }
  /** Network errors, 5xx, THROTTLED after the in-call retries: try again later. */
  | { ok: false; kind: "transient"; message: string }
  /** Bad token, schema errors, 4xx: retrying the same call will not help. */
  | { ok: false; kind: "permanent"; message: string; httpStatus?: number };

export interface PaymentsAppsClientOptions {
  /** Template like `https://{shop}` (see config). */
  apiOrigin: string;
  apiVersion: string;
  /** Given: every call goes through it (custom dispatchers); default node:http with keep-alive. */
  fetch?: typeof fetch;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  logger?: Logger;
  /** Without it, `shop.accessToken` is sent as given and a 401 is final. */
  accessTokenProvider?: AccessTokenProvider;
}

export interface PaymentSessionNode {
  id: string;
  state?: { code?: string; reason?: string; merchantMessage?: string } | null;
  pendingExpiresAt?: string | null;
  nextAction?: { action: string; context?: { redirectUrl?: string } | null } | null;
}
export interface RefundSessionNode {
  id: string;
  state?: { code?: string; reason?: string; merchantMessage?: string } | null;
}

export type PendingReason =
  "BUYER_ACTION_REQUIRED" | "PARTNER_ACTION_REQUIRED" | "NETWORK_ACTION_REQUIRED";

export interface PaymentsAppsClient {
  paymentSessionPending(
    shop: ShopCredentials,
    input: { id: string; pendingExpiresAt: Date; reason?: PendingReason },
  ): Promise<MutationResult<{ paymentSession: PaymentSessionNode | null }>>;
  paymentSessionResolve(
    shop: ShopCredentials,
    input: { id: string },
  ): Promise<MutationResult<{ paymentSession: PaymentSessionNode | null }>>;
  paymentSessionReject(
    shop: ShopCredentials,
    input: { id: string; reason: { code: string; merchantMessage?: string } },
  ): Promise<MutationResult<{ paymentSession: PaymentSessionNode | null }>>;
  refundSessionResolve(
    shop: ShopCredentials,
    input: { id: string },
  ): Promise<MutationResult<{ refundSession: RefundSessionNode | null }>>;
  refundSessionReject(
    shop: ShopCredentials,
    input: { id: string; reason: { code: "PROCESSING_ERROR"; merchantMessage?: string } },
  ): Promise<MutationResult<{ refundSession: RefundSessionNode | null }>>;
  paymentsAppConfigure(
    shop: ShopCredentials,
    input: { externalHandle?: string | null; ready: boolean },
  ): Promise<
    MutationResult<{
      paymentsAppConfiguration: { externalHandle: string | null; ready: boolean } | null;
    }>
  >;
}

interface GraphqlEnvelope {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message?: string; extensions?: { code?: string } }> | string;
  extensions?: { cost?: ThrottleStatus & { throttleStatus?: ThrottleStatus } };
}

async function tokenFrom(
  provider: AccessTokenProvider,
  shop: ShopCredentials,
  rejected?: string,
): Promise<string | { ok: false; kind: "transient" | "permanent"; message: string }> {
  try {
    const token = await provider(shop, rejected === undefined ? undefined : { rejected });
    return token ?? rejected ?? shop.accessToken;
  } catch (err) {
    return {
      ok: false,
      kind: isAppError(err) && !err.retryable ? "permanent" : "transient",
      message: `no usable access token for ${shop.shopDomain}: ${(err as Error).message}`,
    };
  }
}

export function paymentsAppsEndpoint(apiOrigin: string, apiVersion: string, shopDomain: string) {
  return `${shopifyOrigin(apiOrigin, shopDomain)}/payments_apps/api/${apiVersion}/graphql.json`;
}

/**
 * Raw-HTTP client for the Payments Apps GraphQL API (Shopify ships no official one): node:http
 * with keep-alive, or the `fetch` given.
 */
export function createPaymentsAppsClient(options: PaymentsAppsClientOptions): PaymentsAppsClient {
  const post = options.fetch ? fetchPost(options.fetch) : nodeHttpPost();
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const logger = options.logger ?? silentLogger;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const backoff: BackoffOptions = {
    baseDelayMs: options.baseDelayMs ?? 250,
    maxDelayMs: options.maxDelayMs ?? 10_000,
    random: options.random ?? Math.random,
  };

  async function call<T>(
    mutation: MutationName,
    shop: ShopCredentials,
    variables: Record<string, unknown>,
  ): Promise<MutationResult<T>> {
    const url = paymentsAppsEndpoint(options.apiOrigin, options.apiVersion, shop.shopDomain);
    const body = JSON.stringify({ query: MUTATIONS[mutation].document, variables });
    let last = "no attempt made";
    const provider = options.accessTokenProvider;
    let accessToken = shop.accessToken;
    if (provider) {
      const got = await tokenFrom(provider, shop);
      if (typeof got !== "string") return got;
      accessToken = got;
    }
    let replacedAfter401 = false;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const wait = async (ms: number, reason: string) => {
        last = reason;
        logger.warn({ mutation, shop: shop.shopDomain, attempt, waitMs: ms, reason }, "retrying");
        if (attempt < maxAttempts) await sleep(ms);
      };
      let response: PostAnswer;
      try {
        response = await post(
          url,
          {
            "Content-Type": "application/json",
            Accept: "application/json",
            "X-Shopify-Access-Token": accessToken,
          },
          body,
          timeoutMs,
        );
      } catch (err) {
        await wait(backoffDelay(attempt, backoff), `network: ${(err as Error).name}`);
        continue;
      }
      const text = response.text;
      let envelope: GraphqlEnvelope | undefined;
      try {
        envelope = text ? (JSON.parse(text) as GraphqlEnvelope) : undefined;
      } catch {
        envelope = undefined;
      }
      const cost = envelope?.extensions?.cost;
      // Shopify's REST-style failures (401…) carry `errors` as a plain string.
      const errors = Array.isArray(envelope?.errors) ? envelope.errors : [];
      if (errors.some((e) => e.extensions?.code === "THROTTLED")) {
        const status: ThrottleStatus = {
          requestedQueryCost: cost?.requestedQueryCost ?? null,
          currentlyAvailable: cost?.throttleStatus?.currentlyAvailable ?? null,
          restoreRate: cost?.throttleStatus?.restoreRate ?? null,
        };
        await wait(throttleDelay(status, backoff, attempt), "throttled");
        continue;
      }
      if (response.status >= 500 || response.status === 429) {
        const retryAfter = Number(response.retryAfter);
        const ms =
          Number.isFinite(retryAfter) && retryAfter > 0
            ? Math.min(backoff.maxDelayMs, retryAfter * 1000)
            : backoffDelay(attempt, backoff);
        await wait(ms, `http ${response.status}`);
        continue;
      }
      if (response.status === 401 && provider && !replacedAfter401) {
        // Once per call: a refused token gets one replacement, then the 401 stands.
        replacedAfter401 = true;
        const got = await tokenFrom(provider, shop, accessToken);
        if (typeof got !== "string") return got;
        if (got !== accessToken) {
          accessToken = got;
          attempt--; // the retry with the new token is not a backoff attempt
          continue;
        }
      }
      if (response.status < 200 || response.status > 299) {
        return {
          ok: false,
          kind: "permanent",
          httpStatus: response.status,
          message: `Shopify answered HTTP ${response.status} to ${mutation}`,
        };
      }
      if (!envelope) {
        await wait(backoffDelay(attempt, backoff), "unreadable response body");
        continue;
      }
      if (errors.length > 0) {
        const messages = errors.map((e) => e.message ?? "error").join("; ");
        return {
          ok: false,
          kind: "permanent",
          message: `GraphQL errors on ${mutation}: ${messages}`,
        };
      }
      const payload = envelope.data?.[mutation] as
        (T & { userErrors?: ShopifyUserError[] | null }) | null | undefined;
      if (!payload) {
        return { ok: false, kind: "permanent", message: `no ${mutation} payload in the response` };
      }
      const userErrors = payload.userErrors ?? [];
      if (userErrors.length === 0) return { ok: true, payload, alreadyDone: false, userErrors };
      const verdict = classifyUserErrors(mutation, userErrors);
      if (verdict === "already_done") return { ok: true, payload, alreadyDone: true, userErrors };
      return {
        ok: false,
        kind: "user_error",
        verdict,
        userErrors,
        message: userErrors.map((e) => `${e.code ?? "error"}: ${e.message}`).join("; "),
      };
    }
    return {
      ok: false,
      kind: "transient",
      message: `${mutation} failed after ${maxAttempts} attempts (${last})`,
    };
  }

  return {
    paymentSessionPending: (shop, input) =>
      call("paymentSessionPending", shop, {
        id: input.id,
        pendingExpiresAt: toShopifyDateTime(input.pendingExpiresAt),
        reason: input.reason ?? "BUYER_ACTION_REQUIRED",
      }),
    paymentSessionResolve: (shop, input) => call("paymentSessionResolve", shop, { id: input.id }),
    paymentSessionReject: (shop, input) =>
      call("paymentSessionReject", shop, { id: input.id, reason: input.reason }),
    refundSessionResolve: (shop, input) => call("refundSessionResolve", shop, { id: input.id }),
    refundSessionReject: (shop, input) =>
      call("refundSessionReject", shop, { id: input.id, reason: input.reason }),
    paymentsAppConfigure: (shop, input) =>
      call("paymentsAppConfigure", shop, {
        externalHandle: input.externalHandle ?? null,
        ready: input.ready,
      }),
  };
}
