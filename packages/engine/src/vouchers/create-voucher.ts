import { createHash, randomBytes } from "node:crypto";
import {
  buildCipRequest,
  CipCreationOutcomeUnknownError,
  computeExpiry,
  ConflictError,
  isCurrency,
  NotFoundError,
  UnavailableError,
  ValidationError,
  type ExpiryPolicy,
  type FieldIssue,
} from "@pe-pay/core";
import type { EngineContext } from "../context";
import { isUniqueViolation } from "../db/database";
import { insertClaimedVoucher } from "../db/voucher-and-settings";
import type { TenantRecord } from "../db/tenants";
import {
  findVoucherByIdempotencyKey,
  findVoucherByPlatformPaymentId,
  getVoucher,
  getVouchers,
  markVouchersPendingOrTaken,
  updateVoucher,
  type CipTaken,
  type VoucherRecord,
} from "../db/vouchers";
import { MicroBatcher } from "../notifications/micro-batcher";
import type { CreateVoucherCommand, VoucherView } from "../ports";
import { CipNumberTakenError } from "./cip-number-taken";
import type { StepHook } from "./hooks";
import type { TenantAccess } from "./tenant-access";
import { newTokenSecret, packPlatformData, toVoucherView } from "./views";

export interface CreateVoucherInput extends CreateVoucherCommand {
  /** Adapter policy on the validity, e.g. Shopify's ~72 h cap on pending payments. */
  expiryPolicy?: ExpiryPolicy;
}

export interface CreateVoucherDeps {
  access: TenantAccess;
  /** The merchant address PagoEfectivo copies CIP mails to; omitted from the request if none. */
  adminEmail?: (tenant: TenantRecord) => string | undefined;
  /** How long one creation attempt keeps other callers (and the expiry scheduler) away. */
  createLeaseMs: number;
  /** How long a concurrent caller with the same key waits for an attempt in flight. */
  waitForInFlightMs: number;
  hook?: StepHook;
}

const PLACEHOLDER_ADMIN_EMAIL = "admin@invalid.example";

/**
 * Idempotent on (tenant, idempotencyKey): the same key always yields the same voucher and at
 * most one CIP request in flight.
 *
 * 1. Validate through core (money limits, buildCipRequest) before anything is stored.
 * 2. Record the attempt (`created`, our unique transactionCode, the expiry) BEFORE calling
 *    PagoEfectivo, so a crash in between leaves a row a retry (or the expiry scheduler) finishes.
 *    The inserting call holds a short creation lease from the insert on; a caller that finds the
 *    row `created` takes the lease (guarded by the row's version) or waits for its holder, so
 *    concurrent retries of the same key never create a second CIP. A crashed holder's lease
 *    lapses and the next retry takes over.
 * 3. createCip; on success `created → pending` and `voucher.pending` in one transaction (shared
 *    with the calls whose CIPs came back at the same time).
 *
 * CIP number taken (another voucher of the tenant holds it: see CipNumberTakenError): that CIP
 * is deleted at PagoEfectivo, the voucher stays `created` and the retryable error goes back to
 * the adapter; a retry of the same key sends the same request again and gets a new number.
 *
 * Outcome unknown (timeout / 5xx / unreadable 2xx on POST /v1/cips): PagoEfectivo may or may not
 * hold a CIP with our transactionCode, and its search works by CIP number only, so we cannot ask.
 * The voucher stays `created` and the error (503, retryable) goes back to the adapter. A retry of
 * the same key re-sends the SAME request — same transactionCode, same amount, same dateExpiry —
 * which is safe in every case: if the first request never arrived, this one is the only CIP; if
 * it did arrive, the first CIP is an orphan nobody was shown, it expires at PagoEfectivo at the
 * same instant as ours, and if it is ever paid the notification carries our transactionCode, so
 * the payment is applied to this voucher (or becomes a `paid_twice` attention item). If nobody
 * retries, the expiry scheduler expires the `created` voucher at expires_at + grace.
 */
