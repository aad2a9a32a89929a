import type { CipStatus, PagoEfectivoClient } from "../../core/src/index";
import {
  createLogger,
  createPaymentEngine,
  DEFAULT_ENGINE_CONFIG,
  type Database,
  type EngineContext,
} from "../src/index";
import {
  createTestDatabase,
  createTestTenant,
  testKeyring,
  type TestDatabase,
} from "./support/databases";

/**
 * Two engine instances (two EngineContexts, two pg pools) on one PostgreSQL expire 10 000
 * vouchers at once: each is processed exactly once. PagoEfectivo is a fast typed in-memory fake
 * that counts calls (the HTTP sandbox would make this a minutes-long test; the sandbox path is
 * covered by expiry-scheduler.test.ts and bench/engine-expiry.bench.ts).
 */
const N = 10_000;
const NOW = new Date("2026-11-25T15:00:00Z");

function fakePagoEfectivo() {
  const deletes = new Map<string, number>();
  const searches = { calls: 0, cips: 0 };
  const client: PagoEfectivoClient = {
    async searchCips(cips) {
      searches.calls++;
      searches.cips += cips.length;
      return cips.map((cip): CipStatus => ({
        cip,
        transactionCode: `T${cip}`,
        amount: { minor: 15050, currency: "PEN" },
        status: 22,
        statusName: "Generado",
        dateCreation: null,
        dateExpiry: new Date(NOW.getTime() - 3_600_000),
        datePayment: null,
        dateRemoval: null,
      }));
    },
    async deleteCip(cip) {
      deletes.set(cip, (deletes.get(cip) ?? 0) + 1);
      return { cip: null };
    },
    createCip: () => Promise.reject(new Error("not used")),
    extendCip: () => Promise.reject(new Error("not used")),
    createRefund: () => Promise.reject(new Error("not used")),
    getRefund: () => Promise.reject(new Error("not used")),
    getSettlement: () => Promise.reject(new Error("not used")),
    getSettlementCsv: () => Promise.reject(new Error("not used")),
  };
  return { client, deletes, searches };
}

function context(db: Database, client: PagoEfectivoClient): EngineContext {
  return {
    db,
    clock: { now: () => NOW },
    logger: createLogger({ name: "instance", level: "silent" }),
    keyring: testKeyring(),
    random: Math.random,
    config: {
      ...DEFAULT_ENGINE_CONFIG,
      expiryBatchSize: 250,
      pagoEfectivoBaseUrl: { sandbox: "http://fake", production: "http://fake" },
      publicBaseUrl: "http://127.0.0.1",
    },
    pagoEfectivo: () => client,
  };
}

describe("reliability: two instances expire 10 000 vouchers [pg]", () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase("pg");
  }, 120_000);
  afterAll(() => tdb?.drop());

  it("processes each voucher exactly once", async () => {
    const tenant = await createTestTenant(tdb.db);
    await tdb.db.query(
      `INSERT INTO vouchers (tenant_id, platform_payment_id, idempotency_key, request_fingerprint,
         transaction_code, cip, amount_minor, currency, status, expires_at, platform_data)
       SELECT $1, 'p' || g, 'k' || g, 'fp', 'T' || (5000000 + g), (5000000 + g)::text, 15050,
         'PEN', 'pending', $2::timestamptz - interval '1 hour',
         jsonb_build_object('platform', '{}'::jsonb, 'engine', jsonb_build_object(
           'reference', '#' || g, 'tokenSecret', md5(g::text), 'environment', 'sandbox'))
       FROM generate_series(1, $3::int) g`,
      [tenant.id, NOW, N],
    );
    await tdb.db.query(
      `INSERT INTO voucher_cips (tenant_id, cip, voucher_id)
       SELECT tenant_id, cip, id FROM vouchers WHERE tenant_id = $1`,
      [tenant.id],
    );
    const fake = fakePagoEfectivo();
    const second = await tdb.connect();
    const engines = [
      createPaymentEngine(context(tdb.db, fake.client)),
      createPaymentEngine(context(second, fake.client)),
    ];
    const perInstance = [0, 0];
    await Promise.all(
      engines.map(async (engine, i) => {
        for (;;) {
          const r = await engine.runExpiryOnce();
          expect(r.failed).toBe(0);
          perInstance[i]! += r.expired;
          if (r.claimed === 0) return;
        }
      }),
    );
    expect(perInstance[0]! + perInstance[1]!).toBe(N);
    // Both instances took part (SKIP LOCKED split the work rather than serialising it).
    expect(Math.min(...perInstance)).toBeGreaterThan(0);
    expect(fake.deletes.size).toBe(N);
    expect([...fake.deletes.values()].every((n) => n === 1)).toBe(true);
    expect(fake.searches.cips).toBe(N);
    const { rows } = await tdb.db.query<{ status: string; n: number }>(
      "SELECT status, count(*)::int AS n FROM vouchers WHERE tenant_id = $1 GROUP BY status",
      [tenant.id],
    );
    expect(rows).toEqual([{ status: "expired", n: N }]);
    const outbox = await tdb.db.query<{ n: number; d: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT aggregate_id)::int AS d FROM outbox
       WHERE tenant_id = $1 AND kind = 'voucher.expired'`,
      [tenant.id],
    );
    expect(outbox.rows[0]).toEqual({ n: N, d: N });
  }, 240_000);
});
