import { MIGRATIONS, MigrationError, migrate, schemaStatus, type Database } from "../src/index";
import { createTestDatabase, forEachDatabase } from "./support/databases";

forEachDatabase(
  "migrations",
  (t) => {
    it("reports pending before, applies once, and is idempotent", async () => {
      const { db } = t();
      const before = await schemaStatus(db);
      expect(before.upToDate).toBe(false);
      expect(before.pending).toEqual(MIGRATIONS.map((m) => m.version));

      const first = await migrate(db);
      expect(first.applied).toEqual(MIGRATIONS.map((m) => m.version));
      const second = await migrate(db);
      expect(second.applied).toEqual([]);

      const after = await schemaStatus(db);
      expect(after).toMatchObject({ upToDate: true, pending: [], drifted: [], unknown: [] });
    });

    it("three instances migrating at once apply each migration exactly once", async () => {
      const fresh = await createTestDatabase(t().kind, { migrate: false });
      try {
        const handles: Database[] = [fresh.db, await fresh.connect(), await fresh.connect()];
        const results = await Promise.all(handles.map((h) => migrate(h)));
        const appliedCounts = results.map((r) => r.applied.length).sort();
        expect(appliedCounts).toEqual([0, 0, MIGRATIONS.length]);
        const { rows } = await fresh.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM schema_migrations",
        );
        expect(rows[0]!.n).toBe(MIGRATIONS.length);
      } finally {
        await fresh.drop();
      }
    }, 120_000);

    it("refuses to run when an applied migration's text changed", async () => {
      const { db } = t();
      const versions = MIGRATIONS.map((m) => m.version);
      const editOnly = (version: number) =>
        MIGRATIONS.map((m) => (m.version === version ? { ...m, sql: `${m.sql}\n-- edited` } : m));
      // Each migration alone: migrate refuses, and drift names exactly that migration.
      for (const version of versions) {
        const edited = editOnly(version);
        await expect(migrate(db, { migrations: edited })).rejects.toBeInstanceOf(MigrationError);
        const status = await schemaStatus(db, edited);
        expect(status.drifted).toEqual([version]);
        expect(status.upToDate).toBe(false);
      }
      // All of them: every one is reported.
      const allEdited = MIGRATIONS.map((m) => ({ ...m, sql: `${m.sql}\n-- edited` }));
      await expect(migrate(db, { migrations: allEdited })).rejects.toBeInstanceOf(MigrationError);
      expect((await schemaStatus(db, allEdited)).drifted).toEqual(versions);
      // The refusals changed nothing: the real migrations are still exactly what is applied.
      expect(await schemaStatus(db)).toMatchObject({ upToDate: true, drifted: [], pending: [] });
    });
  },
  { migrate: false },
);