export async function createVoucher(
  ctx: EngineContext,
  deps: CreateVoucherDeps,
  cmd: CreateVoucherInput,
): Promise<VoucherView> {
  validateCommand(ctx, cmd);
  const entry = await deps.access.requireUsable(cmd.tenantId);
  const { tenant } = entry;
  if (cmd.test && tenant.environment === "production") {
    // Never a real, payable CIP for a test order.
    throw new ConflictError("test payment for a store with production credentials", {
      merchantMessage:
        "This is a test order but the store uses production PagoEfectivo credentials; switch the app to sandbox mode to test.",
    });
  }
  const fingerprint = fingerprintOf(cmd);
  const attempt = await recordAttempt(ctx, deps, tenant, cmd, fingerprint);
  const record = attempt.voucher;
  if (record.requestFingerprint !== fingerprint || record.idempotencyKey !== cmd.idempotencyKey) {
    throw keyReused();
  }
  if (attempt.inserted) await deps.hook?.("create.recorded");
  if (record.status !== "created") return toVoucherView(record);

  // A row this call inserted carries its creation lease already.
  const claimed = attempt.inserted ? record : await claimCreation(ctx, deps, record);
  if (claimed.status !== "created") return toVoucherView(claimed);
  if (claimed.expiresAt.getTime() - ctx.clock.now().getTime() < 60_000) {
    await release(ctx, claimed.id, "expired before the CIP could be created");
    throw new ConflictError("the voucher expired before its CIP could be created", {
      merchantMessage: "The payment code could not be issued in time; ask the shopper to retry.",
    });
  }

  // The request validated before the insert is the one to send when that insert was ours.
  const body =
    attempt.body ??
    buildBody(deps, tenant, cmd, claimed.transactionCode, claimed.expiresAt, ctx.clock.now());
  const client = deps.access.client(entry, tenant.environment);
  let created;
  try {
    created = await client.createCip(body);
  } catch (e) {
    const unknown = e instanceof CipCreationOutcomeUnknownError;
    await release(ctx, claimed.id, unknown ? `outcome_unknown:${e.reason}` : errorCode(e));
    ctx.logger.warn(
      { voucherId: claimed.id, tenantId: tenant.id, err: { code: errorCode(e) } },
      unknown ? "CIP creation outcome unknown; kept as created" : "CIP creation failed",
    );
    throw e;
  }
  await deps.hook?.("create.cip_created");

  const finished = await finisherFor(ctx).submit({
    voucher: claimed,
    cip: created.cip,
    cipUrl: created.cipUrl,
    nextPollAt: new Date(ctx.clock.now().getTime() + ctx.config.pollAfterMs),
  });
  if ("failed" in finished) throw finished.failed;
  if ("taken" in finished) throw await giveBackTakenCip(ctx, client, claimed, finished.taken);
  const view = finished.view;
  await deps.hook?.("create.done");
  // The one line per voucher created: the adapters' request logs stay at debug.
  ctx.logger.info(
    {
      voucherId: view.id,
      tenantId: tenant.id,
      key: cmd.idempotencyKey,
      cip: view.cip,
      status: view.status,
    },
    "voucher created",
  );
  return view;
}

/**
 * Step 2 of createVoucher: the voucher row of this key, inserted (with the creation lease) when
 * there was none. Usually one statement: the tenant's validity setting is remembered from the
 * previous call and the insert only happens while it is still the stored one
 * (insertClaimedVoucher); a first call for a tenant, or a changed setting, costs one more.
 */
