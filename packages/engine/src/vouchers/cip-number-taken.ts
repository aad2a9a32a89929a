import { AppError, GENERIC_SHOPPER_MESSAGE } from "@pe-pay/core";

/**
 * PagoEfectivo issued a CIP number another voucher of the same store already holds. CIP numbers
 * are unique per PagoEfectivo environment only: a store that moved from sandbox to production
 * (or a restarted local sandbox) can be handed the number of one of its old vouchers. The new
 * CIP is deleted at PagoEfectivo and the voucher stays `created`, so a retry of the same request
 * gets a fresh CIP: retryable, 503.
 */
export class CipNumberTakenError extends AppError {
  readonly code = "cip_number_taken";
  readonly retryable = true;
  readonly httpStatus = 503;

  constructor(
    readonly tenantId: string,
    readonly cip: string,
    /** False when the delete at PagoEfectivo failed (the CIP stays payable until it expires). */
    readonly deleted: boolean,
  ) {
    const message = `PagoEfectivo issued CIP ${cip} for tenant ${tenantId}, a number another voucher of this store already holds`;
    super(message, {
      shopperMessage: GENERIC_SHOPPER_MESSAGE,
      merchantMessage: `${message} (CIP numbers repeat across PagoEfectivo environments, e.g. after switching from sandbox to production). ${
        deleted
          ? "That CIP was deleted at PagoEfectivo; retry the payment to get a new one."
          : "Deleting that CIP at PagoEfectivo failed: it stays payable until it expires; retry the payment to get a new one."
      }`,
    });
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), cip: this.cip };
  }
}
