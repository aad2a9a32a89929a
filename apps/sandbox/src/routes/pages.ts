import { Router, type Request } from "express";
import { formatMoneyForShopper, toLimaIso } from "@pe-pay/core";
import type { Emulator } from "../emulator";
import type { PeApiError } from "../errors";
import { CIP_STATUS, type CipRecord } from "../state";

type Lang = "es" | "en";

const TEXT = {
  es: {
    title: "PagoEfectivo sandbox — agente",
    intro:
      "Emulador local de PagoEfectivo. Esta página hace de agente o banco: paga o vence los CIP generados. El estado se guarda en memoria y se pierde al reiniciar.",
    none: "Aún no hay CIPs.",
    cip: "CIP",
    service: "Servicio",
    code: "Pedido",
    amount: "Monto",
    status: "Estado",
    expiry: "Vence",
    actions: "Acciones",
    pay: "Pagar",
    expire: "Vencer",
    channel: "Canal",
    other: "Otro monto",
    refunds: "Reembolsos",
    complete: "Completar",
    reject: "Rechazar",
    voucher: "Ver voucher",
    back: "Volver",
    error: "No se pudo completar la acción",
    toggle: "English",
    now: "Hora del sandbox",
  },
  en: {
    title: "PagoEfectivo sandbox — agent",
    intro:
      "Local PagoEfectivo emulator. This page plays the agent or bank: pay or expire the CIPs created. State lives in memory and is lost on restart.",
    none: "No CIPs yet.",
    cip: "CIP",
    service: "Service",
    code: "Order",
    amount: "Amount",
    status: "Status",
    expiry: "Expires",
    actions: "Actions",
    pay: "Pay",
    expire: "Expire",
    channel: "Channel",
    other: "Other amount",
    refunds: "Refunds",
    complete: "Complete",
    reject: "Reject",
    voucher: "View voucher",
    back: "Back",
    error: "The action could not be completed",
    toggle: "Español",
    now: "Sandbox time",
  },
} as const;

const STATUS_EN: Record<string, string> = {
  generated: "Generated",
  expired: "Expired",
  paid: "Paid",
  removed: "Removed",
};

/** Payment points change over time: data, not code. */
const CHANNELS = [
  "BCP-agente",
  "BBVA-agente",
  "Interbank-agente",
  "Scotiabank-agente",
  "Tambo+",
  "Kasnet",
  "BCP-banca-movil",
  "BBVA-banca-internet",
];

