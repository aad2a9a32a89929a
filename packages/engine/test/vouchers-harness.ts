/**
 * Shared set-up of the voucher / notification / expiry / polling / reliability tests: a migrated
 * database (PGlite or pg, from ./support/databases), the local PagoEfectivo sandbox, one tenant
 * with the sandbox's demo credentials, an engine facade and a loopback HTTP server for
 * notifications, registered as the sandbox merchant's notification URL.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import express from "express";
import { createPagoEfectivoClient, type Clock } from "../../core/src/index";
import { startSandbox, DEMO_MERCHANT, type RunningSandbox } from "../../../apps/sandbox/src/index";
import {
  createLogger,
  DEFAULT_ENGINE_CONFIG,
  insertAudit,
  type Database,
  type EngineConfig,
  type EngineContext,
  type TenantRecord,
  type CreateVoucherCommand,
} from "../src/index";
import { createPaymentEngine, type PaymentEngineOptions } from "../src/engine";
import { createNotificationRouter } from "../src/http/notification-router";
import { createTestTenant, testKeyring } from "./support/databases";

/** Real time plus an offset both the engine and the sandbox share (to reach an expiry). */
export function offsetClock(): Clock & { offsetMs: number; advance(ms: number): void } {
  const c = {
    offsetMs: 0,
    now: () => new Date(Date.now() + c.offsetMs),
    advance(ms: number) {
      c.offsetMs += ms;
    },
  };
  return c;
}

export interface LogCapture {
  lines: string[];
  text(): string;
}

export function captureLogs(): { stream: Writable; capture: LogCapture } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { stream, capture: { lines, text: () => lines.join("") } };
}

export interface Harness {
  db: Database;
  ctx: EngineContext;
  clock: ReturnType<typeof offsetClock>;
  engine: ReturnType<typeof createPaymentEngine>;
  tenant: TenantRecord;
  sandbox: RunningSandbox;
  notifyUrl: string;
  logs: LogCapture;
  /** Moves engine and sandbox time together. */
  advance(ms: number): void;
  control(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: { data?: unknown } & Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startHarness(
  db: Database,
  opts: {
    engine?: PaymentEngineOptions;
    config?: Partial<EngineConfig>;
    sandbox?: RunningSandbox;
    tenant?: TenantRecord;
    audit?: boolean;
  } = {},
): Promise<Harness> {
  const clock = offsetClock();
  const sandbox =
    opts.sandbox ??
    (await startSandbox({
      port: 0,
      clock,
      expirySweepMs: 0,
      notificationRetry: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 100 },
    }));
  const { stream, capture } = captureLogs();
  const logger = createLogger({ name: "engine-test", level: "debug", destination: stream });
  const ctx: EngineContext = {
    db,
    clock,
    logger,
    keyring: testKeyring(),
    random: Math.random,
    config: {
      ...DEFAULT_ENGINE_CONFIG,
      pagoEfectivoBaseUrl: { sandbox: sandbox.url, production: sandbox.url },
      publicBaseUrl: "http://127.0.0.1",
      ...opts.config,
    },
    pagoEfectivo: ({ credentials, baseUrl, tenantId }) =>
      createPagoEfectivoClient({
        baseUrl,
        ...credentials,
        clock,
        retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
        onAudit: opts.audit
          ? (entry) => {
              void insertAudit(db, {
                tenantId,
                direction: "outbound",
                method: entry.method,
                path: entry.path,
                status: entry.status,
                request: entry.requestBody,
                response: entry.responseBody,
                durationMs: entry.durationMs,
              }).catch(() => undefined);
            }
          : undefined,
      }),
  };
  const tenant =
    opts.tenant ??
    (await createTestTenant(db, {
      peCredentials: {
        accessKey: DEMO_MERCHANT.accessKey,
        secretKey: DEMO_MERCHANT.secretKey,
        idService: DEMO_MERCHANT.idService,
      },
    }));
  const engine = createPaymentEngine(ctx, opts.engine);
  const app = express();
  app.use(createNotificationRouter(engine));
  const server: Server = createServer(app);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const notifyUrl = `http://127.0.0.1:${port}/notifications/pagoefectivo/${tenant.notificationToken}`;

  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: res.status,
      json: (await res.json()) as { data?: unknown } & Record<string, unknown>,
    };
  };
  if (!opts.sandbox) {
    await control("PUT", `/_sandbox/merchants/${DEMO_MERCHANT.idService}`, {
      notificationUrl: notifyUrl,
    });
  }
  return {
    db,
    ctx,
    clock,
    engine,
    tenant,
    sandbox,
    notifyUrl,
    logs: capture,
    control,
    advance(ms) {
      // The sandbox runs on this same clock (startSandbox({ clock })), so both move together.
      clock.advance(ms);
    },
    async close() {
      await engine.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      if (!opts.sandbox) await sandbox.close();
    },
  };
}

let keyCounter = 0;

export function voucherCommand(
  tenantId: string,
  overrides: Partial<CreateVoucherCommand> = {},
): CreateVoucherCommand {
  keyCounter += 1;
  const key = `sess-${process.pid}-${Date.now().toString(36)}-${keyCounter}`;
  return {
    tenantId,
    idempotencyKey: key,
    groupKey: `group-${key}`,
    platformReference: `#${1000 + keyCounter}`,
    amount: { minor: 15050, currency: "PEN" },
    shopper: { email: "rosa.quispe@example.pe", firstName: "Rosa", lastName: "Quispe" },
    paymentConcept: `Pedido #${1000 + keyCounter}`,
    test: true,
    platformData: { gid: `gid://shopify/PaymentSession/${keyCounter}` },
    ...overrides,
  };
}

/** Outbox rows of a voucher, oldest first. */
export async function outboxOf(db: Database, voucherId: string) {
  const { rows } = await db.query<{ kind: string; seq: number; dedupe_key: string | null }>(
    "SELECT kind, seq, dedupe_key FROM outbox WHERE aggregate_id = $1 ORDER BY seq",
    [voucherId],
  );
  return rows;
}

/** Waits until `check` returns a truthy value (sandbox notifications are asynchronous). */
export async function eventually<T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
