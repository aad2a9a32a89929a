import { BlockStack, Box, Button, Card, DataTable, InlineStack, Text } from "@shopify/polaris";
import type { ReactNode } from "react";
import type { Copy, UiLocale } from "./copy";
import { FormState, MerchantFrame } from "./frame";

/** A one-card page: no session, logged out, or an action the server refused. */
export function MessageView(p: {
  copy: Copy;
  locale: UiLocale;
  title: string;
  text: string;
  detail?: string;
  shop?: string;
  csrf?: string;
  backHref?: string;
  otherLanguageHref?: string;
}) {
  return (
    <MerchantFrame
      copy={p.copy}
      locale={p.locale}
      shop={p.shop}
      csrf={p.csrf}
      otherLanguageHref={p.otherLanguageHref}
      title={p.title}
      narrow
    >
      <Card>
        <BlockStack gap="300">
          <Text as="p">{p.text}</Text>
          {p.detail ? (
            <Text as="p" tone="subdued">
              {p.detail}
            </Text>
          ) : null}
          {p.backHref ? (
            <InlineStack>
              <Button url={p.backHref}>{p.copy.back}</Button>
            </InlineStack>
          ) : null}
        </BlockStack>
      </Card>
    </MerchantFrame>
  );
}

/** "¿Anular el código CIP …?": a page of its own, since there is no script for a dialog. */
export function CancelVoucherView(p: {
  copy: Copy;
  locale: UiLocale;
  shop: string;
  csrf: string;
  voucher: { id: string; cip: string; sessionId: string; amount: string; expires: string };
}) {
  const t = p.copy;
  const v = p.voucher;
  const row = (label: string, value: ReactNode) => (
    <InlineStack gap="200" wrap={false}>
      <Box minWidth="160px">
        <Text as="span" tone="subdued">
          {label}
        </Text>
      </Box>
      <Text as="span">{value}</Text>
    </InlineStack>
  );
  return (
    <MerchantFrame
      copy={t}
      locale={p.locale}
      shop={p.shop}
      csrf={p.csrf}
      active="dashboard"
      title={t.cancelTitle(v.cip)}
      narrow
    >
      <Card>
        <BlockStack gap="400">
          <BlockStack gap="200">
            {row(t.cip, <span className="pe-mono">{v.cip}</span>)}
            {row(t.session, <span className="pe-mono">{v.sessionId}</span>)}
            {row(t.amount, v.amount)}
            {row(t.expires, v.expires)}
          </BlockStack>
          <Text as="p">{t.cancelText}</Text>
          <Text as="p" tone="subdued">
            {t.cancelPaidNote}
          </Text>
          <form method="post" action={`/dashboard/vouchers/${v.id}/cancel`}>
            <FormState csrf={p.csrf} locale={p.locale} />
            <InlineStack gap="200" align="end">
              <Button url={`/dashboard?lang=${p.locale}`}>{t.back}</Button>
              <Button submit variant="primary" tone="critical">
                {t.cancelConfirm}
              </Button>
            </InlineStack>
          </form>
        </BlockStack>
      </Card>
    </MerchantFrame>
  );
}

/** Local mail capture (never in production): what the app would have e-mailed. */
export function CapturedMailView(p: {
  copy: Copy;
  mails: Array<{ id: number; to: string; subject: string; at: string }>;
}) {
  return (
    <MerchantFrame copy={p.copy} locale="es" title="Correos capturados (local)">
      <Card padding="0">
        <DataTable
          columnContentTypes={["numeric", "text", "text", "text"]}
          headings={["#", "Para", "Asunto", "Enviado"]}
          rows={p.mails.map((m) => [
            m.id,
            m.to,
            <a key="subject" href={`/dev/mail/${m.id}`}>
              {m.subject}
            </a>,
            m.at,
          ])}
        />
      </Card>
    </MerchantFrame>
  );
}
