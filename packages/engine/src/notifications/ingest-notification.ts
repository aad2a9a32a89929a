import { isNotificationSignatureValid, readHeader } from "@pe-pay/core";
import type { EngineContext } from "../context";
import { raiseAlert } from "../db/alerts";
import type { Executor } from "../db/database";
import {
  claimUnprocessedInbox,
  insertInboxMessage,
  markInboxProcessed,
  notificationDedupeKey,
  recordInboxFailure,
  storeProcessedInboxMessage,
  type InboxMessage,
  type NewInboxMessage,
} from "../db/inbox";
import { findVoucherByCip, updateVoucher, type VoucherRecord } from "../db/vouchers";
import type { IngestResult } from "../ports";
import type { StepHook } from "../vouchers/hooks";
import type { TenantAccess } from "../vouchers/tenant-access";
import { engineData } from "../vouchers/views";
import { applyPayment, removeOtherCips } from "./apply-payment";
import { answerOf, applyPaidBatch, type BatchVerdict, type PaidDelivery } from "./payment-batch";
import {
  parseNotification,
  readPaidData,
  readRefundData,
  type ParsedNotification,
} from "./parse-notification";

export interface RefundOutcomeInput {
  tenantId: string;
  peRefundId: string;
  outcome: "completed" | "rejected";
  reasonCode?: string;
  source: "notification" | "poll";
  reference?: string;
}

export interface IngestDeps {
  access: TenantAccess;
  /**
   * Where verified `cip.paid` deliveries go: a MicroBatcher over applyPaymentDeliveries, so
   * concurrent deliveries share one transaction. Without it each is applied on its own.
   */
  payments?: { submit(d: PaidDelivery): Promise<IngestResult | undefined> };
  /** The refunds module's use case (refund.completed / refund.rejected are theirs). */
  applyRefundOutcome: (ctx: EngineContext, input: RefundOutcomeInput) => Promise<void>;
  hook?: StepHook;
}

export interface IngestRequest {
  notificationToken: string;
  rawBody: Uint8Array;
  headers: Record<string, string | string[] | undefined>;
}

export const MAX_NOTIFICATION_BYTES = 64 * 1024;
const RETRY_AFTER_FAILURE_MS = 30_000;
const STALE_UNPROCESSED_MS = 5_000;

const answer = (httpStatus: number, outcome: IngestResult["outcome"]): IngestResult => ({
  httpStatus,
  outcome,
});

/**
 * PagoEfectivo → us. The URL token picks the tenant (and so the secret) before the body is
 * trusted; the signature is checked on the raw bytes; the message is stored in the inbox
 * (duplicates collapse on the body's hash) and only then answered 2xx. A verified `cip.paid` is
 * stored and applied in one transaction (storeAndApplyPayment); other events are stored first
 * and applied in a second transaction that marks the row processed, so a crash in between
 * leaves a stored, unprocessed row that `reprocessInbox` finishes. Never throws for bad input: every outcome is an
 * HTTP status (4xx for the sender's mistakes, 503 only when we could not store the message).
 */
