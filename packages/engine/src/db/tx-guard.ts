import { AsyncLocalStorage } from "node:async_hooks";
import { StorageUsageError } from "./database";

/**
 * Tracks "this async call chain is inside a transaction of this database", so misuse fails loudly
 * (a nested transaction or a stray `db.query` inside `transaction`) instead of deadlocking PGlite
 * or quietly running outside the transaction on pg.
 */
export class TxGuard {
  private readonly als = new AsyncLocalStorage<true>();

  get active(): boolean {
    return this.als.getStore() === true;
  }

  assertOutside(what: string): void {
    if (this.active) {
      throw new StorageUsageError(
        `${what} called inside a transaction of the same database: use the tx handle instead`,
      );
    }
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.als.run(true, fn);
  }
}

/** A tx handle refuses use once its transaction has finished (a leaked handle is a bug). */
export function assertOpen(state: { done: boolean }): void {
  if (state.done) throw new StorageUsageError("transaction handle used after commit/rollback");
}
