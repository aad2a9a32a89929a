/** Shared set-up of the engine benchmarks (not a bench file itself: no `.bench.ts` suffix). */
import { randomBytes } from "node:crypto";
import { createPagoEfectivoClient, type Clock } from "../packages/core/src/index";
import {
  createKeyring,
  createLogger,
  createPgDatabase,
  createPgliteDatabase,
  createTenant,
  DEFAULT_ENGINE_CONFIG,
  migrate,
  type Database,
  type DriverKind,
  type EngineConfig,
  type EngineContext,
  type TenantRecord,
} from "../packages/engine/src/index";

export const DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export const PE = {
  accessKey: "AK9X2M7Q4T8W1Z5R3P6N",
  secretKey: "sk_demo_4f1c2a9b7e6d5c3b2a1f0e9d8c7b6a5f",
  idService: 1234,
};

async function admin(sql: string): Promise<void> {
  const c = createPgDatabase({ connectionString: DATABASE_URL, max: 1 });
  try {
    await c.query(sql);
  } finally {
    await c.close();
  }
}

export async function openBenchDatabase(
  kind: DriverKind,
): Promise<{ db: Database; drop(): Promise<void> }> {
  if (kind === "pglite") {
    const db = await createPgliteDatabase();
    await migrate(db);
    return { db, drop: () => db.close() };
  }
  const name = `bench_${randomBytes(5).toString("hex")}`;
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(DATABASE_URL);
  u.pathname = `/${name}`;
  const db = createPgDatabase({ connectionString: u.toString(), max: 10 });
  await migrate(db);
  return {
    db,
    async drop() {
      await db.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

export const keyring = createKeyring({ keys: { bench: Buffer.alloc(32, 9) }, primary: "bench" });

export function benchContext(
  db: Database,
  clock: Clock,
  baseUrl: string,
  config: Partial<EngineConfig> = {},
): EngineContext {
  return {
    db,
    clock,
    logger: createLogger({ name: "bench", level: "silent" }),
    keyring,
    random: Math.random,
    config: {
      ...DEFAULT_ENGINE_CONFIG,
      pagoEfectivoBaseUrl: { sandbox: baseUrl, production: baseUrl },
      publicBaseUrl: "http://127.0.0.1",
      ...config,
    },
    pagoEfectivo: ({ credentials, baseUrl: url }) =>
      createPagoEfectivoClient({ baseUrl: url, ...credentials, clock }),
  };
}

export function benchTenant(db: Database): Promise<TenantRecord> {
  return createTenant(db, keyring, {
    platform: "shopify",
    shopDomain: `bench-${randomBytes(4).toString("hex")}.myshopify.com`,
    peCredentials: PE,
  });
}

/** `n` pending vouchers with CIPs from+1 … from+n, inserted in bulk. */
export async function seedPendingVouchers(
  db: Database,
  tenantId: string,
  n: number,
  from: number,
  expiresAt: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO vouchers (tenant_id, platform_payment_id, idempotency_key, request_fingerprint,
       transaction_code, cip, amount_minor, currency, status, expires_at, platform_data, next_poll_at)
     SELECT $1, 'p' || g, 'k' || g, 'fp', 'T' || g, g::text, 15050, 'PEN', 'pending', $2,
       jsonb_build_object('platform', '{}'::jsonb, 'engine', jsonb_build_object(
         'reference', '#' || g, 'tokenSecret', md5(g::text), 'environment', 'sandbox')),
       $2::timestamptz + interval '1 day'
     FROM generate_series($3::bigint + 1, $3::bigint + $4::bigint) g`,
    [tenantId, expiresAt, from, n],
  );
  await db.query(
    `INSERT INTO voucher_cips (tenant_id, cip, voucher_id)
     SELECT tenant_id, cip, id FROM vouchers WHERE tenant_id = $1 ON CONFLICT DO NOTHING`,
    [tenantId],
  );
}
