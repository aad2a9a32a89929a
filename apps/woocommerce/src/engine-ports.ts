/**
 * The only place this app names the engine's contract. `@pe-pay/engine` has no `src/index.ts`
 * yet (its package export points there), so the types come straight from `ports.ts`; when the
 * engine lands its index, change this one line to `from "@pe-pay/engine"`.
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
  VoucherStatus,
  VoucherView,
} from "../../../packages/engine/src/ports";

/** The engine's record → view mapping, for the bridge's own read paths (order lookups). */
export { toVoucherView } from "../../../packages/engine/src/vouchers/views";

/** Groups concurrent calls into one run (the engine batches payment notifications with it). */
export { MicroBatcher } from "@pe-pay/engine";
