/**
 * Server-rendered HTML with escaping by default: every interpolation in `html\`…\`` is escaped
 * unless it is already a `SafeHtml` (the result of another `html` call). Arrays are joined.
 */
import { formatLimaDateTimeShort } from "@pe-pay/core";
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

type Part = SafeHtml | string | number | boolean | null | undefined | Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return "";
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map(render).join("");
  return escapeHtml(part);
}

export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0] ?? "";
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? "");
  });
  return new SafeHtml(out);
}

const CSS = `
*{box-sizing:border-box}body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
.banner{background:#fff3c4;border-bottom:1px solid #e5c84a;padding:.4rem 1rem;font-size:.9rem;text-align:center}
header{background:#1d2330;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;flex-wrap:wrap;align-items:center}
header a{color:#fff}header strong{margin-right:auto}
main{max-width:960px;margin:1rem auto;padding:0 1rem}
.card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:1rem 1.2rem;margin:0 0 1rem}
table{border-collapse:collapse;width:100%}table.kv{table-layout:fixed}table.kv td{overflow-wrap:anywhere}table.kv td:first-child{width:40%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e6e8ec;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
label{display:block;margin:.5rem 0 .2rem;font-weight:600}input,select,textarea{font:inherit;padding:.4rem;width:100%;max-width:28rem}
input[type=number]{max-width:6rem}
button,.button{display:inline-block;font:inherit;font-weight:600;padding:.55rem 1rem;border-radius:6px;border:0;background:#0b6bcb;color:#fff;cursor:pointer;text-decoration:none;margin-top:.6rem}
button.secondary,.button.secondary{background:#5b6472}button.danger{background:#b42318}
.error{background:#fde8e7;border:1px solid #f1a9a4;padding:.6rem .8rem;border-radius:6px}
.ok{background:#e7f6ec;border:1px solid #9fd8b2;padding:.6rem .8rem;border-radius:6px}
.badge{display:inline-block;padding:0 .5rem;border-radius:999px;font-size:.85rem;background:#e6e8ec}
.badge.pagado,.badge.procesando,.badge.completado,.badge.reembolsado-ok{background:#d3f3dc}
.badge.pendiente,.badge.en-espera{background:#fff0c2}.badge.rechazado,.badge.cancelado,.badge.fallido{background:#fbd5d2}
.muted{color:#5b6472;font-size:.9rem}code{background:#eef0f3;padding:0 .25rem;border-radius:4px}
iframe{width:100%;min-height:420px;border:1px solid #dde1e7;background:#fff}
`;

export interface PageOptions {
  title: string;
  /** Which side of the demo the page belongs to; drives the header links. */
  section?: "shopify" | "woo" | "mail" | "home";
}

export function page(opts: PageOptions, body: SafeHtml): string {
  const brand =
    opts.section === "shopify"
      ? "Tienda demo (tipo Shopify)"
      : opts.section === "woo"
        ? "Tienda demo (tipo WooCommerce)"
        : "Tienda de demostración";
  return `<!doctype html>${html`<html lang="es">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width,initial-scale=1" />
      <title>${opts.title} · Tienda de demostración local</title>
      <style>
        ${new SafeHtml(CSS)}
      </style>
    </head>
    <body>
      <div class="banner" role="note">
        Tienda de demostración local — no es Shopify/WooCommerce real. Los datos se guardan en
        memoria y se borran al reiniciar.
      </div>
      <header>
        <strong>${brand}</strong> <a href="/">Inicio</a><a href="/shopify">Shopify: tienda</a
        ><a href="/shopify/admin/orders">Shopify: pedidos</a> <a href="/woo">WooCommerce: tienda</a
        ><a href="/woo/wp-admin/pedidos">WooCommerce: pedidos</a><a href="/mail">Correo</a>
      </header>
      <main>
        <h1>${opts.title}</h1>
        ${body}
      </main>
    </body>
  </html>`}`;
}

/** Dates in the stand-in's pages: Lima time, as a Peruvian merchant reads them ("25/11/2026 18:50"). */
export function limaShort(date: Date): string {
  return formatLimaDateTimeShort(date, "es");
}

/**
 * A CIP deadline the way the WooCommerce plugin shows it: "27/11/2026 01:11 (hora de Lima)";
 * text that is not a date is shown as it is (the plugin does the same).
 */
export function pluginDeadline(text: string): string {
  const at = new Date(text);
  return text && !Number.isNaN(at.getTime()) ? `${limaShort(at)} (hora de Lima)` : text;
}
