import { limaShort } from "../html";
import type { GraphqlError } from "./graphql-schema";
import type { PaymentSessionRecord, RefundSessionRecord, ShopifyState } from "./state";

/**
 * Payments Apps mutation semantics (contract §2–§4): no mutation before the app's 2xx reached
 * Shopify, pending → resolve | reject, final states refuse changes, the same mutation repeated on
 * the same id is idempotent (a repeated payment reject ignores its new reason), at most one
 * resolved session per checkout group.
 */
export interface MutationContext {
  state: ShopifyState;
  now: Date;
  apiVersion: string;
  thankYouUrl(p: PaymentSessionRecord): string;
  pendingExpiryLimitMs: number;
  /** The order exists from the first pending/resolve: the demo sends the confirmation mail. */
  onOrderCreated(p: PaymentSessionRecord): void;
}

export interface UserError {
  field: string[] | null;
  message: string;
  code?: string;
}

export type MutationOutcome =
  | { ok: true; payload: Record<string, unknown>; userErrors: UserError[] }
  | { ok: false; error: GraphqlError };

const NOT_RECEIVED =
  "Payment session has already been resolved with a different authentication, has already been rejected, or the response to start_payment_session request has not been received.";

const PENDING_REASONS = [
  "BUYER_ACTION_REQUIRED",
  "NETWORK_ACTION_REQUIRED",
  "PARTNER_ACTION_REQUIRED",
];
/** 2026-07 reject codes (the version the apps pin); older ones are a subset of these. */
const REJECT_CODES = [
  "AUTHENTICATION_FAILED",
  "CARD_DECLINED",
  "CONFIRMATION_REJECTED",
  "EXPIRED_CARD",
  "INCORRECT_ADDRESS",
  "INCORRECT_CVC",
  "INCORRECT_NUMBER",
  "INCORRECT_PIN",
  "INCORRECT_ZIP",
  "INVALID_CVC",
  "INVALID_EXPIRY_DATE",
  "INVALID_NUMBER",
  "PROCESSING_ERROR",
  "RISKY",
  "CANCELLED_PAYMENT",
  "INSUFFICIENT_FUNDS",
  "AMOUNT_TOO_LARGE",
  "AMOUNT_TOO_SMALL",
  "FRAUD_SUSPECTED",
  "INVALID_CURRENCY",
  "PAYMENT_METHOD_UNSUPPORTED",
  "TRANSACTION_LIMIT_EXCEEDED",
];

function invalidVariable(
  name: string,
  type: string,
  value: unknown,
  explanation: string,
): MutationOutcome {
  return {
    ok: false,
    error: {
      message: `Variable $${name} of type ${type} was provided invalid value`,
      extensions: { code: "INVALID_VARIABLE", value, problems: [{ path: [], explanation }] },
    },
  };
}

function paymentNode(p: PaymentSessionRecord, ctx: MutationContext): Record<string, unknown> {
  let state: Record<string, unknown> | null = null;
  if (p.state === "pending")
    state = { __typename: "PaymentSessionStatePending", code: "PENDING", reason: p.pendingReason };
  else if (p.state === "resolved")
    state = { __typename: "PaymentSessionStateResolved", code: "RESOLVED" };
  else if (p.state === "rejected")
    state = {
      __typename: "PaymentSessionStateRejected",
      code: "REJECTED",
      reason: p.rejection?.code,
      merchantMessage: p.rejection?.merchantMessage ?? null,
    };
  const redirectUrl = p.state === "rejected" ? p.cancelUrl : ctx.thankYouUrl(p);
  return {
    id: p.gid,
    state,
    pendingExpiresAt: p.pendingExpiresAt ?? null,
    authorizationExpiresAt: null,
    nextAction:
      p.state === "initiated"
        ? null
        : {
            action: "REDIRECT",
            context: { __typename: "PaymentSessionActionsRedirect", redirectUrl },
          },
  };
}

function refundNode(r: RefundSessionRecord): Record<string, unknown> {
  return {
    id: r.gid,
    state:
      r.state === "resolved"
        ? { __typename: "RefundSessionStateResolved", code: "RESOLVED" }
        : r.state === "rejected"
          ? {
              __typename: "RefundSessionStateRejected",
              code: "REJECTED",
              reason: r.rejection?.code,
              merchantMessage: r.rejection?.merchantMessage ?? null,
            }
          : null,
  };
}

const paymentError = (message: string, code?: string): MutationOutcome => ({
  ok: true,
  payload: {
    paymentSession: null,
    userErrors: [{ field: ["id"], message, ...(code ? { code } : {}) }],
  },
  userErrors: [{ field: ["id"], message, ...(code ? { code } : {}) }],
});

