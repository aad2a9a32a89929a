/** The engine ↔ adapter contract types, from the engine package. */
export type {
  CreateVoucherCommand,
  DeliveryOutcome,
  OutboxKind,
  PlatformOutboxMessage as OutboxMessage,
  PaymentEngine,
  PlatformDeliverer,
  RefundView,
  RequestRefundCommand,
  TenantContext,
  VoucherStatus,
  VoucherView,
} from "@pe-pay/engine";
