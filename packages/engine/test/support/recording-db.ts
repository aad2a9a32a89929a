import type { Database } from "../../src/index";

/** The statements sent through a database (BEGIN and COMMIT of a transaction included). */
export function recording(db: Database): { db: Database; sql: string[] } {
  const sql: string[] = [];
  const wrapped: Database = {
    kind: db.kind,
    inTransaction: false,
    query(text, params) {
      sql.push(text);
      return db.query(text, params);
    },
    exec(text) {
      sql.push(text);
      return db.exec(text);
    },
    transaction(fn, opts) {
      sql.push("BEGIN");
      return db
        .transaction(
          (tx) =>
            fn({
              kind: tx.kind,
              inTransaction: true,
              query(text, params) {
                sql.push(text);
                return tx.query(text, params);
              },
              exec(text) {
                sql.push(text);
                return tx.exec(text);
              },
            }),
          opts,
        )
        .finally(() => sql.push("COMMIT"));
    },
    close: () => db.close(),
  };
  return { db: wrapped, sql };
}
