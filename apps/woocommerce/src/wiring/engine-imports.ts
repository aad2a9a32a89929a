/**
 * The engine facade pieces that `@pe-pay/engine`'s index does not export yet. One place to
 * change to `from "@pe-pay/engine"` once it does.
 */
export {
  createPaymentEngine,
  type EnginePaymentService,
  type PaymentEngineOptions,
} from "../../../../packages/engine/src/engine";
export {
  createHealthRouter,
  createNotificationRouter,
} from "../../../../packages/engine/src/http/notification-router";
export { checkReadiness } from "../../../../packages/engine/src/http/health";
