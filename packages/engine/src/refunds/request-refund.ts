/**
 * Request a refund of a paid voucher (issue 3, "Refund").
 *
 * One transaction with the voucher row locked decides everything: idempotency on
 * (tenant, platformRefundId), PagoEfectivo's rules (checkRefundRequest: paid, same currency,
 * cumulative succeeded + in-flight ≤ paid, 90-day window) and the SUNAT credit-note number
 * (allocated from the merchant's series, or the refund is held until someone enters it). The
 * refund is stored `requested` before PagoEfectivo is called, so a crash in between is picked up
 * by `runRefundSubmissionOnce`; the HTTP call happens after the commit, never inside it.
 *
 * Decision — a guard refusal CREATES a row: the refund is stored `failed` with the refusal
 * reason, a `refund.failed` outbox message is enqueued in the same transaction, and the caller
 * gets a RefundRefusedError (es/en messages). A repeat of the same platform refund id finds that
 * row and throws the same error again, even if the balance has changed since: one platform
 * refund id has one answer. The outbox message lets an adapter that already answered its platform
 * asynchronously (Shopify's 201) reject the refund session; the deliverers are idempotent, so an
 * adapter that also reports the synchronous error sees no harm. Refusals that cannot be stored
 * (no such voucher, amount ≤ 0 or not an integer of minor units) create nothing and are refused
 * the same way every time.
 */
import { createHash } from "node:crypto";
import {
  checkRefundRequest,
  ConflictError,
  RefundRefusedError,
  truncateText,
  type LocalizedMessage,
  type RefundRefusalReason,
} from "@pe-pay/core";
import type { EngineContext } from "../context";
import type { Tx } from "../db/database";
import {
  findRefundByPlatformId,
  insertOrGetRefund,
  sumRefundedForVoucher,
  updateRefund,
  type RefundRecord,
} from "../db/refunds";
import { allocateCreditNote, getSettings } from "../db/settings";
import { getTenant } from "../db/tenants";
import { findVoucherByIdempotencyKey, lockVoucher, type VoucherRecord } from "../db/vouchers";
import { engineData } from "../vouchers/views";
import type { RequestRefundCommand, RefundView } from "../ports";
import { enqueueRefundMessage } from "./outbox";
import { submitRefund, SUBMIT_LEASE_MS } from "./submit-refund";
import { toRefundView } from "./views";

/** Hold marker (`failure_code` of a requested refund) under the 'manual' credit-note policy. */
export const CREDIT_NOTE_MISSING = "credit_note_missing";

/** Voucher statuses whose payment can (still) be refunded or reports "nothing left". */
const PAID_STATUSES = new Set(["paid", "partially_refunded", "refunded"]);

/** The same platform refund id arrived again with another voucher, amount or reason. */
export class RefundRequestConflictError extends ConflictError {
  readonly messages: LocalizedMessage = {
    es: "Este reembolso ya se solicitó con otros datos (pedido, monto o motivo). Cree un reembolso nuevo.",
    en: "This refund was already requested with different details (order, amount or reason). Create a new refund.",
  };
  constructor(platformRefundId: string) {
    super(`refund ${platformRefundId} was already requested with other details`);
    Object.defineProperty(this, "merchantMessage", { value: this.messages.es });
  }
}

interface StoredRefusal {
  reason: RefundRefusalReason;
  es: string;
  en: string;
  refundableMinor: number;
}

export function refusalOf(r: RefundRecord): RefundRefusedError | null {
  const stored = r.platformData.engineRefusal as StoredRefusal | undefined;
  if (r.status !== "failed" || !stored) return null;
  return new RefundRefusedError(
    stored.reason,
    { es: stored.es, en: stored.en },
    stored.refundableMinor,
  );
}

export function refundFingerprint(cmd: RequestRefundCommand): string {
  const voucher =
    "voucherId" in cmd.voucher
      ? `id:${cmd.voucher.voucherId}`
      : `key:${cmd.voucher.idempotencyKey}`;
  return createHash("sha256")
    .update(JSON.stringify([voucher, cmd.amount.minor, cmd.amount.currency, cmd.reason ?? ""]))
    .digest("hex");
}

/** The reason sent to PagoEfectivo (required there, at most 250 characters). */
function peReason(reason: string | undefined): string {
  const text = (reason ?? "").replace(/\s+/g, " ").trim();
  return truncateText(text === "" ? "Devolución" : text, 250);
}