async function recordAttempt(
  ctx: EngineContext,
  deps: CreateVoucherDeps,
  tenant: TenantRecord,
  cmd: CreateVoucherInput,
  fingerprint: string,
): Promise<{ voucher: VoucherRecord; inserted: boolean; body?: CipBody }> {
  const transactionCode = newTransactionCode();
  const tokenSecret = newTokenSecret();
  let validityHours = deps.access.validityHoursHint(cmd.tenantId);
  for (let round = 0; round < 3; round++) {
    const now = ctx.clock.now();
    let expiresAt = now;
    let body: CipBody | undefined;
    if (validityHours !== null) {
      try {
        expiresAt = computeExpiry({ now, validityHours, policy: cmd.expiryPolicy });
        // Validate the PagoEfectivo request now, so bad input is a 400 and leaves no row behind.
        body = buildBody(deps, tenant, cmd, transactionCode, expiresAt, now);
      } catch (e) {
        // A replay of a voucher that exists is answered with it, as it was before any
        // validation (the request that created it passed; a policy may have changed since).
        const existing = await findVoucherByIdempotencyKey(
          ctx.db,
          cmd.tenantId,
          cmd.idempotencyKey,
        );
        if (existing) return { voucher: existing, inserted: false };
        throw e;
      }
    }
    const out = await insertClaimedVoucher(
      ctx.db,
      {
        tenantId: cmd.tenantId,
        platformPaymentId: cmd.idempotencyKey,
        idempotencyKey: cmd.idempotencyKey,
        groupKey: cmd.groupKey,
        requestFingerprint: fingerprint,
        transactionCode,
        amount: cmd.amount,
        status: "created",
        expiresAt,
        shopperEmail: cmd.shopper.email,
        shopperFirstName: cmd.shopper.firstName ?? null,
        platformData: packPlatformData(cmd.platformData, {
          reference: cmd.platformReference,
          tokenSecret,
          environment: tenant.environment,
        }) as unknown as Record<string, unknown>,
        expiryLeaseUntil: new Date(now.getTime() + deps.createLeaseMs),
      },
      validityHours,
    );
    if (out.validityHours !== null) {
      deps.access.rememberValidityHours(cmd.tenantId, out.validityHours);
    }
    if (out.kind === "inserted") return { voucher: out.voucher, inserted: true, body };
    if (out.kind === "existing") return { voucher: out.voucher, inserted: false };
    if (out.validityHours === null) throw new NotFoundError("tenant settings not found");
    if (out.validityHours !== validityHours) {
      validityHours = out.validityHours;
      continue;
    }
    // The key (or our transaction code) conflicted with a row committed after the statement
    // began: ON CONFLICT waited for it, a new statement sees it.
    const existing =
      (await findVoucherByIdempotencyKey(ctx.db, cmd.tenantId, cmd.idempotencyKey)) ??
      (await findVoucherByPlatformPaymentId(ctx.db, cmd.tenantId, cmd.idempotencyKey));
    // The only other unique key is our own transaction code: a generator bug, not a replay.
    if (!existing) throw new ConflictError("transaction code already in use");
    return { voucher: existing, inserted: false };
  }
  throw new UnavailableError("the store's settings changed while creating the voucher; retry");
}

interface IssuedCip {
  voucher: VoucherRecord;
  cip: string;
  cipUrl: string | null;
  nextPollAt: Date;
}

/** `failed`: this item's own statement failed after its batch's did (see finishBatch). */
type Finished = { view: VoucherView } | { taken: CipTaken } | { failed: unknown };

const finishers = new WeakMap<EngineContext, MicroBatcher<IssuedCip, Finished>>();

/**
 * Step 3's write, shared by the createVoucher calls of one engine: the calls whose CIPs came back
 * together are finished by ONE statement (markVouchersPendingOrTaken with their voucher.pending
 * messages), which is a transaction of its own: the transition and its message commit together
 * or not at all, with no BEGIN and COMMIT to pay. Alone, a call waits for nothing (a batch of one
 * on the next turn of the event loop); under load the statement is paid once per batch.
 */
function finisherFor(ctx: EngineContext): MicroBatcher<IssuedCip, Finished> {
  let b = finishers.get(ctx);
  if (!b) {
    b = new MicroBatcher((items: IssuedCip[]) => finishBatch(ctx, items), {
      maxSize: 64,
      concurrency: ctx.db.kind === "pglite" ? 1 : 2,
    });
    finishers.set(ctx, b);
  }
  return b;
}

async function finishBatch(ctx: EngineContext, items: IssuedCip[]): Promise<Finished[]> {
  try {
    return await finishTogether(ctx, items);
  } catch (e) {
    // One item may be what failed: each on its own, so only that one fails (a rejected run
    // would reject every caller of the batch, those whose vouchers did move included).
    if (items.length > 1) {
      return Promise.all(
        items.map((i) =>
          finishBatch(ctx, [i]).then(
            (r) => r[0]!,
            (failed: unknown) => ({ failed }),
          ),
        ),
      );
    }
    // The statement skips a number another voucher already holds, but two vouchers handed the
    // same new number at once both pass that check, and the later one breaks vouchers_cip
    // (every other insert of the statement is ON CONFLICT): its number is taken.
    if (isUniqueViolation(e))
      return [{ taken: { voucherId: items[0]!.voucher.id, cip: items[0]!.cip } }];
    throw e;
  }
}

