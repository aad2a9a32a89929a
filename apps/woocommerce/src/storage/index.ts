export { DbTenantStore, type WooStoreSummary } from "./woo-stores";
export { DbReplayGuard } from "./replay-guard";
export { DbPendingAuthorizations } from "./pending-authorizations";
export { DbOrderVoucherLookup } from "./order-vouchers";
export { DbPluginKeys } from "./plugin-keys";
