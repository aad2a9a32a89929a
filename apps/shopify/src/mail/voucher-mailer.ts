import type { Clock } from "@pe-pay/core";
import type { Database } from "@pe-pay/engine";
import { renderVoucherEmail } from "@pe-pay/voucher";
import type { VoucherView } from "../engine-ports";
import type { Logger } from "../ports";
import { claimVoucherEmail, releaseVoucherEmail } from "../storage/voucher-notes";
import { buildShopifyVoucherViewModel } from "../wiring/voucher-page";
import type { MailTransport } from "./transport";

/**
 * Sends the voucher to the shopper once (Shopify's thank-you page does not show the CIP).
 * Best effort: a mail failure is logged and never holds up the Shopify callbacks; the claim is
 * released so a later `voucher.pending` redelivery may try again.
 *
 * One statement per delivery: the claim returns the address, the shopper's name, the shop and
 * its channels with it (the voucher view comes with the outbox message).
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
    const claim = await claimVoucherEmail(deps.db, voucher.id, deps.clock.now());
    const to = claim.facts?.to?.trim();
    if (claim.facts && !to) {
      // The claim refuses a blank address; one only JavaScript calls blank gives its claim back.
      if (claim.claimed) await releaseVoucherEmail(deps.db, voucher.id).catch(() => undefined);
      deps.logger.info({ voucherId: voucher.id }, "no shopper e-mail: voucher not mailed");
      return false;
    }
    if (!claim.claimed || !to) return false;
    try {
      const vm = buildShopifyVoucherViewModel(deps, voucher, "pending", claim.facts);
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