export async function ingestNotification(
  ctx: EngineContext,
  deps: IngestDeps,
  req: IngestRequest,
): Promise<IngestResult> {
  if (typeof req?.notificationToken !== "string" || !(req.rawBody instanceof Uint8Array)) {
    return answer(400, "invalid");
  }
  if (req.rawBody.byteLength > MAX_NOTIFICATION_BYTES) return answer(413, "invalid");
  let entry;
  try {
    entry = await deps.access.byNotificationToken(req.notificationToken);
  } catch (e) {
    ctx.logger.error({ err: { message: (e as Error).message } }, "tenant lookup failed");
    return answer(503, "ignored");
  }
  if (!entry) return answer(404, "unknown_tenant");
  const tenantId = entry.tenant.id;
  const raw = Buffer.from(req.rawBody.buffer, req.rawBody.byteOffset, req.rawBody.byteLength);
  const signature = readHeader(req.headers ?? {}, "PE-Signature");

  let valid =
    !!entry.credentials &&
    isNotificationSignatureValid(raw, signature, entry.credentials.secretKey);
  if (!valid && entry.credentials) {
    // The cached secret may be stale (credentials just rotated): check once against the store.
    const fresh = await deps.access.get(tenantId, { fresh: true });
    valid =
      !!fresh?.credentials &&
      isNotificationSignatureValid(raw, signature, fresh.credentials.secretKey);
  }
  const parsed = parseNotification(raw);
  const base = {
    tenantId,
    rawBody: raw,
    headers: req.headers ?? {},
    eventType: parsed?.rawEventType ?? null,
    operationNumber: parsed?.operationNumber ?? null,
    cip: parsed?.cip ?? null,
    receivedAt: ctx.clock.now(),
  };

  try {
    if (!valid) {
      await ctx.db.transaction(async (tx) => {
        const { message, inserted } = await insertInboxMessage(tx, {
          ...base,
          signatureValid: false,
          dedupeKey: notificationDedupeKey({ rawBody: raw, signatureValid: false, signature }),
        });
        if (inserted) {
          await markInboxProcessed(tx, message.id, {
            result: "rejected_signature",
            at: ctx.clock.now(),
          });
        }
        await raiseAlert(tx, {
          tenantId,
          kind: "signature_failure",
          detail: { inboxId: message.id, hasSignature: !!signature },
          at: ctx.clock.now(),
        });
        // Something claims to have happened to this CIP: ask PagoEfectivo soon (the poller).
        if (parsed?.cip) await requestStatusQuery(ctx, tx, tenantId, parsed.cip);
      });
      ctx.logger.warn({ tenantId, cip: parsed?.cip ?? null }, "notification signature rejected");
      return answer(401, "rejected_signature");
    }

    const stored: NewInboxMessage = {
      ...base,
      signatureValid: true,
      dedupeKey: notificationDedupeKey({ rawBody: raw, signatureValid: true }),
    };
    if (parsed?.eventType === "cip.paid") {
      const paid = readPaidData(parsed);
      if (paid) {
        const delivery = { stored, parsed, paid };
        const fast = deps.payments
          ? await deps.payments.submit(delivery)
          : (await applyPaymentDeliveries(ctx, deps, [delivery]))[0];
        if (fast) return fast;
      }
    }
    const { message, inserted } = await insertInboxMessage(ctx.db, stored);
    if (!parsed) {
      if (inserted) {
        await markInboxProcessed(ctx.db, message.id, { result: "invalid", at: ctx.clock.now() });
      }
      return answer(400, "invalid");
    }
    if (!inserted) {
      // A duplicate is answered at once while the first delivery is (probably) still applying
      // it; one that was stored a while ago and never applied (a crash) is applied now.
      const stale =
        !message.processedAt &&
        ctx.clock.now().getTime() - message.receivedAt.getTime() > STALE_UNPROCESSED_MS;
      if (!stale) return answer(200, "duplicate");
      return processInboxMessage(ctx, deps, message, parsed);
    }
    await deps.hook?.("pay.stored");
    const result = await processInboxMessage(ctx, deps, message, parsed);
    await deps.hook?.("pay.applied");
    return result;
  } catch (e) {
    ctx.logger.error(
      { tenantId, err: { message: (e as Error).message } },
      "notification could not be stored",
    );
    return answer(503, "ignored");
  }
}

/**
 * Applies verified `cip.paid` deliveries: the plain ones together in one transaction
 * (applyPaidBatch), the rest — and all of them if the batch fails — one by one through
 * storeAndApplyPayment, after the batch has committed. Answers in the order of `deliveries`.
 */
export async function applyPaymentDeliveries(
  ctx: EngineContext,
  deps: IngestDeps,
  deliveries: readonly PaidDelivery[],
): Promise<(IngestResult | undefined)[]> {
  let verdicts: BatchVerdict[];
  try {
    verdicts = await applyPaidBatch(ctx, deliveries, deps.hook);
  } catch (e) {
    ctx.logger.warn(
      { size: deliveries.length, err: { message: (e as Error).message } },
      "payment batch rolled back; applying its notifications one by one",
    );
    verdicts = deliveries.map(() => ({ kind: "single" }));
  }
  if (verdicts.some((v) => v.kind === "applied")) await deps.hook?.("pay.applied");
  return Promise.all(
    deliveries.map(async (d, i) => {
      const v = verdicts[i]!;
      if (v.kind === "single") return storeAndApplyPayment(ctx, deps, d.stored, d.parsed, d.paid);
      if (v.kind === "applied") {
        await afterPayment(ctx, deps, d.stored.tenantId, v);
        ctx.logger.info(
          { tenantId: d.stored.tenantId, inboxId: v.inboxId, cip: d.paid.cip, outcome: v.kind },
          "payment notification processed",
        );
      }
      return answerOf(v);
    }),
  );
}

