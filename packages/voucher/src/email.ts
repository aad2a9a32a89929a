import { code128Png } from "./barcode";
import { escapeHtml as e, fill, plain, richHtml } from "./text";
import type { VoucherViewModel } from "./types";

export interface VoucherEmailAttachment {
  filename: string;
  contentType: string;
  /** Referenced from the HTML as `cid:<cid>`; send with Content-Disposition: inline. */
  cid: string;
  content: Buffer;
}

export interface VoucherEmail {
  subject: string;
  html: string;
  text: string;
  attachments: VoucherEmailAttachment[];
}

/**
 * The voucher as an email: table layout and inline CSS (Outlook and Gmail strip <style> and
 * ignore flexbox), no script, the barcode as an embedded PNG (mail clients do not show inline
 * SVG) and a plain-text alternative. The CIP is also real text, so nothing depends on images
 * being shown.
 */
export async function renderVoucherEmail(vm: VoucherViewModel): Promise<VoucherEmail> {
  const c = vm.copy;
  const vars = {
    cip: vm.cipGrouped,
    amount: vm.amountText,
    currencyOption: vm.currencyOption,
    deadline: vm.deadlineText,
    merchant: vm.merchantName,
    order: vm.orderReference,
    name: vm.shopperFirstName ?? "",
  };
  const subject = fill(c.email.subject[vm.status], vars);
  if (vm.status !== "pending") return closedEmail(vm, vars, subject);

  const cid = `cip-${vm.cip}@voucher.pe-pay`;
  const png = code128Png(vm.cip);
  const greeting = vm.shopperFirstName ? fill(c.greetingWithName, vars) : c.greeting;
  const online = vm.channelGroups.find((g) => g.id === "online");
  const agents = vm.channelGroups.find((g) => g.id === "agents");
  const placeLines = [
    online ? fill(c.email.banksLine, { bank: online.channels.map((x) => x.name).join(", ") }) : "",
    agents ? fill(c.email.agentsLine, { bank: agents.channels.map((x) => x.name).join(", ") }) : "",
  ].filter(Boolean);
  const quick = vm.quickSteps;

  const F = "font-family:Arial,Helvetica,sans-serif;color:#1b1b1b;";
  const html =
    `<!doctype html><html lang="${e(vm.htmlLang)}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${e(subject)}</title></head>` +
    `<body style="margin:0;padding:0;background:#f4f4f1;">` +
    `<div style="display:none;max-height:0;overflow:hidden;">${e(fill(c.email.preheader, vars))}</div>` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f4f4f1;"><tr><td align="center" style="padding:16px 8px;">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px;background:#ffffff;border:1px solid #dcdcd6;">` +
    `<tr><td style="${F}padding:16px 20px;font-size:14px;border-bottom:1px solid #dcdcd6;"><strong>${e(vm.merchantName)}</strong> · ${e(fill(c.orderLabel, vars))}</td></tr>` +
    `<tr><td style="${F}padding:16px 20px 4px;font-size:20px;font-weight:bold;">${e(greeting)}</td></tr>` +
    `<tr><td style="${F}padding:0 20px 12px;font-size:15px;">${e(fill(c.email.intro, vars))}</td></tr>` +
    `<tr><td style="padding:0 20px;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#fffbea;border:2px solid #c99a00;">` +
    `<tr><td style="${F}padding:12px 16px 0;font-size:13px;font-weight:bold;">${e(c.cipLabel)}</td></tr>` +
    `<tr><td style="${F}padding:0 16px;font-size:34px;font-weight:bold;letter-spacing:1px;">${e(vm.cipGrouped)}</td></tr>` +
    `<tr><td style="${F}padding:8px 16px 0;font-size:13px;font-weight:bold;">${e(c.amountLabel)}</td></tr>` +
    `<tr><td style="${F}padding:0 16px;font-size:24px;font-weight:bold;">${e(vm.amountText)}</td></tr>` +
    `<tr><td style="${F}padding:8px 16px 4px;font-size:15px;font-weight:bold;">${e(fill(c.deadline, vars))}</td></tr>` +
    `<tr><td style="${F}padding:0 16px 12px;font-size:14px;">${e(c.afterDeadline)}</td></tr>` +
    `<tr><td style="padding:0 16px 12px;"><img src="cid:${e(cid)}" alt="${e(fill(c.email.barcodeAlt, vars))}" width="280" style="display:block;width:280px;max-width:100%;height:auto;border:0;background:#ffffff;"></td></tr>` +
    `</table></td></tr>` +
    `<tr><td style="${F}padding:16px 20px 4px;font-size:17px;font-weight:bold;">${e(c.howToPayTitle)}</td></tr>` +
    quick
      .map(
        (s, i) =>
          `<tr><td style="${F}padding:2px 20px;font-size:15px;">${i + 1}. ${richHtml(s)}</td></tr>`,
      )
      .join("") +
    placeLines
      .map((l) => `<tr><td style="${F}padding:6px 20px 0;font-size:14px;">${e(l)}</td></tr>`)
      .join("") +
    (vm.voucherUrl
      ? `<tr><td style="padding:16px 20px;"><a href="${e(vm.voucherUrl)}" style="${F}display:inline-block;background:#0a4a94;color:#ffffff;font-weight:bold;text-decoration:none;padding:12px 18px;border-radius:6px;">${e(c.email.viewOnline)}</a></td></tr>`
      : "") +
    `<tr><td style="${F}padding:12px 20px 16px;font-size:12px;color:#4a4a4a;border-top:1px solid #dcdcd6;">${e(fill(c.footer, vars))}</td></tr>` +
    `</table></td></tr></table></body></html>`;

  const text = [
    greeting,
    "",
    fill(c.email.intro, vars),
    "",
    `${c.cipLabel}: ${vm.cipGrouped}`,
    `${c.amountLabel}: ${vm.amountText}`,
    fill(c.deadline, vars),
    c.afterDeadline,
    "",
    `${c.howToPayTitle}:`,
    ...quick.map((s, i) => `${i + 1}. ${plain(s)}`),
    ...placeLines,
    ...(vm.voucherUrl ? ["", `${c.email.viewOnline}: ${vm.voucherUrl}`] : []),
    "",
    "--",
    fill(c.footer, vars),
  ].join("\n");

  return {
    subject,
    html,
    text,
    attachments: [{ filename: `cip-${vm.cip}.png`, contentType: "image/png", cid, content: png }],
  };
}

function closedEmail(
  vm: VoucherViewModel,
  vars: Record<string, string>,
  subject: string,
): VoucherEmail {
  const s = vm.copy[vm.status as "paid" | "expired" | "cancelled"];
  const F = "font-family:Arial,Helvetica,sans-serif;color:#1b1b1b;";
  const lines = [fill(s.body, vars), ...s.nextSteps.map((n) => fill(n, vars))];
  const html =
    `<!doctype html><html lang="${e(vm.htmlLang)}"><head><meta charset="utf-8"><title>${e(subject)}</title></head>` +
    `<body style="margin:0;padding:0;background:#f4f4f1;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr><td align="center" style="padding:16px 8px;">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px;background:#ffffff;border:1px solid #dcdcd6;">` +
    `<tr><td style="${F}padding:16px 20px;font-size:14px;"><strong>${e(vm.merchantName)}</strong> · ${e(fill(vm.copy.orderLabel, vars))}</td></tr>` +
    `<tr><td style="${F}padding:0 20px 8px;font-size:20px;font-weight:bold;">${e(s.title)}</td></tr>` +
    lines
      .map((l) => `<tr><td style="${F}padding:4px 20px;font-size:15px;">${e(l)}</td></tr>`)
      .join("") +
    `<tr><td style="${F}padding:12px 20px 16px;font-size:12px;color:#4a4a4a;">${e(fill(vm.copy.footer, vars))}</td></tr>` +
    `</table></td></tr></table></body></html>`;
  const text = [s.title, "", ...lines, "", "--", fill(vm.copy.footer, vars)].join("\n");
  return { subject, html, text, attachments: [] };
}
