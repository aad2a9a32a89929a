import { AppError } from "@pe-pay/core";

/**
 * The one storage seam of the engine: a tiny interface that both drivers (node-postgres and
 * PGlite) implement, so every repository is written once, in one Postgres dialect.
 */
export type DriverKind = "pg" | "pglite";

export type Row = Record<string, unknown>;

export interface QueryResult<T> {
  rows: T[];
  /** Rows returned or affected (the larger of the two), normalised across drivers. */
  rowCount: number;
}

export interface Queryable {
  readonly kind: DriverKind;
  /** One statement, `$1…` parameters. int8 comes back as a JS number (or throws if unsafe). */
  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** A parameterless script of several statements (migrations). */
  exec(sql: string): Promise<void>;
}

/** A handle valid only inside `Database.transaction`. It cannot open a nested transaction. */
export interface Tx extends Queryable {
  readonly inTransaction: true;
}

export type IsolationLevel = "read committed" | "repeatable read" | "serializable";

export interface TransactionOptions {
  /**
   * Defaults to READ COMMITTED, which the repositories assume: `INSERT … ON CONFLICT DO NOTHING`
   * followed by a SELECT must see the row a concurrent transaction just committed.
   */
  isolation?: IsolationLevel;
}

export interface Database extends Queryable {
  readonly inTransaction: false;
  /**
   * BEGIN … COMMIT around `fn`; ROLLBACK if it throws. Nesting is refused (a nested call would
   * deadlock PGlite's single connection and silently escape the outer transaction on pg), and
   * so is `db.query` from inside `fn`: use the `tx` handle.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}

/** Either a database (autocommit statements) or a transaction handle. */
export type Executor = Database | Tx;

export class StorageUsageError extends AppError {
  readonly code = "storage_usage_error";
  readonly retryable = false;
  readonly httpStatus = 500;
}

/** An int8 value that a JS number cannot hold exactly; never silently rounded. */
export class UnsafeIntegerError extends AppError {
  readonly code = "unsafe_integer";
  readonly retryable = false;
  readonly httpStatus = 500;
  constructor(text: string) {
    super(`int8 value ${text} exceeds Number.MAX_SAFE_INTEGER`);
  }
}

export function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new UnsafeIntegerError(text);
  return n;
}

export function beginStatement(opts?: TransactionOptions): string {
  return opts?.isolation ? `BEGIN ISOLATION LEVEL ${opts.isolation.toUpperCase()}` : "BEGIN";
}

/** SQLSTATE helpers: both drivers surface the server's code on `error.code`. */
export function sqlState(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

export const isUniqueViolation = (e: unknown): boolean => sqlState(e) === "23505";
