import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { join } from "node:path";
import type { Express } from "express";
import type {
  CreateVoucherCommand,
  RefundView,
  RequestRefundCommand,
  VoucherView,
} from "../src/engine-ports";
import type {
  ComplianceHandlers,
  PaymentSessionUseCases,
  ShopifyTenant,
  TenantStore,
} from "../src/ports";
import { loadShopifyConfig, type ShopifyConfig } from "../src/config/env";
import { loadRuntimeConfig, type ShopifyRuntimeConfig } from "../src/config/runtime";
import { csrfToken, encodeSession, SESSION_COOKIE } from "../src/merchant/session";

export const FIXTURES = join(__dirname, "fixtures");

export function fixture<T = unknown>(relative: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, relative), "utf8")) as T;
}

export function fixtureText(relative: string): string {
  return readFileSync(join(FIXTURES, relative), "utf8");
}

export const SHOP = "pe-demo.myshopify.com";
export const SECRET = "test-app-secret-do-not-use";

export function testConfig(overrides: Record<string, string> = {}): ShopifyConfig {
  return loadShopifyConfig({
    SHOPIFY_API_KEY: "test-client-id",
    SHOPIFY_API_SECRET: SECRET,
    APP_URL: "https://pay.pe-pay.test",
    MTLS_MODE: "off",
    ...overrides,
  });
}

/** The whole app's config for a real server in a test: the test app, no mTLS, a random port. */
export function testRuntimeConfig(env: Record<string, string> = {}): ShopifyRuntimeConfig {
  return loadRuntimeConfig({
    SHOPIFY_API_KEY: "test-client-id",
    SHOPIFY_API_SECRET: SECRET,
    APP_URL: "https://pay.pe-pay.test",
    MTLS_MODE: "off",
    PORT: "0",
    ...env,
  });
}

/**
 * A merchant UI session for `shop` as the app issues one (issued now, an hour to live), signed
 * with the test secret: its `Cookie` header, the cookie's value alone and its CSRF token.
 */
export function merchantSession(shop: string, now = Date.now()) {
  const session = {
    shop,
    sid: randomBytes(16).toString("base64url"),
    iat: now,
    exp: now + 3_600_000,
  };
  const value = encodeSession(session, SECRET);
  return { value, cookie: `${SESSION_COOKIE}=${value}`, csrf: csrfToken(session, SECRET) };
}

/** A typed fake of the engine use cases that records every call. */
export class FakeEngine {
  calls: Array<{ method: string; args: unknown }> = [];
  vouchers = new Map<string, VoucherView>();
  failNext: Error | null = null;
  refundFailures: Error[] = [];

  readonly useCases = {
    createVoucher: async (cmd: CreateVoucherCommand): Promise<VoucherView> => {
      this.calls.push({ method: "createVoucher", args: cmd });
      if (this.failNext) {
        const e = this.failNext;
        this.failNext = null;
        throw e;
      }
      const existing = this.vouchers.get(cmd.idempotencyKey);
      if (existing) return existing;
      const view = makeVoucher({
        id: `v_${this.vouchers.size + 1}`,
        tenantId: cmd.tenantId,
        amount: cmd.amount,
        publicToken: `tok_${this.vouchers.size + 1}_${cmd.idempotencyKey.slice(0, 6)}`,
        platformReference: cmd.platformReference,
        platformData: cmd.platformData ?? {},
      });
      this.vouchers.set(cmd.idempotencyKey, view);
      return view;
    },
    requestRefund: async (cmd: RequestRefundCommand): Promise<RefundView> => {
      this.calls.push({ method: "requestRefund", args: cmd });
      const failure = this.refundFailures.shift();
      if (failure) throw failure;
      return {
        id: `r_${cmd.platformRefundId}`,
        voucherId: "v_1",
        platformRefundId: cmd.platformRefundId,
        status: "requested",
        amount: cmd.amount,
        failureReason: null,
      };
    },
    getVoucherByIdempotencyKey: async (tenantId: string, key: string) => {
      this.calls.push({ method: "getVoucherByIdempotencyKey", args: { tenantId, key } });
      return this.vouchers.get(key) ?? null;
    },
  } satisfies PaymentSessionUseCases;
}

export function makeVoucher(over: Partial<VoucherView> = {}): VoucherView {
  return {
    id: "v_1",
    tenantId: "t_1",
    status: "pending",
    cip: "4821937",
    cipUrl: null,
    amount: { minor: 14990, currency: "PEN" },
    expiresAt: new Date("2026-03-16T15:04:05.250Z"),
    paidAt: null,
    publicToken: "tok_1",
    platformReference: "gid://shopify/PaymentSession/Kq7vN2xPw4LmT9cRb6ZsY1dF",
    platformData: {
      gid: "gid://shopify/PaymentSession/Kq7vN2xPw4LmT9cRb6ZsY1dF",
      cancelUrl: "https://pe-demo.myshopify.com/checkouts/cn/x/processing",
      merchantLocale: "es",
    },
    ...over,
  };
}

export class FakeTenants implements TenantStore {
  active = new Map<string, ShopifyTenant>([[SHOP, { tenantId: "t_1", shopDomain: SHOP }]]);
  upserts: Array<Parameters<TenantStore["upsertShopifyTenant"]>[0]> = [];
  deactivated: string[] = [];
  async upsertShopifyTenant(input: Parameters<TenantStore["upsertShopifyTenant"]>[0]) {
    this.upserts.push(input);
    const t = { tenantId: `t_${input.shopDomain}`, shopDomain: input.shopDomain };
    this.active.set(input.shopDomain, t);
    return t;
  }
  async deactivate(shopDomain: string) {
    this.deactivated.push(shopDomain);
    this.active.delete(shopDomain);
  }
  async findActiveShopifyTenant(shopDomain: string) {
    return this.active.get(shopDomain) ?? null;
  }
}

export class FakeCompliance implements ComplianceHandlers {
  calls: Array<{ method: string; args: unknown }> = [];
  failNext = false;
  private record(method: string, args: unknown) {
    if (this.failNext) {
      this.failNext = false;
      throw new Error("storage down");
    }
    this.calls.push({ method, args });
  }
  async redactCustomer(args: Parameters<ComplianceHandlers["redactCustomer"]>[0]) {
    this.record("redactCustomer", args);
  }
  async exportCustomerData(args: Parameters<ComplianceHandlers["exportCustomerData"]>[0]) {
    this.record("exportCustomerData", args);
  }
  async redactShop(args: Parameters<ComplianceHandlers["redactShop"]>[0]) {
    this.record("redactShop", args);
  }
  async uninstall(args: Parameters<ComplianceHandlers["uninstall"]>[0]) {
    this.record("uninstall", args);
  }
}

export async function listen(app: Express): Promise<{ server: Server; url: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}` });
    });
  });
}

export function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Collects deferred tasks so a test can await the work done after a response. */
export function deferredQueue() {
  const tasks: Promise<void>[] = [];
  return {
    defer: (task: () => Promise<void>) => {
      tasks.push(Promise.resolve().then(task));
    },
    drain: async () => {
      while (tasks.length > 0) await tasks.shift();
    },
  };
}
