import { randomBytes } from "node:crypto";

/** In-memory Shopify stand-in state. Reset on every restart of the demo store. */
export const DEMO_SHOP_DOMAIN = "demo-tienda.myshopify.com";

export interface CartLine {
  title: string;
  quantity: number;
  unitMinor: number;
}

export interface SessionRequestLog {
  status: "sending" | "accepted" | "failed";
  requestId: string;
  httpStatus?: number;
  redirectUrl?: string;
  error?: string;
}

export type PaymentState = "initiated" | "pending" | "resolved" | "rejected";

export interface PaymentSessionRecord {
  id: string;
  gid: string;
  group: string;
  sessionId: string;
  checkoutToken: string;
  orderNumber: number | null;
  amountMinor: number;
  currency: "PEN" | "USD";
  test: boolean;
  customer: { email: string; givenName: string; familyName: string; phone: string };
  lines: CartLine[];
  shippingMinor: number;
  createdAt: Date;
  cancelUrl: string;
  request: SessionRequestLog;
  /** Shopify received the app's 2xx: only from then on may the app call mutations. */
  acknowledged: boolean;
  state: PaymentState;
  pendingExpiresAt?: string;
  pendingReason?: string;
  rejection?: { code: string; merchantMessage?: string };
  finalizedAt?: Date;
  refundIds: string[];
  history: Array<{ at: Date; text: string }>;
}

export type RefundState = "requested" | "resolved" | "rejected";

export interface RefundSessionRecord {
  id: string;
  gid: string;
  paymentId: string;
  amountMinor: number;
  currency: "PEN" | "USD";
  createdAt: Date;
  request: SessionRequestLog;
  acknowledged: boolean;
  state: RefundState;
  rejection?: { code: string; merchantMessage?: string };
  finalizedAt?: Date;
}

export interface GraphqlCallLog {
  at: Date;
  mutation: string;
  variables: unknown;
  userErrors: unknown[];
  topLevelErrors?: unknown[];
}

export interface InstallRecord {
  clientId: string;
  accessToken: string;
  scope: string;
  installedAt: Date;
}

export function shopifyId(): string {
  // Shopify session ids are opaque base62-ish strings; 24 chars like the fixtures.
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(randomBytes(24), (b) => alphabet[b % alphabet.length]).join("");
}

export class ShopifyState {
  readonly shopDomain = DEMO_SHOP_DOMAIN;
  install: InstallRecord | null = null;
  /** OAuth codes issued by /admin/oauth/authorize, single use. */
  readonly codes = new Map<string, { clientId: string; scope: string; expiresAt: Date }>();
  configuration: { externalHandle: string | null; ready: boolean } | null = null;
  readonly payments = new Map<string, PaymentSessionRecord>();
  readonly refunds = new Map<string, RefundSessionRecord>();
  readonly graphqlCalls: GraphqlCallLog[] = [];
  /** Test/e2e hook: answer the next N GraphQL calls with THROTTLED. */
  throttleNext = 0;
  private nextOrderNumber = 1001;

  assignOrderNumber(p: PaymentSessionRecord): void {
    if (p.orderNumber === null) p.orderNumber = this.nextOrderNumber++;
  }

  paymentByGid(gid: unknown): PaymentSessionRecord | undefined {
    if (typeof gid !== "string") return undefined;
    const m = /^gid:\/\/shopify\/PaymentSession\/([^/]+)$/.exec(gid);
    return m ? this.payments.get(m[1]!) : undefined;
  }

  refundByGid(gid: unknown): RefundSessionRecord | undefined {
    if (typeof gid !== "string") return undefined;
    const m = /^gid:\/\/shopify\/RefundSession\/([^/]+)$/.exec(gid);
    return m ? this.refunds.get(m[1]!) : undefined;
  }

  paymentByOrderNumber(n: number): PaymentSessionRecord | undefined {
    return [...this.payments.values()].find((p) => p.orderNumber === n);
  }

  /** Amount already refunded or in flight (rejected refunds give the balance back). */
  refundedOrRequestedMinor(p: PaymentSessionRecord): number {
    return p.refundIds
      .map((id) => this.refunds.get(id))
      .filter(
        (r): r is RefundSessionRecord =>
          !!r && r.state !== "rejected" && r.request.status !== "failed",
      )
      .reduce((sum, r) => sum + r.amountMinor, 0);
  }
}
