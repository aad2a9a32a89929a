import { randomUUID } from "node:crypto";
import { formatDecimal } from "@pe-pay/core";
import type { DemoContext } from "../context";
import { describeFailure, postRaw } from "../outbound";
import type { PaymentSessionRecord, RefundSessionRecord } from "./state";

/**
 * Sends the session requests exactly as Shopify does (contract §1): POST, JSON, the three
 * Shopify-* headers, no signature (mTLS is a transport concern the local demo does not emulate).
 */
export function sessionHeaders(ctx: DemoContext, requestId: string): Record<string, string> {
  return {
    "Content-Type": "application/json",
    "Shopify-Shop-Domain": ctx.shopify.shopDomain,
    "Shopify-Request-Id": requestId,
    "Shopify-Api-Version": ctx.settings.shopifyApiVersion,
  };
}

function shopifyTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function paymentSessionBody(p: PaymentSessionRecord): Record<string, unknown> {
  const c = p.customer;
  const address = {
    given_name: c.givenName,
    family_name: c.familyName,
    line1: "Av. Javier Prado Este 1234",
    line2: "",
    city: "Lima",
    postal_code: "15036",
    province: "Lima",
    province_code: "LIM",
    country_code: "PE",
    phone_number: c.phone,
    company: "",
  };
  return {
    id: p.id,
    gid: p.gid,
    group: p.group,
    session_id: p.sessionId,
    amount: formatDecimal(p.amountMinor),
    currency: p.currency,
    test: p.test,
    merchant_locale: "es",
    payment_method: { type: "offsite", data: { cancel_url: p.cancelUrl } },
    proposed_at: shopifyTime(p.createdAt),
    customer: {
      email: c.email,
      ...(c.phone ? { phone_number: c.phone } : {}),
      locale: "es-PE",
      billing_address: address,
      shipping_address: address,
    },
    kind: "sale",
  };
}

export function refundSessionBody(r: RefundSessionRecord, p: PaymentSessionRecord) {
  return {
    id: r.id,
    gid: r.gid,
    payment_id: r.paymentId,
    amount: formatDecimal(r.amountMinor),
    currency: r.currency,
    test: p.test,
    merchant_locale: "es",
    proposed_at: shopifyTime(r.createdAt),
  };
}

const MAX_REDIRECT_URL_BYTES = 8191;

export async function sendPaymentSession(ctx: DemoContext, p: PaymentSessionRecord): Promise<void> {
  const requestId = randomUUID();
  p.request = { status: "sending", requestId };
  const url = `${ctx.shopifyAppUrl}${ctx.settings.paymentSessionPath}`;
  const r = await postRaw(ctx.fetch, url, {
    headers: sessionHeaders(ctx, requestId),
    body: JSON.stringify(paymentSessionBody(p)),
    timeoutMs: ctx.settings.outboundTimeoutMs,
  });
  if (!r.ok) {
    p.request = {
      status: "failed",
      requestId,
      httpStatus: r.status,
      error: describeFailure("La app de pagos", r),
    };
    return;
  }
  const redirect = (r.json as { redirect_url?: unknown } | undefined)?.redirect_url;
  let valid = false;
  if (typeof redirect === "string" && Buffer.byteLength(redirect) <= MAX_REDIRECT_URL_BYTES) {
    try {
      valid = ["http:", "https:"].includes(new URL(redirect).protocol);
    } catch {
      valid = false;
    }
  }
  if (!valid) {
    p.request = {
      status: "failed",
      requestId,
      httpStatus: r.status,
      error: `La app respondió HTTP ${r.status} sin un redirect_url válido (se espera {"redirect_url": "https://…"}, < 8192 bytes).`,
    };
    return;
  }
  // From here on Shopify has the 2xx: the app may call paymentSessionPending/Resolve/Reject.
  p.acknowledged = true;
  p.request = {
    status: "accepted",
    requestId,
    httpStatus: r.status,
    redirectUrl: redirect as string,
  };
  p.history.push({ at: ctx.clock.now(), text: `payment-session aceptada (HTTP ${r.status})` });
}

export async function sendRefundSession(
  ctx: DemoContext,
  r: RefundSessionRecord,
  p: PaymentSessionRecord,
): Promise<void> {
  const requestId = randomUUID();
  r.request = { status: "sending", requestId };
  const url = `${ctx.shopifyAppUrl}${ctx.settings.refundSessionPath}`;
  const res = await postRaw(ctx.fetch, url, {
    headers: sessionHeaders(ctx, requestId),
    body: JSON.stringify(refundSessionBody(r, p)),
    timeoutMs: ctx.settings.outboundTimeoutMs,
  });
  if (!res.ok) {
    r.request = {
      status: "failed",
      requestId,
      httpStatus: res.status,
      error: describeFailure("La app de pagos", res),
    };
    return;
  }
  r.acknowledged = true;
  r.request = {
    status: "accepted",
    requestId,
    httpStatus: res.status,
    ...(res.status !== 201
      ? { error: `Se esperaba 201 Created; la app respondió ${res.status}.` }
      : {}),
  };
  p.history.push({
    at: ctx.clock.now(),
    text: `refund-session ${r.id} aceptada (HTTP ${res.status})`,
  });
}
