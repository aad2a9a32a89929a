import { StorageUsageError, UnsafeIntegerError } from "../src/index";
import { forEachDatabase } from "./support/databases";

forEachDatabase(
  "Database",
  (t) => {
    beforeAll(async () => {
      await t().db.exec(
        `CREATE TABLE scratch (id bigserial PRIMARY KEY, n bigint, b bytea, j jsonb,
           at timestamptz DEFAULT now());
         CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL);
         INSERT INTO counter VALUES (1, 0);`,
      );
    });

    it("maps int8 to number, bytea to Buffer, jsonb to values, timestamptz to Date", async () => {
      const { db } = t();
      const { rows } = await db.query<{ id: number; n: number; b: Buffer; j: unknown; at: Date }>(
        "INSERT INTO scratch (n, b, j) VALUES ($1, $2, $3) RETURNING *",
        [Number.MAX_SAFE_INTEGER, Buffer.from([0, 1, 255]), JSON.stringify([1, { a: "x" }])],
      );
      const row = rows[0]!;
      expect(row.id).toEqual(expect.any(Number));
      expect(row.n).toBe(Number.MAX_SAFE_INTEGER);
      expect(Buffer.isBuffer(row.b)).toBe(true);
      expect([...row.b]).toEqual([0, 1, 255]);
      expect(row.j).toEqual([1, { a: "x" }]);
      expect(row.at).toBeInstanceOf(Date);
    });

    it("refuses an int8 a JS number cannot hold exactly", async () => {
      await expect(t().db.query("SELECT 9007199254740993::bigint AS n")).rejects.toBeInstanceOf(
        UnsafeIntegerError,
      );
    });

    it("commits, and rolls back when the callback throws", async () => {
      const { db } = t();
      await db.transaction(async (tx) => {
        await tx.query("INSERT INTO scratch (n) VALUES (101)");
      });
      await expect(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO scratch (n) VALUES (102)");
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      const { rows } = await db.query<{ n: number }>(
        "SELECT n FROM scratch WHERE n IN (101, 102) ORDER BY n",
      );
      expect(rows.map((r) => r.n)).toEqual([101]);
    });

    it("refuses nested transactions, db.query inside a transaction and a leaked tx handle", async () => {
      const { db } = t();
      await expect(db.transaction(() => db.transaction(async () => 1))).rejects.toBeInstanceOf(
        StorageUsageError,
      );
      await expect(db.transaction(() => db.query("SELECT 1"))).rejects.toBeInstanceOf(
        StorageUsageError,
      );
      let leaked: { query: (s: string) => Promise<unknown> } | undefined;
      await db.transaction(async (tx) => {
        leaked = tx;
      });
      await expect(leaked!.query("SELECT 1")).rejects.toBeInstanceOf(StorageUsageError);
      // The database is still usable afterwards.
      expect((await db.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    });

    it("runs 30 concurrent read-modify-write transactions without losing an update", async () => {
      const { db } = t();
      await Promise.all(
        Array.from({ length: 30 }, () =>
          db.transaction(async (tx) => {
            const { rows } = await tx.query<{ n: number }>(
              "SELECT n FROM counter WHERE id = 1 FOR UPDATE",
            );
            await new Promise((r) => setImmediate(r));
            await tx.query("UPDATE counter SET n = $1 WHERE id = 1", [rows[0]!.n + 1]);
          }),
        ),
      );
      const { rows } = await db.query<{ n: number }>("SELECT n FROM counter WHERE id = 1");
      expect(rows[0]!.n).toBe(30);
    });

    it("never interleaves transactions, even without row locks (PGlite queues them)", async () => {
      const { db, kind } = t();
      if (kind !== "pglite") return; // pg would need FOR UPDATE, tested above
      await db.exec("UPDATE counter SET n = 0 WHERE id = 1");
      await Promise.all(
        Array.from({ length: 20 }, () =>
          db.transaction(async (tx) => {
            const { rows } = await tx.query<{ n: number }>("SELECT n FROM counter WHERE id = 1");
            await new Promise((r) => setTimeout(r, 1));
            await tx.query("UPDATE counter SET n = $1 WHERE id = 1", [rows[0]!.n + 1]);
          }),
        ),
      );
      expect((await db.query<{ n: number }>("SELECT n FROM counter")).rows[0]!.n).toBe(20);
    });

    it("reports rowCount for updates and selects alike", async () => {
      const { db } = t();
      const upd = await db.query("UPDATE scratch SET n = n WHERE n = 101");
      expect(upd.rowCount).toBe(1);
      const none = await db.query("UPDATE scratch SET n = n WHERE n = -1");
      expect(none.rowCount).toBe(0);
    });
  },
  { migrate: false },
);
