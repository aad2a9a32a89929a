export {
  createOutboxDispatcher,
  type DispatcherOptions,
  type DispatchResult,
  type OutboxDispatcher,
} from "./dispatcher";
export { outboxBackoffMs, nextOutboxAttempt } from "./backoff";
export { loadOutboxVoucherView } from "./views";
