export * from "./api-version";
export * from "./env";
