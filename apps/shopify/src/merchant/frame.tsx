import { Box, Button, Page, Text } from "@shopify/polaris";
import type { ReactNode } from "react";
import type { Copy, UiLocale } from "./copy";

export interface FrameProps {
  copy: Copy;
  locale: UiLocale;
  /** The signed-in shop; without it (no session) the bar shows no navigation. */
  shop?: string;
  csrf?: string;
  active?: "settings" | "dashboard";
  /** Where the language switch leads (this page in the other language). */
  otherLanguageHref?: string;
  title: string;
  subtitle?: string;
  narrow?: boolean;
  children: ReactNode;
}

/** Hidden fields every merchant POST form carries: the CSRF token and the page's language. */
export function FormState({ csrf, locale }: { csrf: string; locale: UiLocale }) {
  return (
    <>
      <input type="hidden" name="_csrf" value={csrf} />
      <input type="hidden" name="lang" value={locale} />
    </>
  );
}

/** The app's top bar (brand, navigation, language, shop, log out) above a Polaris Page. */
export function MerchantFrame(p: FrameProps) {
  const t = p.copy;
  const other = p.locale === "en" ? "es" : "en";
  return (
    <>
      <header className="pe-topbar">
        <div className="pe-topbar-inner">
          <span className="pe-brand">
            <span className="pe-brand-mark" aria-hidden="true">
              PE
            </span>
            {t.appName}
          </span>
          {p.shop ? (
            <nav className="pe-nav" aria-label={t.appName}>
              <a
                href={`/settings?lang=${p.locale}`}
                aria-current={p.active === "settings" ? "page" : undefined}
              >
                {t.navSettings}
              </a>
              <a
                href={`/dashboard?lang=${p.locale}`}
                aria-current={p.active === "dashboard" ? "page" : undefined}
              >
                {t.navDashboard}
              </a>
            </nav>
          ) : null}
          <div className="pe-topbar-end">
            <a href={p.otherLanguageHref ?? `?lang=${other}`} lang={other} hrefLang={other}>
              {t.otherLanguage}
            </a>
            {p.shop ? <span>{p.shop}</span> : null}
            {p.shop && p.csrf ? (
              <form method="post" action="/logout">
                <FormState csrf={p.csrf} locale={p.locale} />
                <Button submit size="slim">
                  {t.logout}
                </Button>
              </form>
            ) : null}
          </div>
        </div>
      </header>
      <Page title={p.title} subtitle={p.subtitle} narrowWidth={p.narrow}>
        {p.children}
      </Page>
      <Box paddingBlockEnd="800" />
    </>
  );
}

/**
 * A submit button that sends `name=value`, looking exactly like Polaris's Button: Polaris's
 * Button takes no name or value, and the settings form needs two submit buttons ("Probar
 * conexión" and "Guardar y activar") that the server tells apart without JavaScript.
 * merchant-views.test.ts checks that the classes still match Polaris's own Button.
 */
export function NamedSubmit(props: {
  name: string;
  value: string;
  primary?: boolean;
  children: string;
}) {
  const variant = props.primary ? "variantPrimary" : "variantSecondary";
  return (
    <button
      className={`Polaris-Button Polaris-Button--pressable Polaris-Button--${variant} Polaris-Button--sizeMedium Polaris-Button--textAlignCenter`}
      type="submit"
      name={props.name}
      value={props.value}
    >
      <Text as="span" variant="bodySm" fontWeight={props.primary ? "semibold" : "medium"}>
        {props.children}
      </Text>
    </button>
  );
}
