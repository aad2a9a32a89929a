/**
 * @pe-pay/engine — storage foundation: the Database seam (pg / PGlite), migrations, repositories,
 * encryption at rest and the logger. Use cases build on these.
 */
export * from "./db/index";
export * from "./crypto/index";
export { MIGRATIONS, migrationChecksum, type Migration } from "./migrations/index";
export { createLogger, REDACTED_LOG_KEYS, type LoggerOptions, type Logger } from "./logger";
export * from "./refunds/index";
export * from "./outbox/index";
export * from "./alerts/index";
export * from "./context";
export type {
  VoucherStatus,
  ShopperContact,
  CreateVoucherCommand,
  VoucherView,
  RequestRefundCommand,
  RefundStatus,
  RefundView,
  IngestResult,
  PaymentEngine,
  OutboxKind,
  OutboxMessage as PlatformOutboxMessage,
  DeliveryOutcome,
  TenantContext,
  PlatformDeliverer,
} from "./ports";
export {
  createPaymentEngine,
  type EnginePaymentService,
  type PaymentEngineOptions,
} from "./engine";
export type { CreateVoucherInput } from "./vouchers/create-voucher";
export type { CancelVoucherCommand } from "./vouchers/cancel-voucher";
export type { EngineStep, StepHook } from "./vouchers/hooks";
export type { ExpiryRunResult } from "./expiry/run-expiry";
export type { PollingRunResult } from "./polling/run-polling";
export { MAX_NOTIFICATION_BYTES } from "./notifications/ingest-notification";
export { MicroBatcher, type MicroBatcherOptions } from "./notifications/micro-batcher";
export { checkLiveness, checkReadiness, type HealthAnswer } from "./http/health";
export {
  createEngineHttpApp,
  createHealthRouter,
  createNotificationRouter,
} from "./http/notification-router";
export * from "./runtime/index";