/**
 * One verified `cip.paid` alone, in ONE transaction and one commit: the guarded
 * transition and its outbox message, then the inbox row stored already processed. The inbox
 * row is durable when the commit returns, before the 2xx, exactly as in the two-step path.
 * A duplicate (the row exists and is processed) rolls the transaction back and is answered
 * "duplicate"; a row stored earlier but never finished is taken over. If applying fails, the
 * transaction rolls back and the message is stored alone with the failure recorded, for
 * `reprocessInbox` to retry; if even that fails the answer is 503 (PagoEfectivo retries).
 * Returns undefined only to hand the message to the two-step path (store, then apply).
 */
async function storeAndApplyPayment(
  ctx: EngineContext,
  deps: IngestDeps,
  stored: NewInboxMessage,
  parsed: ParsedNotification,
  paid: NonNullable<ReturnType<typeof readPaidData>>,
): Promise<IngestResult | undefined> {
  const tenantId = stored.tenantId;
  let outcome;
  try {
    outcome = await ctx.db.transaction(async (tx) => {
      const o = await applyPayment(ctx, tx, {
        tenantId,
        cip: paid.cip,
        transactionCode: paid.transactionCode,
        amount: paid.amount,
        paidAt: paid.paidAt ?? stored.receivedAt ?? ctx.clock.now(),
        operationNumber: parsed.operationNumber,
        source: "notification",
      });
      const detail = "voucher" in o ? { voucherId: o.voucher.id } : undefined;
      const id = await storeProcessedInboxMessage(tx, stored, {
        result: o.kind,
        detail,
        at: ctx.clock.now(),
      });
      // Already processed by an earlier delivery: roll back our copy of the effects.
      if (id === null) throw ALREADY_PROCESSED;
      // Killed here, nothing is stored and nothing was answered: PagoEfectivo redelivers.
      await deps.hook?.("pay.stored");
      return { o, id };
    });
  } catch (e) {
    if (e === ALREADY_PROCESSED) return answer(200, "duplicate");
    ctx.logger.error(
      { tenantId, cip: paid.cip, err: { message: (e as Error).message } },
      "notification could not be applied; storing it to retry",
    );
    const { message, inserted } = await insertInboxMessage(ctx.db, stored);
    if (!inserted && message.processedAt) return answer(200, "duplicate");
    await recordInboxFailure(ctx.db, message.id, {
      error: (e as Error).message ?? "error",
      retryAt: new Date(ctx.clock.now().getTime() + RETRY_AFTER_FAILURE_MS),
    });
    return answer(200, "ignored");
  }
  await deps.hook?.("pay.applied");
  const { o, id } = outcome;
  await afterPayment(ctx, deps, tenantId, o);
  ctx.logger.info(
    { tenantId, inboxId: id, cip: paid.cip, outcome: o.kind },
    "payment notification processed",
  );
  return answer(200, o.kind === "duplicate" ? "duplicate" : "applied");
}

/** After a payment commits: the voucher's other CIPs are deleted at PagoEfectivo. */
async function afterPayment(
  ctx: EngineContext,
  deps: IngestDeps,
  tenantId: string,
  outcome: { kind: string; voucher?: VoucherRecord; removeCips?: string[] },
): Promise<void> {
  if (outcome.kind !== "applied" || !outcome.voucher || !outcome.removeCips?.length) return;
  const entry = await deps.access.get(tenantId);
  const env = engineData(outcome.voucher)?.environment ?? entry?.tenant.environment;
  if (entry?.credentials && env) {
    await removeOtherCips(
      ctx,
      deps.access.client(entry, env),
      outcome.voucher.id,
      outcome.removeCips,
    );
  }
}

/**
 * Applies one stored message. Failures are recorded on the inbox row (retried later by
 * `reprocessInbox`) and still answered 200: the message is durably ours.
 */
