export { backgroundWork, type BackgroundDeps } from "./background";
export { nudger } from "./nudge";
export { periodic, type PeriodicLogger, type PeriodicTask } from "./periodic";
export {
  appEngineContext,
  auditedPagoEfectivoClients,
  openAppStorage,
  pagoEfectivoBaseUrls,
  reencryptTenantColumns,
  reencryptUnderPrimaryKey,
  type AppEngineContextOptions,
  type AppStorageOptions,
  type ReencryptStep,
} from "./process-context";
export { stopOnSignals, type ShutdownOptions } from "./shutdown";
