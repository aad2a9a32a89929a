/**
 * Storage test harness: run a suite against BOTH drivers, each on a fresh, isolated database.
 *
 *   import { forEachDatabase } from "./support/databases";   // from packages/engine/test/*
 *
 *   forEachDatabase("vouchers", (t) => {
 *     it("inserts", async () => {
 *       const { db } = t();                      // migrated Database (PGlite or pg)
 *       const tenant = await createTestTenant(db);
 *       …
 *     });
 *     it("pg only: two pools", async () => {
 *       if (t().kind !== "pg") return;          // only for genuinely driver-specific checks
 *       const other = await t().connect();       // second independent pool, closed by drop()
 *     });
 *   });
 *
 * - PGlite: a new in-memory instance per suite.
 * - pg: `CREATE DATABASE test_<random>` on the server of TEST_DATABASE_URL
 *   (default postgres://postgres@127.0.0.1:5432/test), dropped (WITH FORCE) after the suite.
 *   If PostgreSQL is unreachable, beforeAll throws and every test of the suite FAILS: storage
 *   tests never skip PostgreSQL.
 * - `createTestDatabase(kind, { migrate: false })` gives an empty database (migration tests).
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import {
  createKeyring,
  createPgDatabase,
  createPgliteDatabase,
  createTenant,
  migrate,
  type Database,
  type DriverKind,
  type Keyring,
  type NewTenant,
  type TenantRecord,
} from "../../src/index";

export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export const DRIVERS: readonly DriverKind[] = ["pglite", "pg"];

export interface TestDatabase {
  kind: DriverKind;
  db: Database;
  /** pg only: the URL of the private database (for child processes, extra pools). */
  url?: string;
  /** Another independent handle on the same storage: a new pool (pg) or the same PGlite. */
  connect(): Promise<Database>;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({
    connectionString: TEST_DATABASE_URL,
    connectionTimeoutMillis: 5000,
  });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(
  kind: DriverKind,
  opts: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const shouldMigrate = opts.migrate ?? true;
  if (kind === "pglite") {
    const db = await createPgliteDatabase();
    if (shouldMigrate) await migrate(db);
    return { kind, db, connect: async () => db, drop: () => db.close() };
  }
  const name = `test_${randomBytes(6).toString("hex")}`;
  try {
    await adminQuery(`CREATE DATABASE ${name}`);
  } catch (e) {
    throw new Error(
      `PostgreSQL at ${TEST_DATABASE_URL} is required for storage tests and is unreachable: ${(e as Error).message}`,
    );
  }
  const url = withDatabase(TEST_DATABASE_URL, name);
  const pools: Database[] = [];
  const connect = async () => {
    const d = createPgDatabase({ connectionString: url, max: 12 });
    pools.push(d);
    return d;
  };
  const db = await connect();
  if (shouldMigrate) await migrate(db);
  return {
    kind,
    db,
    url,
    connect,
    async drop() {
      await Promise.all(pools.map((p) => p.close().catch(() => undefined)));
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** describe.each over DRIVERS with a fresh migrated database per driver. */
export function forEachDatabase(
  name: string,
  body: (t: () => TestDatabase) => void,
  opts: { migrate?: boolean } = {},
): void {
  describe.each(DRIVERS)(`${name} [%s]`, (kind) => {
    let current: TestDatabase | undefined;
    beforeAll(async () => {
      current = await createTestDatabase(kind, opts);
    }, 120_000);
    afterAll(async () => {
      await current?.drop();
    }, 60_000);
    body(() => {
      if (!current) throw new Error(`test database (${kind}) was not created`);
      return current;
    });
  });
}

/** A deterministic keyring for tests (never a real key). */
export function testKeyring(): Keyring {
  return createKeyring({ keys: { test1: Buffer.alloc(32, 7) }, primary: "test1" });
}

let shopCounter = 0;

/** A tenant with unique shop domain and sandbox credentials. */
export async function createTestTenant(
  db: Database,
  overrides: Partial<NewTenant> = {},
  keyring: Keyring = testKeyring(),
): Promise<TenantRecord> {
  shopCounter += 1;
  return createTenant(db, keyring, {
    platform: "shopify",
    shopDomain: `shop-${shopCounter}-${randomBytes(4).toString("hex")}.myshopify.com`,
    peCredentials: {
      accessKey: "AK9X2M7Q4T8W1Z5R3P6N",
      secretKey: "sk_demo_4f1c2a9b7e6d5c3b2a1f0e9d8c7b6a5f",
      idService: 1234,
    },
    ...overrides,
  });
}
