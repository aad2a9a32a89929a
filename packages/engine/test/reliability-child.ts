/**
 * Child process of reliability-sigkill.test.ts: runs ONE step of a flow (create / pay / expire)
 * against the PostgreSQL database and sandbox given in the environment, and SIGKILLs itself at
 * the named step (no cleanup, no graceful anything: the harshest crash there is).
 *   node --import tsx reliability-child.ts
 * env: DATABASE_URL, SANDBOX_URL, TENANT_ID, FLOW, KILL_AT, PAYLOAD (JSON), OFFSET_MS
 */
import { createPagoEfectivoClient, type Clock } from "../../core/src/index";
import {
  createKeyring,
  createLogger,
  createPaymentEngine,
  createPgDatabase,
  DEFAULT_ENGINE_CONFIG,
  type EngineContext,
} from "../src/index";

async function main(): Promise<void> {
  const env = process.env;
  const offset = Number(env.OFFSET_MS ?? 0);
  const clock: Clock = { now: () => new Date(Date.now() + offset) };
  const db = createPgDatabase({ connectionString: env.DATABASE_URL!, max: 4 });
  const ctx: EngineContext = {
    db,
    clock,
    logger: createLogger({ name: "child", level: "silent" }),
    keyring: createKeyring({ keys: { test1: Buffer.alloc(32, 7) }, primary: "test1" }),
    random: Math.random,
    config: {
      ...DEFAULT_ENGINE_CONFIG,
      pagoEfectivoBaseUrl: { sandbox: env.SANDBOX_URL!, production: env.SANDBOX_URL! },
      publicBaseUrl: "http://127.0.0.1",
    },
    pagoEfectivo: ({ credentials, baseUrl }) =>
      createPagoEfectivoClient({ baseUrl, ...credentials, clock }),
  };
  const engine = createPaymentEngine(ctx, {
    createLeaseMs: 300,
    expiryLeaseMs: 300,
    hook: (step) => {
      if (step === env.KILL_AT) process.kill(process.pid, "SIGKILL");
    },
  });
  const payload = JSON.parse(env.PAYLOAD ?? "{}");
  if (env.FLOW === "create") await engine.createVoucher(payload);
  if (env.FLOW === "pay") {
    await engine.ingestNotification({
      notificationToken: payload.token,
      rawBody: Buffer.from(payload.body),
      headers: payload.headers,
    });
  }
  if (env.FLOW === "expire") await engine.runExpiryOnce();
  await db.close();
  process.exit(0);
}

void main().catch((e) => {
  console.error(e);
  process.exit(2);
});
