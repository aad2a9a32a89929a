export * from "./errors";
export * from "./money";
export * from "./pagoefectivo-json";
export * from "./clock";
export * from "./signatures";
export * from "./voucher-state";
export * from "./refund-state";
export * from "./pagoefectivo-status";
