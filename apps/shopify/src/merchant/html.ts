/**
 * Server-rendered merchant pages. Polaris React would add a bundler and a client runtime to an
 * app that has neither, so these are plain HTML with Polaris' look (tokens, cards, badges,
 * banners) and no script at all — the CSP allows none.
 */
export type UiLocale = "es" | "en";

export function esc(value: unknown): string {
  return String(value ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

const STYLE = `
:root{--p-bg:#f1f1f1;--p-surface:#fff;--p-text:#303030;--p-subdued:#616161;--p-border:#e3e3e3;
--p-primary:#303030;--p-success-bg:#cdfee1;--p-success:#0c5132;--p-critical-bg:#fee9e8;--p-critical:#8e1f0b;
--p-warning-bg:#fff1e3;--p-warning:#5e4200;--p-info-bg:#eaf4ff;--p-info:#00527c;--p-radius:12px}
*{box-sizing:border-box}body{margin:0;background:var(--p-bg);color:var(--p-text);
font:14px/20px -apple-system,BlinkMacSystemFont,"San Francisco","Segoe UI",Roboto,"Helvetica Neue",sans-serif}
header{background:#1a1a1a;color:#e3e3e3;padding:10px 24px;display:flex;gap:24px;align-items:center}
header a{color:#e3e3e3;text-decoration:none;font-weight:550}header a[aria-current]{color:#fff;text-decoration:underline}
header .shop{margin-left:auto;color:#b5b5b5}main{max-width:998px;margin:24px auto;padding:0 16px}
h1{font-size:20px;line-height:24px;font-weight:650;margin:0 0 16px}h2{font-size:14px;font-weight:650;margin:0 0 12px}
.card{background:var(--p-surface);border-radius:var(--p-radius);box-shadow:0 1px 0 rgba(26,26,26,.07),inset 0 -1px 0 #d4d4d4;
padding:16px;margin-bottom:16px}.grid{display:grid;grid-template-columns:1fr 1fr;gap:12px}
label{display:block;font-weight:450;margin:8px 0 4px}code.url{display:block;overflow-wrap:anywhere;background:#f7f7f7;padding:6px 8px;border-radius:8px}.help{color:var(--p-subdued);font-size:13px;margin:2px 0 8px}
input[type=text],input[type=password],input[type=number],input[type=search],select{width:100%;padding:6px 12px;
border:1px solid #8a8a8a;border-radius:8px;font:inherit;background:#fdfdfd}
.check{display:flex;gap:8px;align-items:center;font-weight:400}.check input{margin:0}
.btn{display:inline-block;padding:6px 12px;border-radius:8px;border:0;font:inherit;font-weight:550;cursor:pointer;
background:var(--p-primary);color:#fff;text-decoration:none}.btn.secondary{background:#fff;color:var(--p-text);
box-shadow:inset 0 0 0 1px #c9c9c9}.actions{display:flex;gap:8px;justify-content:flex-end}
.banner{border-radius:var(--p-radius);padding:12px 16px;margin-bottom:16px}.banner.success{background:var(--p-success-bg);color:var(--p-success)}
.banner.critical{background:var(--p-critical-bg);color:var(--p-critical)}.banner.warning{background:var(--p-warning-bg);color:var(--p-warning)}
.banner.info{background:var(--p-info-bg);color:var(--p-info)}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:8px;border-bottom:1px solid var(--p-border);vertical-align:top}
th{color:var(--p-subdued);font-weight:550}.badge{display:inline-block;border-radius:8px;padding:2px 8px;font-size:12px;background:#e3e3e3}
.badge.paid,.badge.succeeded{background:var(--p-success-bg);color:var(--p-success)}.badge.pending,.badge.requested,.badge.submitted{background:var(--p-warning-bg);color:var(--p-warning)}
.badge.failed,.badge.critical{background:var(--p-critical-bg);color:var(--p-critical)}.mono{font-family:ui-monospace,Menlo,monospace}
.filters{display:flex;gap:8px;align-items:end}.filters>*{flex:1}.filters .btn{flex:0}
`;

export function layout(args: {
  title: string;
  locale: UiLocale;
  nonce: string;
  shop?: string;
  active?: "settings" | "dashboard";
  body: string;
}): string {
  const t = args.locale === "en";
  const nav = args.shop
    ? `<header><strong>PagoEfectivo</strong>` +
      `<a href="/settings?lang=${args.locale}"${args.active === "settings" ? ' aria-current="page"' : ""}>${t ? "Settings" : "Configuración"}</a>` +
      `<a href="/dashboard?lang=${args.locale}"${args.active === "dashboard" ? ' aria-current="page"' : ""}>${t ? "Dashboard" : "Panel"}</a>` +
      `<a href="?lang=${t ? "es" : "en"}">${t ? "Español" : "English"}</a>` +
      `<span class="shop">${esc(args.shop)}</span></header>`
    : "";
  return (
    `<!doctype html><html lang="${args.locale}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">` +
    `<title>${esc(args.title)}</title><style nonce="${args.nonce}">${STYLE}</style></head>` +
    `<body>${nav}<main>${args.body}</main></body></html>`
  );
}

export function merchantPageHeaders(nonce: string): Record<string, string> {
  return {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": `default-src 'none'; style-src 'nonce-${nonce}'; img-src data:; form-action 'self' https:; base-uri 'none'; frame-ancestors 'none'`,
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
  };
}

export function banner(kind: "success" | "critical" | "warning" | "info", html: string): string {
  return `<div class="banner ${kind}" role="${kind === "critical" ? "alert" : "status"}">${html}</div>`;
}
