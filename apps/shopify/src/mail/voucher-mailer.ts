import type { Clock } from "@pe-pay/core";
import { getVoucher, type Database } from "@pe-pay/engine";
import { renderVoucherEmail } from "@pe-pay/voucher";
import type { VoucherView } from "../engine-ports";
import type { Logger } from "../ports";
import { claimVoucherEmail, releaseVoucherEmail } from "../storage/voucher-notes";
import { shopifyVoucherViewModel } from "../wiring/voucher-page";
import type { MailTransport } from "./transport";

/**
 * Sends the voucher to the shopper once (Shopify's thank-you page does not show the CIP).
 * Best effort: a mail failure is logged and never holds up the Shopify callbacks; the claim is
 * released so a later `voucher.pending` redelivery may try again.
 */
export function createVoucherMailer(deps: {
  db: Database;
  clock: Clock;
  appUrl: string;
  transport: MailTransport;
  logger: Logger;
}) {
  return async function sendVoucherEmailOnce(voucher: VoucherView): Promise<boolean> {
    if (voucher.status !== "pending" || !voucher.cip) return false;
    const record = await getVoucher(deps.db, voucher.id);
    const to = record?.shopperEmail?.trim();
    if (!to) {
      deps.logger.info({ voucherId: voucher.id }, "no shopper e-mail: voucher not mailed");
      return false;
    }
    if (!(await claimVoucherEmail(deps.db, voucher.id, deps.clock.now()))) return false;
    try {
      const vm = await shopifyVoucherViewModel(deps, voucher, "pending");
      const mail = await renderVoucherEmail(vm);
      await deps.transport.send({
        to,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        attachments: mail.attachments,
      });
      deps.logger.info(
        { voucherId: voucher.id, transport: deps.transport.kind },
        "voucher e-mail sent",
      );
      return true;
    } catch (e) {
      await releaseVoucherEmail(deps.db, voucher.id).catch(() => undefined);
      deps.logger.warn(
        { voucherId: voucher.id, err: (e as Error).message },
        "voucher e-mail failed",
      );
      return false;
    }
  };
}
