import type { ReencryptStep } from "@pe-pay/engine";
import { reencryptClaimCodes } from "./pending-authorizations";
import { reencryptWooStoreSecrets } from "./woo-stores";

export { DbTenantStore, reencryptWooStoreSecrets, type WooStoreSummary } from "./woo-stores";
export { DbReplayGuard } from "./replay-guard";
export { DbPendingAuthorizations, reencryptClaimCodes } from "./pending-authorizations";
export { DbOrderVoucherLookup } from "./order-vouchers";
export { DbPluginKeys } from "./plugin-keys";

/** Every column the bridge seals itself, for `openAppStorage({ reencrypt })`. */
export const WOO_REENCRYPT_STEPS: readonly ReencryptStep[] = [
  reencryptWooStoreSecrets,
  reencryptClaimCodes,
];
