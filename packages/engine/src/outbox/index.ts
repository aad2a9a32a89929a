export {
  createOutboxDispatcher,
  type DispatcherOptions,
  type DispatchResult,
  type OutboxDispatcher,
} from "./dispatcher";
export { outboxBackoffMs, nextOutboxAttempt } from "./backoff";
export { loadVoucherView, toVoucherView } from "./views";
