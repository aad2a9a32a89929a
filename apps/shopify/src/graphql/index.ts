export * from "./client";
export * from "./date-time";
export * from "./documents";
export * from "./retry";
export * from "./user-errors";
