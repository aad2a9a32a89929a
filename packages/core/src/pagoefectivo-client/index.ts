export {
  createPagoEfectivoClient,
  DEFAULT_TIMEOUT_MS,
  type CipCreateBody,
  type CipStatus,
  type CreatedCip,
  type CreateRefundInput,
  type PagoEfectivoAck,
  type PagoEfectivoClient,
  type PagoEfectivoClientOptions,
  type Refund,
  type Settlement,
  type SettlementCsv,
  type SettlementItem,
} from "./client";
export * from "./errors";
export {
  AUDIT_PERSONAL_FIELDS,
  AUDIT_SECRET_FIELDS,
  REDACTED,
  redactPagoEfectivoPayload,
  scrubSecrets,
} from "./redact";
export { backoffDelayMs, DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry";
export { DEFAULT_TOKEN_SKEW_MS } from "./token-cache";
export type { FetchLike, HttpMethod, PagoEfectivoAuditEntry } from "./transport";
export { checkPagoEfectivoCredentials, type CredentialCheck } from "./credentials-check";