const refundError = (code: string, message: string): MutationOutcome => ({
  ok: true,
  payload: { refundSession: null, userErrors: [{ code, field: ["id"], message }] },
  userErrors: [{ code, field: ["id"], message }],
});

function okPayment(p: PaymentSessionRecord, ctx: MutationContext): MutationOutcome {
  return {
    ok: true,
    payload: { paymentSession: paymentNode(p, ctx), userErrors: [] },
    userErrors: [],
  };
}

function okRefund(r: RefundSessionRecord): MutationOutcome {
  return { ok: true, payload: { refundSession: refundNode(r), userErrors: [] }, userErrors: [] };
}

function parseDateTime(v: unknown): Date | null {
  if (typeof v !== "string") return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v)) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

function finalize(ctx: MutationContext, p: PaymentSessionRecord): void {
  const isNewOrder = p.orderNumber === null;
  ctx.state.assignOrderNumber(p);
  if (isNewOrder) ctx.onOrderCreated(p);
}

export function runMutation(
  name: string,
  args: Record<string, unknown>,
  ctx: MutationContext,
): MutationOutcome {
  const { state } = ctx;
  if (typeof args.id !== "string" && name !== "paymentsAppConfigure") {
    return invalidVariable("id", "ID!", args.id ?? null, "Expected value to not be null");
  }
  switch (name) {
    case "paymentSessionPending": {
      const expires = parseDateTime(args.pendingExpiresAt);
      if (!expires)
        return invalidVariable(
          "pendingExpiresAt",
          "DateTime!",
          args.pendingExpiresAt ?? null,
          "Expected an ISO-8601 DateTime",
        );
      if (typeof args.reason !== "string" || !PENDING_REASONS.includes(args.reason))
        return invalidVariable(
          "reason",
          "PaymentSessionStatePendingReason!",
          args.reason ?? null,
          `Expected one of ${PENDING_REASONS.join(", ")}`,
        );
      const p = state.paymentByGid(args.id);
      if (!p) return paymentError("Payment session not found.", "NOT_FOUND");
      if (!p.acknowledged)
        return paymentError(
          "The response to the start_payment_session request has not been received.",
          "PENDING_INVALID_STATE",
        );
      if (p.state === "pending") return okPayment(p, ctx); // same mutation again: same result
      if (p.state !== "initiated")
        return paymentError(
          `Payment session is ${p.state} and cannot be marked as pending.`,
          "PENDING_INVALID_STATE",
        );
      if (expires.getTime() <= ctx.now.getTime()) {
        const e = {
          code: "EXPIRED_PENDING_EXPIRES_AT",
          field: ["pendingExpiresAt"],
          message: "Pending expiry date has expired.",
        };
        return { ok: true, payload: { paymentSession: null, userErrors: [e] }, userErrors: [e] };
      }
      if (expires.getTime() > ctx.now.getTime() + ctx.pendingExpiryLimitMs) {
        const e = {
          code: "OUT_OF_RANGE_PENDING_EXPIRES_AT",
          field: ["pendingExpiresAt"],
          message: "Pending expiry date has exceeded the default pending expiry limit.",
        };
        return { ok: true, payload: { paymentSession: null, userErrors: [e] }, userErrors: [e] };
      }
      p.state = "pending";
      p.pendingExpiresAt = expires.toISOString().replace(/\.\d{3}Z$/, "Z");
      p.pendingReason = args.reason;
      p.history.push({
        at: ctx.now,
        text: `paymentSessionPending (${args.reason}, pendiente hasta ${limaShort(expires)})`,
      });
      finalize(ctx, p);
      return okPayment(p, ctx);
    }
    case "paymentSessionResolve": {
      const p = state.paymentByGid(args.id);
      if (!p) return paymentError("Payment session not found.");
      if (!p.acknowledged || p.state === "rejected") return paymentError(NOT_RECEIVED);
      if (p.state === "resolved") return okPayment(p, ctx);
      const sibling = [...state.payments.values()].find(
        (o) => o.group === p.group && o.id !== p.id && o.state === "resolved",
      );
      if (sibling)
        return paymentError("Another payment session of this checkout has already been resolved.");
      p.state = "resolved";
      p.finalizedAt = ctx.now;
      p.history.push({ at: ctx.now, text: "paymentSessionResolve" });
      finalize(ctx, p);
      return okPayment(p, ctx);
    }
    case "paymentSessionReject": {
      const reason = args.reason as
        { code?: unknown; merchantMessage?: unknown; source?: unknown } | null | undefined;
      if (
        !reason ||
        typeof reason !== "object" ||
        typeof reason.code !== "string" ||
        !REJECT_CODES.includes(reason.code)
      )
        return invalidVariable(
          "reason",
          "PaymentSessionRejectionReasonInput!",
          reason ?? null,
          "reason.code must be a PaymentSessionStateRejectedReason value",
        );
      if (
        reason.merchantMessage !== undefined &&
        reason.merchantMessage !== null &&
        typeof reason.merchantMessage !== "string"
      )
        return invalidVariable(
          "reason",
          "PaymentSessionRejectionReasonInput!",
          reason,
          "merchantMessage must be a String",
        );
      if (
        reason.source !== undefined &&
        ctx.apiVersion !== "unstable" &&
        ctx.apiVersion < "2026-04"
      )
        return invalidVariable(
          "reason",
          "PaymentSessionRejectionReasonInput!",
          reason,
          "Field is not defined on PaymentSessionRejectionReasonInput: source",
        );
      const p = state.paymentByGid(args.id);
      if (!p) return paymentError("Payment session not found.");
      if (!p.acknowledged) return paymentError(NOT_RECEIVED);
      if (p.state === "resolved") return paymentError("Payment session has already been resolved.");
      if (p.state === "rejected") return okPayment(p, ctx); // repeated reject: new reason ignored
      p.state = "rejected";
      p.finalizedAt = ctx.now;
      p.rejection = {
        code: reason.code,
        ...(typeof reason.merchantMessage === "string"
          ? { merchantMessage: reason.merchantMessage }
          : {}),
      };
      p.history.push({ at: ctx.now, text: `paymentSessionReject (${reason.code})` });
      return okPayment(p, ctx);
    }
    case "refundSessionResolve": {
      const r = state.refundByGid(args.id);
      if (!r || !r.acknowledged)
        return refundError("REFUND_SESSION_NOT_FOUND", "Refund session not found.");
      if (r.state === "rejected")
        return refundError(
          "REFUND_SESSION_INVALID_STATE",
          "Refund session has already been rejected.",
        );
      if (r.state === "requested") {
        r.state = "resolved";
        r.finalizedAt = ctx.now;
      }
      return okRefund(r);
    }
    case "refundSessionReject": {
      const reason = args.reason as
        { code?: unknown; merchantMessage?: unknown } | null | undefined;
      if (!reason || typeof reason !== "object" || reason.code !== "PROCESSING_ERROR")
        return invalidVariable(
          "reason",
          "RefundSessionRejectionReasonInput!",
          reason ?? null,
          "reason.code must be PROCESSING_ERROR",
        );
      const r = state.refundByGid(args.id);
      if (!r || !r.acknowledged)
        return refundError("REFUND_SESSION_NOT_FOUND", "Refund session not found.");
      const message =
        typeof reason.merchantMessage === "string" ? reason.merchantMessage : undefined;
      if (
        r.state === "resolved" ||
        (r.state === "rejected" && r.rejection?.merchantMessage !== message)
      )
        return refundError(
          "REFUND_SESSION_INVALID_STATE",
          "Refund session has already been resolved or has already been rejected with a different reason.",
        );
      if (r.state === "requested") {
        r.state = "rejected";
        r.finalizedAt = ctx.now;
        r.rejection = {
          code: reason.code,
          ...(message !== undefined ? { merchantMessage: message } : {}),
        };
      }
      return okRefund(r);
    }
    case "paymentsAppConfigure": {
      if (typeof args.ready !== "boolean")
        return invalidVariable(
          "ready",
          "Boolean!",
          args.ready ?? null,
          "Expected value to not be null",
        );
      const handle = args.externalHandle;
      if (handle !== undefined && handle !== null && typeof handle !== "string")
        return invalidVariable("externalHandle", "String", handle, "Expected a String");
      if (typeof handle === "string" && handle.length > 255) {
        const e = { field: ["externalHandle"], message: "External handle is too long" };
        return {
          ok: true,
          payload: { paymentsAppConfiguration: null, userErrors: [e] },
          userErrors: [e],
        };
      }
      state.configuration = {
        externalHandle: typeof handle === "string" ? handle : null,
        ready: args.ready,
      };
      return {
        ok: true,
        payload: { paymentsAppConfiguration: state.configuration, userErrors: [] },
        userErrors: [],
      };
    }
    default:
      return { ok: false, error: { message: `Field '${name}' doesn't exist on type 'Mutation'` } };
  }
}