export async function processInboxMessage(
  ctx: EngineContext,
  deps: IngestDeps,
  message: InboxMessage,
  parsed: ParsedNotification,
): Promise<IngestResult> {
  const tenantId = message.tenantId;
  const done = (q: Executor, result: string, detail?: unknown) =>
    markInboxProcessed(q, message.id, { result, detail, at: ctx.clock.now() });
  try {
    switch (parsed.eventType) {
      case "cip.paid": {
        const paid = readPaidData(parsed);
        if (!paid) {
          await done(ctx.db, "invalid");
          return answer(400, "invalid");
        }
        const outcome = await ctx.db.transaction(async (tx) => {
          const o = await applyPayment(ctx, tx, {
            tenantId,
            cip: paid.cip,
            transactionCode: paid.transactionCode,
            amount: paid.amount,
            paidAt: paid.paidAt ?? message.receivedAt,
            operationNumber: parsed.operationNumber,
            source: "notification",
          });
          const detail = "voucher" in o ? { voucherId: o.voucher.id } : undefined;
          // Another worker finished this row first: roll back our copy of the effects.
          if (!(await done(tx, o.kind, detail))) throw ALREADY_PROCESSED;
          return o;
        });
        await afterPayment(ctx, deps, tenantId, outcome);
        ctx.logger.info(
          { tenantId, inboxId: message.id, cip: paid.cip, outcome: outcome.kind },
          "payment notification processed",
        );
        return answer(200, outcome.kind === "duplicate" ? "duplicate" : "applied");
      }
      case "refund.completed":
      case "refund.rejected": {
        const refund = readRefundData(parsed);
        if (!refund) {
          await done(ctx.db, "invalid");
          return answer(400, "invalid");
        }
        await deps.applyRefundOutcome(ctx, {
          tenantId,
          peRefundId: refund.refundId,
          outcome: parsed.eventType === "refund.completed" ? "completed" : "rejected",
          reasonCode: refund.reasonCode,
          reference: refund.reference,
          source: "notification",
        });
        await done(ctx.db, "applied");
        return answer(200, "applied");
      }
      case "cip.expired":
      case "cip.refunded":
        // Our own expiry schedule is authoritative; refunds complete through refund.* events.
        await done(ctx.db, "ignored");
        return answer(200, "ignored");
      case "unknown":
      default:
        await ctx.db.transaction(async (tx) => {
          await done(tx, "ignored_unknown_event", { eventType: parsed.rawEventType });
          if (parsed.cip) await requestStatusQuery(ctx, tx, tenantId, parsed.cip);
        });
        return answer(200, "ignored");
    }
  } catch (e) {
    if (e === ALREADY_PROCESSED) return answer(200, "duplicate");
    ctx.logger.error(
      { tenantId, inboxId: message.id, err: { message: (e as Error).message } },
      "stored notification could not be applied; will retry",
    );
    await recordInboxFailure(ctx.db, message.id, {
      error: (e as Error).message ?? "error",
      retryAt: new Date(ctx.clock.now().getTime() + RETRY_AFTER_FAILURE_MS),
    }).catch(() => undefined);
    return answer(200, "ignored");
  }
}

const ALREADY_PROCESSED = new Error("inbox message already processed");

/**
 * Stored but unprocessed messages (crash between "stored" and "applied", or a failed apply):
 * claimed with SKIP LOCKED and applied again. Messages younger than `minAgeMs` are left to the
 * request that stored them.
 */
export async function reprocessInbox(
  ctx: EngineContext,
  deps: IngestDeps,
  opts: { limit: number; minAgeMs?: number; leaseMs?: number },
): Promise<number> {
  const minAge = opts.minAgeMs ?? 5_000;
  const messages = await claimUnprocessedInbox(ctx.db, {
    now: new Date(ctx.clock.now().getTime() - minAge),
    limit: opts.limit,
    leaseMs: (opts.leaseMs ?? 60_000) + minAge,
  });
  for (const m of messages) {
    const parsed = m.signatureValid ? parseNotification(m.rawBody) : null;
    if (!parsed) {
      await markInboxProcessed(ctx.db, m.id, {
        result: m.signatureValid ? "invalid" : "rejected_signature",
        at: ctx.clock.now(),
      });
      continue;
    }
    await processInboxMessage(ctx, deps, m, parsed);
  }
  return messages.length;
}

/** Makes the poller look at the CIP's voucher on its next run (pending vouchers only). */
async function requestStatusQuery(
  ctx: EngineContext,
  q: Executor,
  tenantId: string,
  cip: string,
): Promise<void> {
  const v = await findVoucherByCip(q, tenantId, cip);
  if (v && v.status === "pending") {
    await updateVoucher(q, v.id, { expectedStatus: "pending" }, { nextPollAt: ctx.clock.now() });
  }
}
