/**
 * The engine ↔ adapter contract types. Imported by relative path because `@pe-pay/engine` has no
 * `src/index.ts` yet; switch this single file to `from "@pe-pay/engine"` once it lands.
 */
export type {
  CreateVoucherCommand,
  DeliveryOutcome,
  OutboxKind,
  OutboxMessage,
  PaymentEngine,
  PlatformDeliverer,
  RefundView,
  RequestRefundCommand,
  TenantContext,
  VoucherView,
} from "../../../packages/engine/src/ports";
