import type { EngineContext } from "./context";
import type { Executor } from "./db/database";
import type { TenantRecord } from "./db/tenants";
import { getVoucher, findVoucherByIdempotencyKey } from "./db/vouchers";
import { runExpiryOnce, type ExpiryRunResult } from "./expiry/run-expiry";
import {
  applyPaymentDeliveries,
  ingestNotification,
  type IngestDeps,
} from "./notifications/ingest-notification";
import { MicroBatcher, type MicroBatcherOptions } from "./notifications/micro-batcher";
import type { PaidDelivery } from "./notifications/payment-batch";
import { runPollingOnce, type PollingRunResult } from "./polling/run-polling";
import type { PaymentEngine, VoucherView } from "./ports";
import { applyRefundOutcome } from "./refunds/apply-refund-outcome";
import { requestRefund } from "./refunds/request-refund";
import { cancelVoucher } from "./vouchers/cancel-voucher";
import { createVoucher, type CreateVoucherInput } from "./vouchers/create-voucher";
import type { StepHook } from "./vouchers/hooks";
import { tenantAccessFor } from "./vouchers/tenant-access";
import { findVoucherByPublicToken, toVoucherView } from "./vouchers/views";

export interface PaymentEngineOptions {
  /** Scheduler periods (ms). */
  expiryIntervalMs?: number;
  pollingIntervalMs?: number;
  /** Claim leases (ms): a crashed instance's rows come back after this. */
  expiryLeaseMs?: number;
  pollLeaseMs?: number;
  /** PagoEfectivo calls in flight within one batch. */
  concurrency?: number;
  /** A CIP creation attempt's lease, and how long a concurrent same-key call waits for it. */
  createLeaseMs?: number;
  waitForInFlightMs?: number;
  /** The merchant's address for PagoEfectivo's CIP mails; omitted when undefined. */
  adminEmail?: (tenant: TenantRecord) => string | undefined;
  /** How long tenant credentials stay cached in memory. */
  tenantCacheMs?: number;
  /** Test seam: called at named steps of create / pay / expire / cancel. */
  hook?: StepHook;
  /**
   * Payment notifications applied together (see MicroBatcher): at most `maxSize` per
   * transaction, `concurrency` transactions at once. Default 64 × 2 on PostgreSQL (leaving the
   * pool's other connections to schedulers and requests), 64 × 1 on PGlite (one connection).
   */
  notificationBatch?: Partial<MicroBatcherOptions>;
}

export interface EnginePaymentService extends PaymentEngine {
  createVoucher(cmd: CreateVoucherInput): Promise<VoucherView>;
  runExpiryOnce(): Promise<ExpiryRunResult>;
  runPollingOnce(): Promise<PollingRunResult>;
  /** Starts the expiry and polling schedulers (idempotent). */
  start(): void;
  /** Stops scheduling and waits for the runs in flight to finish (graceful shutdown). */
  stop(): Promise<void>;
  /** For the outbox dispatcher's `loadVoucher`: the adapter view of a voucher row. */
  loadVoucherView(q: Executor, voucherId: string): Promise<VoucherView | null>;
  /** Forget cached credentials of a tenant (call after changing them). */
  invalidateTenant(tenantId: string): void;
}

/**
 * The engine facade the adapters receive: the use cases of ports.ts plus the two schedulers.
 * Several facades may share one database (several app instances): every piece of work is
 * claimed with SKIP LOCKED and leases, and every state change is a guarded transition.
 */
export function createPaymentEngine(
  ctx: EngineContext,
  opts: PaymentEngineOptions = {},
): EnginePaymentService {
  const access = tenantAccessFor(ctx, opts.tenantCacheMs ?? 30_000);
  const concurrency = opts.concurrency ?? 8;
  const ingestDeps: IngestDeps = { access, applyRefundOutcome, hook: opts.hook };
  const payments = new MicroBatcher(
    (deliveries: PaidDelivery[]) => applyPaymentDeliveries(ctx, ingestDeps, deliveries),
    {
      maxSize: opts.notificationBatch?.maxSize ?? 64,
      concurrency: opts.notificationBatch?.concurrency ?? (ctx.db.kind === "pglite" ? 1 : 2),
    },
  );
  ingestDeps.payments = payments;
  const expiryDeps = {
    access,
    hook: opts.hook,
    leaseMs: opts.expiryLeaseMs ?? 2 * 60_000,
    concurrency,
  };
  const pollingDeps = {
    ...ingestDeps,
    leaseMs: opts.pollLeaseMs ?? 2 * 60_000,
    concurrency,
  };
  const createDeps = {
    access,
    adminEmail: opts.adminEmail,
    createLeaseMs: opts.createLeaseMs ?? 60_000,
    waitForInFlightMs: opts.waitForInFlightMs ?? 10_000,
    hook: opts.hook,
  };

  const loops: Loop[] = [];
  const loop = (name: string, intervalMs: number, run: () => Promise<{ more: boolean }>) =>
    new Loop(ctx, name, intervalMs, run);

  return {
    createVoucher: (cmd) => createVoucher(ctx, createDeps, cmd),
    cancelVoucher: (cmd) => cancelVoucher(ctx, { access, hook: opts.hook }, cmd),
    requestRefund: (cmd) => requestRefund(ctx, cmd),
    ingestNotification: (req) => ingestNotification(ctx, ingestDeps, req),
    async getVoucherByPublicToken(token) {
      const v = await findVoucherByPublicToken(ctx.db, token);
      return v ? toVoucherView(v) : null;
    },
    async getVoucherByIdempotencyKey(tenantId, key) {
      if (typeof tenantId !== "string" || !/^[0-9a-f-]{36}$/i.test(tenantId)) return null;
      const v = await findVoucherByIdempotencyKey(ctx.db, tenantId, key);
      return v ? toVoucherView(v) : null;
    },
    runExpiryOnce: () => runExpiryOnce(ctx, expiryDeps),
    runPollingOnce: () => runPollingOnce(ctx, pollingDeps),
    async loadVoucherView(q, voucherId) {
      const v = await getVoucher(q, voucherId);
      return v ? toVoucherView(v) : null;
    },
    invalidateTenant: (id) => access.invalidate(id),
    start() {
      if (loops.length > 0) return;
      loops.push(
        loop("expiry", opts.expiryIntervalMs ?? 5_000, async () => {
          const r = await runExpiryOnce(ctx, expiryDeps);
          return { more: r.claimed >= ctx.config.expiryBatchSize && r.failed < r.claimed };
        }),
        loop("polling", opts.pollingIntervalMs ?? 30_000, async () => {
          const r = await runPollingOnce(ctx, pollingDeps);
          return { more: r.checked >= ctx.config.pollBatchSize && r.failed < r.checked };
        }),
      );
      for (const l of loops) l.start();
    },
    async stop() {
      const running = loops.splice(0);
      await Promise.all(running.map((l) => l.stop()));
    },
  };
}

/**
 * A periodic job: runs at most once at a time, again at once while batches come back full,
 * and `stop()` resolves only after the run in flight has finished.
 */
class Loop {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly ctx: EngineContext,
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly run: () => Promise<{ more: boolean }>,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.current = this.tick().finally(() => {
        this.current = undefined;
      });
    }, ms);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    let more = false;
    try {
      more = (await this.run()).more;
    } catch (e) {
      this.ctx.logger.error(
        { job: this.name, err: { message: (e as Error).message } },
        "scheduled run failed",
      );
    }
    this.schedule(more ? 0 : this.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.current;
  }
}
