/**
 * The merchant enters the SUNAT credit-note number of a refund held under the 'manual' policy;
 * the refund is then submitted right away (and by runRefundSubmissionOnce if that attempt fails).
 */
import { ConflictError, NotFoundError, validateCreditNoteNumber } from "@pe-pay/core";
import type { EngineContext } from "../context";
import { getRefund, updateRefund } from "../db/refunds";
import type { RefundView } from "../ports";
import { submitRefund, SUBMIT_LEASE_MS } from "./submit-refund";
import { toRefundView } from "./views";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function enterCreditNote(
  ctx: EngineContext,
  input: { tenantId: string; refundId: string; creditNoteNumber: string },
): Promise<RefundView> {
  const checked = validateCreditNoteNumber(input.creditNoteNumber);
  if (!checked.ok) throw checked.error;
  const number = checked.value.value;
  const current = UUID.test(input.refundId) ? await getRefund(ctx.db, input.refundId) : null;
  if (!current || current.tenantId !== input.tenantId) throw new NotFoundError("refund not found");
  if (current.creditNoteNumber === number) {
    // A repeated entry: submit again only if still requested (submitRefund checks).
    return toRefundView(await submitRefund(ctx, current.id));
  }
  if (current.status !== "requested" || current.creditNoteNumber) {
    throw new ConflictError(`refund is ${current.status} with its credit note set`, {
      merchantMessage:
        "Este reembolso ya no espera una nota de crédito: no se puede cambiar el número.",
    });
  }
  const { rows } = await ctx.db.query(
    "SELECT 1 FROM refunds WHERE tenant_id = $1 AND credit_note_number = $2 LIMIT 1",
    [input.tenantId, number],
  );
  if (rows.length > 0) {
    throw new ConflictError(`credit note ${number} is already used by another refund`, {
      merchantMessage: `La nota de crédito ${number} ya se usó en otro reembolso.`,
    });
  }
  const now = ctx.clock.now();
  const held = await updateRefund(
    ctx.db,
    current.id,
    { expectedStatus: "requested", expectedVersion: current.version },
    {
      creditNoteNumber: number,
      failureCode: null,
      failureReason: null,
      nextPollAt: new Date(now.getTime() + SUBMIT_LEASE_MS),
    },
  );
  if (!held) throw new ConflictError("the refund changed meanwhile; try again");
  return toRefundView(await submitRefund(ctx, held.id));
}
