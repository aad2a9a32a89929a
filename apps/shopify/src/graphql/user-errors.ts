import type { MutationName } from "./documents";

export interface ShopifyUserError {
  code?: string | null;
  field?: string[] | null;
  message: string;
}

/**
 * What a userError means for the caller:
 * - `already_done`: the session is already in the state we asked for (or final, where asking
 *   again cannot change anything) — count as success;
 * - `retryable`: Shopify is not ready yet (it has not received our 2xx to the session request);
 * - `conflict`: the session is final in the other state (reject after resolve…) — a human must look;
 * - `invalid`: our input was wrong (expiry out of range, not found…) — retrying will not help.
 */
export type UserErrorVerdict = "already_done" | "retryable" | "conflict" | "invalid";

const NOT_RECEIVED = /start_payment_session.*not (been )?received|has not been received/i;
const ALREADY_RESOLVED = /already been resolved/i;
const ALREADY_REJECTED = /already been rejected/i;

function classifyOne(mutation: MutationName, e: ShopifyUserError): UserErrorVerdict {
  const message = e.message ?? "";
  switch (mutation) {
    case "paymentSessionPending":
      // Pending is idempotent per id; PENDING_INVALID_STATE means the session already left pending
      // (a repeat after the session moved on): nothing left to do for this message.
      if (e.code === "PENDING_INVALID_STATE") return "already_done";
      return "invalid";
    case "paymentSessionResolve":
      // One combined message covers "not received yet", "rejected" and "resolved differently":
      // the not-received case must win, because it resolves itself on retry.
      if (NOT_RECEIVED.test(message)) return "retryable";
      if (ALREADY_REJECTED.test(message)) return "conflict";
      if (ALREADY_RESOLVED.test(message)) return "already_done";
      return "invalid";
    case "paymentSessionReject":
      if (NOT_RECEIVED.test(message)) return "retryable";
      if (ALREADY_RESOLVED.test(message)) return "conflict";
      if (ALREADY_REJECTED.test(message)) return "already_done";
      return "invalid";
    case "refundSessionResolve":
    case "refundSessionReject":
      // Same-mutation repeats succeed; INVALID_STATE means the refund session is already final.
      if (e.code === "REFUND_SESSION_INVALID_STATE") return "already_done";
      if (NOT_RECEIVED.test(message)) return "retryable";
      return "invalid";
    case "paymentsAppConfigure":
      return "invalid";
  }
}

const SEVERITY: UserErrorVerdict[] = ["invalid", "conflict", "retryable", "already_done"];

/** The most serious verdict among all userErrors (invalid > conflict > retryable > already_done). */
export function classifyUserErrors(
  mutation: MutationName,
  errors: ShopifyUserError[],
): UserErrorVerdict {
  const verdicts = errors.map((e) => classifyOne(mutation, e));
  return SEVERITY.find((v) => verdicts.includes(v)) ?? "invalid";
}
