/**
 * @pe-pay/engine — storage foundation: the Database seam (pg / PGlite), migrations, repositories,
 * encryption at rest and the logger. Use cases build on these.
 */
export * from "./db/index";
export * from "./crypto/index";
export { MIGRATIONS, migrationChecksum, type Migration } from "./migrations/index";
export { createLogger, REDACT_PATHS, type LoggerOptions, type Logger } from "./logger";
export * from "./refunds/index";
export * from "./outbox/index";
export * from "./alerts/index";
