export {
  evaluateAlerts,
  refundRateForDay,
  limaDayStart,
  REFUND_RATE_THRESHOLD,
  type EngineAlertKind,
  type EvaluateResult,
  type RefundRate,
} from "./evaluate";
export {
  listMerchantAlerts,
  dismissMerchantAlert,
  describeAlert,
  type MerchantAlert,
  type AlertSeverity,
} from "./merchant-alerts";
