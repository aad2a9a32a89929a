export * from "./errors";
export * from "./money";
export * from "./pagoefectivo-json";
export * from "./clock";
export * from "./signatures";