async function findAndLockVoucher(
  tx: Tx,
  cmd: RequestRefundCommand,
): Promise<VoucherRecord | null> {
  if ("voucherId" in cmd.voucher) {
    if (!UUID.test(cmd.voucher.voucherId)) return null;
    const v = await lockVoucher(tx, cmd.voucher.voucherId);
    return v && v.tenantId === cmd.tenantId ? v : null;
  }
  return findVoucherByIdempotencyKey(tx, cmd.tenantId, cmd.voucher.idempotencyKey, {
    forUpdate: true,
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Decision =
  | { kind: "existing"; record: RefundRecord }
  | { kind: "created"; record: RefundRecord }
  | { kind: "refused"; record: RefundRecord | null; error: RefundRefusedError };

export async function requestRefund(
  ctx: EngineContext,
  cmd: RequestRefundCommand,
): Promise<RefundView> {
  const now = ctx.clock.now();
  const fingerprint = refundFingerprint(cmd);
  const reason = peReason(cmd.reason);

  const decision = await ctx.db.transaction<Decision>(async (tx) => {
    const voucher = await findAndLockVoucher(tx, cmd);
    // Checked after the voucher lock: every request for this voucher is serialised, so a
    // concurrent twin either committed its row (found here) or has not started.
    const existing = await findRefundByPlatformId(tx, cmd.tenantId, cmd.platformRefundId);
    if (existing) {
      if (existing.requestFingerprint !== fingerprint) {
        throw new RefundRequestConflictError(cmd.platformRefundId);
      }
      return { kind: "existing", record: existing };
    }
    const already = voucher ? (await sumRefundedForVoucher(tx, voucher.id)).totalMinor : 0;
    const paid = voucher && PAID_STATUSES.has(voucher.status);
    const paidIn = voucher ? engineData(voucher)?.environment : undefined;
    const current = paidIn ? (await getTenant(tx, cmd.tenantId))?.environment : undefined;
    const check = checkRefundRequest({
      paid: paid ? (voucher.paidAmount ?? voucher.amount) : null,
      paidAt: paid ? voucher.paidAt : null,
      alreadyRefundedOrPending: already,
      requested: cmd.amount,
      now,
      ...(paidIn && current ? { environment: { payment: paidIn, current } } : {}),
    });
    if (!check.ok) {
      if (!voucher || check.error.reason === "invalid_amount") {
        return { kind: "refused", record: null, error: check.error };
      }
      const refusal: StoredRefusal = {
        reason: check.error.reason,
        ...check.error.messages,
        refundableMinor: check.error.refundableMinor,
      };
      const { record } = await insertOrGetRefund(tx, {
        tenantId: cmd.tenantId,
        voucherId: voucher.id,
        platformRefundId: cmd.platformRefundId,
        requestFingerprint: fingerprint,
        amount: cmd.amount,
        status: "failed",
        reason,
        platformData: { ...cmd.platformData, engineRefusal: refusal },
      });
      const failed = await updateRefund(
        tx,
        record.id,
        { expectedStatus: "failed" },
        { failureCode: refusal.reason, failureReason: refusal.es, failedAt: now },
      );
      await enqueueRefundMessage(tx, failed!, "refund.failed", now);
      return { kind: "refused", record: failed, error: check.error };
    }
    if (!voucher) throw new Error("unreachable: an accepted refund has a voucher");
    const settings = await getSettings(tx, cmd.tenantId);
    const creditNote =
      settings.creditNotePolicy === "series" ? await allocateCreditNote(tx, cmd.tenantId) : null;
    const { record } = await insertOrGetRefund(tx, {
      tenantId: cmd.tenantId,
      voucherId: voucher.id,
      platformRefundId: cmd.platformRefundId,
      requestFingerprint: fingerprint,
      amount: cmd.amount,
      status: "requested",
      reason,
      creditNoteNumber: creditNote,
      platformData: cmd.platformData ?? {},
      // The lease of the inline submission below: if this process dies before PagoEfectivo
      // answers, runRefundSubmissionOnce takes the refund over once it lapses.
      nextPollAt: creditNote ? new Date(now.getTime() + SUBMIT_LEASE_MS) : null,
    });
    if (creditNote) return { kind: "created", record };
    const held = await updateRefund(
      tx,
      record.id,
      { expectedStatus: "requested" },
      {
        failureCode: CREDIT_NOTE_MISSING,
        failureReason:
          "Falta el número de nota de crédito SUNAT: el reembolso espera a que lo ingrese.",
      },
    );
    return { kind: "created", record: held! };
  });

  switch (decision.kind) {
    case "refused":
      ctx.logger.info(
        {
          tenantId: cmd.tenantId,
          platformRefundId: cmd.platformRefundId,
          refundId: decision.record?.id,
          reason: decision.error.reason,
        },
        "refund refused by the engine's guards",
      );
      throw decision.error;
    case "existing": {
      const refusal = refusalOf(decision.record);
      if (refusal) throw refusal;
      return toRefundView(decision.record);
    }
    case "created": {
      const r = decision.record;
      if (!r.creditNoteNumber) return toRefundView(r);
      // Only the request that created the row submits inline: twins return what is stored, so
      // 20 concurrent identical requests make one PagoEfectivo call.
      return toRefundView(await submitRefund(ctx, r.id));
    }
  }
}
