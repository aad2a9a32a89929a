export {
  requestRefund,
  RefundRequestConflictError,
  CREDIT_NOTE_MISSING,
  refundFingerprint,
} from "./request-refund";
export {
  applyRefundOutcome,
  rejectionReason,
  type RefundOutcomeInput,
} from "./apply-refund-outcome";
export {
  submitRefund,
  runRefundSubmissionOnce,
  SUBMIT_LEASE_MS,
  REFUND_FIRST_POLL_MS,
  type RefundWorkResult,
} from "./submit-refund";
export { runRefundPollingOnce } from "./poll-refunds";
export { enterCreditNote } from "./enter-credit-note";
export { toRefundView, type RefundViewWithData } from "./views";
export type { RefundOutboxPayload } from "./outbox";
