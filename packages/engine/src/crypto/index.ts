export * from "./keyring";
export * from "./key-source";
