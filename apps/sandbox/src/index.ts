export { createSandbox, type Sandbox, type SandboxOptions } from "./app";
export { startSandbox, type RunningSandbox, type StartOptions } from "./server";
export { DEMO_MERCHANT, type MerchantConfig } from "./merchants";
export { CIP_STATUS, FIRST_CIP, type FaultConfig, type Delivery, SandboxState } from "./state";
export { PE_CODES } from "./errors";
export type { NotificationRetry, SandboxLogger } from "./notifier";