async function finishTogether(ctx: EngineContext, items: IssuedCip[]): Promise<Finished[]> {
  const { moved: movedRows, taken } = await markVouchersPendingOrTaken(
    ctx.db,
    items.map((i) => ({
      voucherId: i.voucher.id,
      cip: i.cip,
      cipUrl: i.cipUrl,
      nextPollAt: i.nextPollAt,
      message: {
        kind: "voucher.pending",
        dedupeKey: `voucher.pending:${i.voucher.id}`,
        // The view of the row this CIP moves to pending (enqueued only if it does).
        payload: {
          voucher: toVoucherView({
            ...i.voucher,
            status: "pending",
            cip: i.cip,
            cipUrl: i.cipUrl,
          }),
        },
      },
    })),
  );
  const moved = new Map(movedRows.map((v) => [v.id, v]));
  const refused = new Set(taken.map((t) => `${t.voucherId}\u0000${t.cip}`));
  const isTaken = (i: IssuedCip) => refused.has(`${i.voucher.id}\u0000${i.cip}`);
  // Moved meanwhile (e.g. the CIP was paid and notified before we got here), or another
  // caller's CIP became the current one: its CIP is on record (voucher_cips) all the same, so
  // every later event still maps to this voucher; the caller gets the voucher as it is now.
  const others = items.filter((i) => !isTaken(i) && moved.get(i.voucher.id)?.cip !== i.cip);
  const now = new Map(
    (await getVouchers(ctx.db, [...new Set(others.map((i) => i.voucher.id))])).map((v) => [
      v.id,
      v,
    ]),
  );
  return items.map((i) => {
    if (isTaken(i)) return { taken: { voucherId: i.voucher.id, cip: i.cip } };
    const pending = moved.get(i.voucher.id);
    return { view: toVoucherView(pending?.cip === i.cip ? pending : now.get(i.voucher.id)!) };
  });
}

/**
 * A CIP whose number another voucher of the tenant holds: nobody could map it back to this
 * voucher, so it must not stay payable. It is deleted at PagoEfectivo first, then the voucher's
 * creation lease is released (it stays `created`, as after a failed create), so a retry of the
 * same key sends the request again and gets a new number. Answers the error to throw.
 */
async function giveBackTakenCip(
  ctx: EngineContext,
  client: { deleteCip(cip: string): Promise<unknown> },
  voucher: VoucherRecord,
  taken: CipTaken,
): Promise<CipNumberTakenError> {
  const where = { voucherId: voucher.id, tenantId: voucher.tenantId, cip: taken.cip };
  let deleted = false;
  try {
    await client.deleteCip(taken.cip);
    deleted = true;
  } catch (e) {
    ctx.logger.error(
      { ...where, err: { code: errorCode(e) } },
      "CIP number already held by another voucher; deleting the new CIP failed, it stays payable until it expires",
    );
  } finally {
    await release(ctx, voucher.id, `cip_taken:${taken.cip}`);
  }
  if (deleted) {
    ctx.logger.warn(where, "CIP number already held by another voucher; new CIP deleted");
  }
  return new CipNumberTakenError(voucher.tenantId, taken.cip, deleted);
}