const AGENT_STEPS = {
  es: [
    "Acércate a un agente o agencia (BBVA, BCP, Interbank, Scotiabank, BanBif, Western Union, Tambo+, Kasnet…) o entra a tu banca por internet / móvil, opción «pago de servicios» → PagoEfectivo.",
    "Indica que es un pago a PagoEfectivo.",
    "Dicta el código CIP.",
  ],
  en: [
    "Go to an agent or branch (BBVA, BCP, Interbank, Scotiabank, BanBif, Western Union, Tambo+, Kasnet…) or open your online / mobile banking, “pago de servicios” → PagoEfectivo.",
    "Say it is a payment to PagoEfectivo.",
    "Dictate the CIP code.",
  ],
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function langOf(v: unknown): Lang {
  if (typeof v === "string") return v === "en" ? "en" : "es";
  if (v && typeof v === "object" && (v as { lang?: unknown }).lang === "en") return "en";
  return "es";
}

function layout(lang: Lang, title: string, body: string): string {
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}form{display:inline-block;margin:0 .2rem}
.s22{color:#a66b00}.s23{color:#137a2a}.s21,.s25{color:#888}.big{font-size:2rem;letter-spacing:.1em}</style>
</head><body>${body}</body></html>`;
}

function statusLabel(c: CipRecord, lang: Lang): string {
  return lang === "en" ? (STATUS_EN[c.state] ?? c.state) : CIP_STATUS[c.state].name;
}

export function errorPage(e: PeApiError, lang: Lang): string {
  const t = TEXT[lang];
  return layout(
    lang,
    t.error,
    `<h1>${escapeHtml(t.error)}</h1><p>${escapeHtml(e.message)}</p><ul>${e.data
      .map((d) => `<li>${escapeHtml(`${d.field}: ${d.message}`)}</li>`)
      .join("")}</ul><p><a href="/${lang === "en" ? "?lang=en" : ""}">${t.back}</a></p>`,
  );
}

/** GET / (the agent desk) and GET /cip/<guid>.html (the shopper's voucher). */
export function pagesRouter(emu: Emulator): Router {
  const r = Router();

  r.get("/", (req: Request, res) => {
    const lang = langOf(req.query.lang);
    const t = TEXT[lang];
    emu.sweepExpired();
    const hidden = `<input type="hidden" name="lang" value="${lang}">`;
    const cips = [...emu.state.cips.values()].reverse().slice(0, 500);
    const rows = cips
      .map((c) => {
        const actions =
          c.state === "generated"
            ? `<form method="post" action="/_sandbox/cips/${c.cip}/pay">${hidden}
<select name="channel" aria-label="${t.channel}">${CHANNELS.map((ch) => `<option>${escapeHtml(ch)}</option>`).join("")}</select>
<input name="amount" size="8" placeholder="${t.other}" inputmode="decimal">
<button type="submit">${t.pay}</button></form>
<form method="post" action="/_sandbox/cips/${c.cip}/expire">${hidden}<button type="submit">${t.expire}</button></form>`
            : "";
        return `<tr><td>${c.cip}</td><td>${c.idService}</td><td>${escapeHtml(c.transactionCode)}</td>
<td>${escapeHtml(formatMoneyForShopper({ minor: c.amountMinor, currency: c.currency }))}</td>
<td class="s${CIP_STATUS[c.state].code}">${escapeHtml(statusLabel(c, lang))}${c.channel ? ` (${escapeHtml(c.channel)})` : ""}</td>
<td>${toLimaIso(c.dateExpiry)}</td><td>${actions} <a href="/cip/${c.guid}.html${lang === "en" ? "?lang=en" : ""}">${t.voucher}</a></td></tr>`;
      })
      .join("\n");
    const refunds = [...emu.state.refunds.values()]
      .filter((x) => x.status === "pending")
      .map(
        (x) => `<li>${escapeHtml(x.refundId)} — CIP ${x.cip} — ${escapeHtml(
          formatMoneyForShopper({ minor: x.amountMinor, currency: x.currency }),
        )}
<form method="post" action="/_sandbox/refunds/${escapeHtml(x.refundId)}/complete">${hidden}<button>${t.complete}</button></form>
<form method="post" action="/_sandbox/refunds/${escapeHtml(x.refundId)}/reject">${hidden}<button>${t.reject}</button></form></li>`,
      )
      .join("\n");
    const body = `<p><a href="${lang === "en" ? "/" : "/?lang=en"}">${t.toggle}</a></p>
<h1>${t.title}</h1><p>${t.intro}</p><p>${t.now}: ${toLimaIso(emu.now())}</p>
${
  cips.length === 0
    ? `<p>${t.none}</p>`
    : `<table><thead><tr><th>${t.cip}</th><th>${t.service}</th><th>${t.code}</th><th>${t.amount}</th><th>${t.status}</th><th>${t.expiry}</th><th>${t.actions}</th></tr></thead>
<tbody>${rows}</tbody></table>`
}
${refunds ? `<h2>${t.refunds}</h2><ul>${refunds}</ul>` : ""}`;
    res.type("html").send(layout(lang, t.title, body));
  });

  r.get("/cip/:file", (req, res) => {
    const lang = langOf(req.query.lang);
    const m = /^([0-9a-f-]{36})\.html$/.exec(String(req.params.file));
    const c = m ? emu.state.cipsByGuid.get(m[1]!) : undefined;
    if (!c) {
      res
        .status(404)
        .type("html")
        .send(layout(lang, "404", "<h1>CIP no encontrado / not found</h1>"));
      return;
    }
    emu.refreshExpiry(c);
    const title =
      lang === "en" ? "Your PagoEfectivo payment code" : "Tu código de pago PagoEfectivo";
    const body = `<h1>${title}</h1>
<p class="big">CIP ${c.cip}</p>
<p>${escapeHtml(formatMoneyForShopper({ minor: c.amountMinor, currency: c.currency }))} — ${escapeHtml(statusLabel(c, lang))}</p>
<p>${lang === "en" ? "Pay before" : "Paga antes de"}: ${toLimaIso(c.dateExpiry)}</p>
${c.details.paymentConcept ? `<p>${escapeHtml(c.details.paymentConcept)}</p>` : ""}
<ol>${AGENT_STEPS[lang].map((s) => `<li>${escapeHtml(s)}</li>`).join("")}</ol>`;
    res.type("html").send(layout(lang, title, body));
  });

  return r;
}
