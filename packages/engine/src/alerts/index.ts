export {
  evaluateAlerts,
  evaluateAlertsForActiveTenants,
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
  PLATFORM_REAUTHORIZATION_ALERT,
  type MerchantAlert,
  type AlertSeverity,
} from "./merchant-alerts";
