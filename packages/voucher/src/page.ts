import { code128Svg } from "./barcode";
import { PAGE_SCRIPT } from "./page-script";
import { PAGE_CSS } from "./page-style";
import { qrSvg } from "./qr";
import { escapeHtml as e, fill, richHtml } from "./text";
import type { VoucherChannelGroupView, VoucherViewModel } from "./types";

export interface RenderPageOptions {
  /** The CSP nonce sent in `securityHeaders(nonce)` for this same response. */
  nonce: string;
  /** Styles, script, barcode and QR are always inline: the page makes no other request. */
  assetsInline?: true;
  /** Status polling interval (default 15 s; ×4 after ten minutes open). */
  pollIntervalMs?: number;
}

/**
 * The voucher page as one self-contained HTML document. Works with JavaScript off; the inline
 * script only enhances (copy, print, countdown, status refresh).
 */
export function renderVoucherPage(vm: VoucherViewModel, opts: RenderPageOptions): string {
  const nonce = e(opts.nonce);
  const c = vm.copy;
  const vars = textVars(vm);
  const body = vm.status === "pending" ? pendingBody(vm, vars) : closedBody(vm, vars, vm.status);
  // Poll while the outcome can still change: pending, and expired (a merchant may extend it).
  const poll = vm.statusUrl && (vm.status === "pending" || vm.status === "expired");
  const bodyAttrs =
    ` data-status="${vm.status}"` +
    (poll
      ? ` data-status-url="${e(vm.statusUrl!)}" data-poll-ms="${Math.max(250, Math.round(opts.pollIntervalMs ?? 15000))}"`
      : "");
  const needsScript = vm.status === "pending" || poll;
  return (
    `<!doctype html><html lang="${e(vm.htmlLang)}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<meta name="robots" content="noindex,nofollow"><meta name="referrer" content="no-referrer">` +
    `<meta name="color-scheme" content="light">` +
    `<title>${e(fill(c.pageTitle, vars))}</title>` +
    `<style nonce="${nonce}">${PAGE_CSS}</style></head>` +
    `<body${bodyAttrs}>` +
    header(vm, vars, vm.status === "pending" ? "wrap" : "wrap narrow") +
    `<main class="wrap ${vm.status === "pending" ? "grid" : "narrow"}" id="main">${body}</main>` +
    `<footer><div class="wrap${vm.status === "pending" ? "" : " narrow"}">${e(fill(c.footer, vars))}</div></footer>` +
    (needsScript ? `<script nonce="${nonce}">${PAGE_SCRIPT}</script>` : "") +
    `</body></html>`
  );
}

function textVars(vm: VoucherViewModel): Record<string, string> {
  return {
    cip: vm.cipGrouped,
    amount: vm.amountText,
    currencyOption: vm.currencyOption,
    deadline: vm.deadlineText,
    merchant: vm.merchantName,
    order: vm.orderReference,
    name: vm.shopperFirstName ?? "",
  };
}

function header(vm: VoucherViewModel, vars: Record<string, string>, wrap: string): string {
  const logo = vm.merchantLogoDataUrl
    ? `<img src="${e(vm.merchantLogoDataUrl)}" alt="" width="64" height="32">`
    : "";
  return (
    `<header class="top"><div class="${wrap}"><div class="merchant">${logo}<span>${e(vm.merchantName)}</span></div>` +
    `<p class="order">${e(fill(vm.copy.orderLabel, vars))}</p></div></header>`
  );
}

function pendingBody(vm: VoucherViewModel, vars: Record<string, string>): string {
  const c = vm.copy;
  const h1 = vm.shopperFirstName ? fill(c.greetingWithName, vars) : c.greeting;
  const u = c.countdownUnits;
  const card =
    `<section class="card pay" aria-labelledby="cip-label">` +
    `<p class="label" id="cip-label">${e(c.cipLabel)}</p>` +
    `<div class="cip-row"><p class="cip" id="cip">${e(vm.cipGrouped)}</p>` +
    `<button type="button" class="btn" id="copy-cip" data-cip="${e(vm.cip)}" data-ok="${e(c.copied)}" data-fail="${e(c.copyFailed)}" hidden>${e(c.copyButton)}</button></div>` +
    `<p class="copy-status" id="copy-status" role="status"></p>` +
    `<div class="amount-row"><p class="label">${e(c.amountLabel)}</p><p class="amount" id="amount">${e(vm.amountText)}</p></div>` +
    `<p class="deadline" id="deadline">${e(fill(c.deadline, vars))}</p>` +
    `<p class="countdown" id="countdown" role="timer" data-remaining-ms="${vm.remainingMs}" data-units="${e([u.day, u.hour, u.minute, u.second].join("|"))}" data-template="${e(c.countdown)}" data-over="${e(c.countdownOver)}">${e(fill(c.countdown, { time: formatRemaining(vm.remainingMs, u) }))}</p>` +
    `</section>`;
  const how =
    `<section class="col-b how" aria-labelledby="how-title"><h2 id="how-title">${e(c.howToPayTitle)}</h2>` +
    `<ol class="quick" id="quick-steps">${vm.quickSteps.map((s) => `<li>${richHtml(s)}</li>`).join("")}</ol>` +
    `<p class="after">${e(c.afterDeadline)}</p>` +
    `<p class="after">${e(fill(c.afterPayment, vars))}</p>` +
    vm.channelGroups.map((g) => channelGroup(g, vm)).join("") +
    `</section>`;
  const codes =
    `<section class="card codes" aria-label="${e(c.barcodeTitle)}">` +
    `<figure><figcaption><strong>${e(c.barcodeTitle)}</strong> · ${e(c.barcodeHint)}</figcaption>` +
    code128Svg(vm.cip, fill(c.barcodeLabel, vars)) +
    `<p class="barcode-digits">${e(vm.cip)}</p></figure>` +
    (vm.cipUrl
      ? `<figure class="qr-block"><figcaption><strong>${e(c.qrTitle)}</strong> · ${e(c.qrHint)}</figcaption>` +
        qrSvg(vm.cipUrl, c.qrLabel) +
        `<a class="qr-link" href="${e(vm.cipUrl)}" rel="noopener noreferrer" target="_blank">${e(c.qrLink)}</a></figure>`
      : "") +
    `</section>`;
  const actions =
    `<div class="actions"><button type="button" class="btn" id="print" hidden>${e(c.print)}</button>` +
    `<p class="hint" id="print-hint">${e(c.printHint)}</p>` +
    links(vm) +
    `</div>` +
    // Only true while the script runs, so the script reveals it.
    (vm.statusUrl ? `<p class="refresh" id="refresh" hidden>${e(c.autoRefresh)}</p>` : "");
  return `<h1>${e(h1)}</h1><div class="col-a">${card}</div>${how}<div class="col-a">${codes}${actions}</div>`;
}

