import { AppProvider } from "@shopify/polaris";
import enTranslations from "@shopify/polaris/locales/en.json";
import esTranslations from "@shopify/polaris/locales/es.json";
import type { ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { POLARIS_CSS_PATH } from "./assets";
import type { UiLocale } from "./copy";

/**
 * The few rules Polaris has no component for: the app's own top bar (the app is not embedded,
 * so there is no Shopify admin chrome around it), a copyable URL block and forms laid inline in
 * table cells. Everything else is Polaris's stylesheet. Cards get their rounded corners from
 * CSS: Polaris decides them from the viewport in a client effect, which never runs here.
 */
const APP_CSS = `
body{margin:0;background:var(--p-color-bg);color:var(--p-color-text);font-family:var(--p-font-family-sans)}
.pe-topbar{background:var(--p-color-bg-inverse);color:var(--p-color-text-inverse);padding:0 var(--p-space-400)}
.pe-topbar-inner{max-width:998px;margin:0 auto;min-height:56px;display:flex;flex-wrap:wrap;align-items:center;gap:var(--p-space-100) var(--p-space-400)}
.pe-brand{font-weight:var(--p-font-weight-bold);font-size:var(--p-font-size-350);display:flex;align-items:center;gap:var(--p-space-200)}
.pe-brand-mark{display:inline-grid;place-items:center;width:28px;height:28px;border-radius:var(--p-border-radius-200);background:#ffc600;color:#1a1a1a;font-size:13px;font-weight:800}
.pe-nav{display:flex;gap:var(--p-space-100)}
.pe-nav a{color:var(--p-color-text-inverse-secondary);text-decoration:none;font-weight:var(--p-font-weight-medium);padding:var(--p-space-150) var(--p-space-300);border-radius:var(--p-border-radius-200)}
.pe-nav a:hover{background:rgba(255,255,255,.08);color:var(--p-color-text-inverse)}
.pe-nav a[aria-current=page]{background:rgba(255,255,255,.16);color:var(--p-color-text-inverse)}
.pe-nav a:focus-visible,.pe-topbar-end a:focus-visible{outline:2px solid var(--p-color-border-focus);outline-offset:1px}
.pe-topbar-end{margin-left:auto;display:flex;align-items:center;gap:var(--p-space-300);color:var(--p-color-text-inverse-secondary)}
.pe-topbar-end a{color:var(--p-color-text-inverse);text-decoration:none;font-weight:var(--p-font-weight-medium)}
.pe-topbar form{margin:0}
.pe-url{display:block;overflow-wrap:anywhere;font-family:var(--p-font-family-mono);font-size:var(--p-font-size-325);background:var(--p-color-bg-surface-secondary);border:var(--p-border-width-025) solid var(--p-color-border);border-radius:var(--p-border-radius-200);padding:var(--p-space-200) var(--p-space-300)}
.pe-mono{font-family:var(--p-font-family-mono);font-size:var(--p-font-size-325)}
.pe-inline-form{display:flex;flex-wrap:wrap;gap:var(--p-space-200);align-items:flex-end;margin:0}
.pe-inline-form .pe-grow{flex:1 1 200px}
form{margin:0}
.pe-fieldset{border:0;margin:0;padding:0;min-width:0}
.pe-fieldset legend{padding:0;margin-bottom:var(--p-space-200)}
.pe-card-pad{padding:var(--p-space-400)}
.pe-scroll-x{overflow-x:auto;padding-bottom:2px}
.pe-topbar-end a:hover{text-decoration:underline}
@media (min-width:30.625em){.Polaris-ShadowBevel{--pc-shadow-bevel-border-radius-xs:var(--p-border-radius-300)!important}}
`;

export function renderDocument(args: {
  locale: UiLocale;
  nonce: string;
  title: string;
  body: ReactElement;
}): string {
  const markup = renderToStaticMarkup(
    <html lang={args.locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{args.title}</title>
        <link rel="stylesheet" href={POLARIS_CSS_PATH} />
        <style nonce={args.nonce} dangerouslySetInnerHTML={{ __html: APP_CSS }} />
      </head>
      <body>
        <AppProvider i18n={args.locale === "en" ? enTranslations : esTranslations}>
          {args.body}
        </AppProvider>
      </body>
    </html>,
  );
  return `<!doctype html>${markup}`;
}

export function merchantPageHeaders(nonce: string): Record<string, string> {
  return {
    "Content-Type": "text/html; charset=utf-8",
    // No script at all. Polaris's layout components set CSS custom properties in style
    // attributes, which only style-src-attr can allow; the stylesheets themselves are ours.
    "Content-Security-Policy": `default-src 'none'; style-src 'self' 'nonce-${nonce}'; style-src-attr 'unsafe-inline'; img-src data:; form-action 'self' https:; base-uri 'none'; frame-ancestors 'none'`,
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
  };
}