/** Takes the creation lease, or waits for the caller that holds it. */
async function claimCreation(
  ctx: EngineContext,
  deps: CreateVoucherDeps,
  known: VoucherRecord,
): Promise<VoucherRecord> {
  const id = known.id;
  const deadline = Date.now() + deps.waitForInFlightMs;
  // The row just read or written is the first guess; the version guard catches a stale one.
  let first: VoucherRecord | null = known;
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    const v = first ?? (await getVoucher(ctx.db, id))!;
    first = null;
    if (v.status !== "created") return v;
    const now = ctx.clock.now();
    if (!v.expiryLeaseUntil || v.expiryLeaseUntil.getTime() <= now.getTime()) {
      const mine = await updateVoucher(
        ctx.db,
        id,
        { expectedStatus: "created", expectedVersion: v.version },
        {
          expiryLeaseUntil: new Date(now.getTime() + deps.createLeaseMs),
          createAttempts: v.createAttempts + 1,
        },
      );
      if (mine) return mine;
      continue;
    }
    if (Date.now() >= deadline) {
      throw new UnavailableError("another request is creating this voucher's CIP; retry shortly");
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

async function release(ctx: EngineContext, id: string, lastError: string): Promise<void> {
  await updateVoucher(
    ctx.db,
    id,
    { expectedStatus: "created" },
    { expiryLeaseUntil: null, lastError: lastError.slice(0, 200) },
  );
}

type CipBody = ReturnType<typeof buildCipRequest>;

function buildBody(
  deps: CreateVoucherDeps,
  tenant: TenantRecord,
  cmd: CreateVoucherInput,
  transactionCode: string,
  expiresAt: Date,
  now: Date,
) {
  const adminEmail = deps.adminEmail?.(tenant);
  const body = buildCipRequest(
    {
      transactionCode,
      amount: cmd.amount,
      adminEmail: adminEmail ?? PLACEHOLDER_ADMIN_EMAIL,
      dateExpiry: expiresAt,
      paymentConcept: cmd.paymentConcept,
      additionalData: `ref=${cmd.platformReference}`.slice(0, 200),
      customer: {
        email: cmd.shopper.email,
        firstName: cmd.shopper.firstName,
        lastName: cmd.shopper.lastName,
        phone: cmd.shopper.phone,
        documentType: cmd.shopper.documentType,
        documentNumber: cmd.shopper.documentNumber,
      },
    },
    now,
  );
  // Only currency, amount, userEmail and transactionCode are required by PagoEfectivo.
  if (!adminEmail) delete (body as { adminEmail?: string }).adminEmail;
  return body;
}

/** "T" + 24 uppercase hex digits (96 random bits): unique, and within PagoEfectivo's pattern. */
export function newTransactionCode(): string {
  return `T${randomBytes(12).toString("hex").toUpperCase()}`;
}

function fingerprintOf(cmd: CreateVoucherInput): string {
  return createHash("sha256")
    .update(
      JSON.stringify([
        cmd.amount.minor,
        cmd.amount.currency,
        cmd.groupKey,
        cmd.platformReference,
        cmd.test,
      ]),
    )
    .digest("hex");
}

function keyReused(): ConflictError {
  return new ConflictError("idempotency key reused with a different payment", {
    merchantMessage: "This payment id was already used for a different amount or order.",
  });
}

function errorCode(e: unknown): string {
  return (e as { code?: unknown })?.code ? String((e as { code: unknown }).code) : "error";
}

function validateCommand(ctx: EngineContext, cmd: CreateVoucherInput): void {
  const issues: FieldIssue[] = [];
  const text = (v: unknown, field: string, max: number) => {
    if (typeof v !== "string" || v.trim() === "") {
      issues.push({ field, code: "required", message: `${field} is required` });
    } else if (v.length > max) {
      issues.push({ field, code: "too_long", message: `at most ${max} characters` });
    }
  };
  text(cmd?.tenantId, "tenantId", 64);
  text(cmd?.idempotencyKey, "idempotencyKey", 255);
  text(cmd?.groupKey, "groupKey", 255);
  text(cmd?.platformReference, "platformReference", 255);
  const amount = cmd?.amount;
  if (!amount || !Number.isSafeInteger(amount.minor) || amount.minor <= 0) {
    issues.push({ field: "amount", code: "invalid", message: "a positive amount is required" });
  } else if (amount.minor > ctx.config.maxChargeMinor) {
    issues.push({ field: "amount", code: "too_large", message: "amount exceeds the maximum" });
  }
  if (!isCurrency(amount?.currency)) {
    issues.push({ field: "currency", code: "unsupported", message: "currency must be PEN or USD" });
  }
  if (!cmd?.shopper || typeof cmd.shopper !== "object") {
    issues.push({ field: "shopper", code: "required", message: "shopper is required" });
  }
  if (typeof cmd?.test !== "boolean") {
    issues.push({ field: "test", code: "required", message: "test must be true or false" });
  }
  if (issues.length) throw new ValidationError(issues);
  if (typeof cmd.tenantId === "string" && !/^[0-9a-f-]{36}$/i.test(cmd.tenantId)) {
    throw new ValidationError([
      { field: "tenantId", code: "invalid_format", message: "tenantId is not a tenant id" },
    ]);
  }
}