function channelGroup(g: VoucherChannelGroupView, vm: VoucherViewModel): string {
  const c = vm.copy;
  let inner = `<h3>${e(g.title)}</h3><p class="intro">${e(g.intro)}</p>`;
  if (g.steps.length === 0) {
    inner +=
      `<p class="label banks-label">${e(c.chooseBank)}</p><div class="banks">` +
      g.channels
        .map(
          (ch) =>
            `<details><summary>${e(ch.name)}</summary><ol>${(ch.steps ?? []).map((s) => `<li>${richHtml(s)}</li>`).join("")}</ol></details>`,
        )
        .join("") +
      `</div>`;
  } else {
    inner +=
      `<ol>${g.steps.map((s) => `<li>${richHtml(s)}</li>`).join("")}</ol>` +
      `<p class="label">${e(c.agentPlaces)}</p><ul class="places">${g.channels.map((ch) => `<li>${e(ch.name)}</li>`).join("")}</ul>`;
  }
  if (g.note) inner += `<p class="note">${e(g.note)}</p>`;
  return `<section class="group" id="group-${g.id}">${inner}</section>`;
}

function closedBody(
  vm: VoucherViewModel,
  vars: Record<string, string>,
  status: "paid" | "expired" | "cancelled",
): string {
  const s = vm.copy[status];
  const icon = status === "paid" ? ICON_OK : ICON_STOP;
  const amountLine =
    status === "paid"
      ? `<p class="label">${e(vm.copy.paid.amountLabel)}</p><p class="amount">${e(vm.amountText)}</p>`
      : `<p class="meta">CIP ${e(vm.cipGrouped)} · ${e(vm.amountText)}</p>`;
  return (
    `<div class="col-a">${icon}<h1>${e(s.title)}</h1>` +
    `<section class="card" aria-label="${e(fill(vm.copy.orderLabel, vars))}"><p>${e(fill(s.body, vars))}</p>${amountLine}</section>` +
    `<ul>${s.nextSteps.map((n) => `<li>${e(fill(n, vars))}</li>`).join("")}</ul>` +
    `<div class="actions">${links(vm)}</div></div>`
  );
}

function links(vm: VoucherViewModel): string {
  const c = vm.copy;
  const another =
    vm.chooseAnotherMethodUrl && vm.status !== "paid"
      ? `<a class="btn secondary" href="${e(vm.chooseAnotherMethodUrl)}">${e(c.chooseAnotherMethod)}</a>`
      : "";
  const back = vm.returnUrl
    ? `<a class="btn secondary" href="${e(vm.returnUrl)}">${e(c.returnToStore)}</a>`
    : "";
  return another + back;
}

/** "1 d 23 h 59 min", "59 min 59 s": the same rules as the script's countdown. */
export function formatRemaining(
  ms: number,
  u: { day: string; hour: string; minute: string; second: string },
): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts: string[] = [];
  if (d) parts.push(`${d} ${u.day}`);
  if (d || h) parts.push(`${h} ${u.hour}`);
  parts.push(`${m} ${u.minute}`);
  if (!d && !h) parts.push(`${s % 60} ${u.second}`);
  return parts.join(" ");
}

const ICON_OK =
  '<svg class="state-icon" aria-hidden="true" viewBox="0 0 48 48"><circle cx="24" cy="24" r="22" fill="#0d6130"/><path d="M14 25l7 7 13-15" fill="none" stroke="#fff" stroke-width="5" stroke-linecap="round" stroke-linejoin="round"/></svg>';
const ICON_STOP =
  '<svg class="state-icon" aria-hidden="true" viewBox="0 0 48 48"><circle cx="24" cy="24" r="22" fill="#8a1c1c"/><path d="M16 16l16 16M32 16L16 32" stroke="#fff" stroke-width="5" stroke-linecap="round"/></svg>';
