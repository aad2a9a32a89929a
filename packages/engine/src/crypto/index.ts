export * from "./keyring";
export * from "./key-source";
export * from "./reseal";
