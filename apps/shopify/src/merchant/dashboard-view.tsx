import {
  Badge,
  Banner,
  BlockStack,
  Button,
  ButtonGroup,
  Card,
  DataTable,
  InlineStack,
  Layout,
  Text,
  TextField,
} from "@shopify/polaris";
import type { ComponentProps } from "react";
import { VOUCHER_STATUSES, type Copy, type UiLocale } from "./copy";
import { FormState, MerchantFrame } from "./frame";
import { Notices, type Notice } from "./settings-view";

type BadgeTone = ComponentProps<typeof Badge>["tone"];

export interface VoucherRow {
  id: string;
  cip: string;
  sessionId: string;
  status: string;
  amount: string;
  created: string;
  expires: string;
  paid: string;
  cancellable: boolean;
}

export interface RefundRow {
  id: string;
  platformRefundId: string;
  cip: string;
  status: string;
  amount: string;
  creditNote: string;
  failure: string;
}

export interface AttentionEntry {
  key: string;
  tone: "critical" | "warning" | "info";
  title: string;
  message: string;
  action: string;
  meta?: string;
  control?:
    | { kind: "dismiss"; alertId: number }
    | { kind: "creditNote"; refundId: string }
    /** A dead letter still parked in the outbox: send it again, or dismiss its alert. */
    | { kind: "retry"; outboxId: number; alertId: number }
    | { kind: "resolve"; itemId: number };
}

export interface ExportRow {
  id: string;
  receivedAt: string;
  customerId: string;
  voucherCount: number;
}

export interface DashboardViewProps {
  copy: Copy;
  locale: UiLocale;
  shop: string;
  csrf: string;
  notices: Notice[];
  attention: AttentionEntry[];
  vouchers: VoucherRow[];
  refunds: RefundRow[];
  exports: ExportRow[];
  filter: { q: string; status: string };
  otherLanguageHref: string;
}

const VOUCHER_TONE: Record<string, BadgeTone> = {
  pending: "attention",
  created: "info",
  paid: "success",
  partially_refunded: "warning",
  refunded: undefined,
  expired: undefined,
  cancelled: undefined,
};

const REFUND_TONE: Record<string, BadgeTone> = {
  requested: "attention",
  submitted: "info",
  succeeded: "success",
  failed: "critical",
};

function Mono({ children }: { children: string }) {
  return <span className="pe-mono">{children}</span>;
}

function AttentionItem({ item, p }: { item: AttentionEntry; p: DashboardViewProps }) {
  const t = p.copy;
  const c = item.control;
  return (
    <Banner tone={item.tone} title={item.title}>
      <BlockStack gap="200">
        <p>{item.message}</p>
        <p>
          <Text as="span" fontWeight="semibold">
            {t.whatToDo}
          </Text>{" "}
          {item.action}
        </p>
        {item.meta ? (
          <Text as="p" tone="subdued" variant="bodySm">
            {item.meta}
          </Text>
        ) : null}
        {c?.kind === "dismiss" ? (
          <form method="post" action={`/dashboard/alerts/${c.alertId}/dismiss`}>
            <FormState csrf={p.csrf} locale={p.locale} />
            <Button submit size="slim">
              {t.dismiss}
            </Button>
          </form>
        ) : null}
        {c?.kind === "retry" ? (
          // align is explicit: Polaris's layout props are inherited custom properties, and the
          // Banner's own InlineStack sets space-between.
          <InlineStack gap="200" align="start" blockAlign="center">
            <form method="post" action={`/dashboard/dead-letters/${c.outboxId}/retry`}>
              <FormState csrf={p.csrf} locale={p.locale} />
              <Button submit size="slim" variant="primary">
                {t.retry}
              </Button>
            </form>
            <form method="post" action={`/dashboard/alerts/${c.alertId}/dismiss`}>
              <FormState csrf={p.csrf} locale={p.locale} />
              <Button submit size="slim">
                {t.dismiss}
              </Button>
            </form>
          </InlineStack>
        ) : null}
        {c?.kind === "resolve" ? (
          <InlineStack align="start">
            <Button url={`/dashboard/attention/${c.itemId}/resolve?lang=${p.locale}`} size="slim">
              {t.resolveItem}
            </Button>
          </InlineStack>
        ) : null}
        {c?.kind === "creditNote" ? (
          <form
            method="post"
            action={`/dashboard/refunds/${encodeURIComponent(c.refundId)}/credit-note`}
            className="pe-inline-form"
          >
            <FormState csrf={p.csrf} locale={p.locale} />
            <div className="pe-grow">
              <TextField
                label={t.creditNoteNumber}
                id={`credit_note_${c.refundId}`}
                name="credit_note_number"
                placeholder="F001-00000001"
                autoComplete="off"
                monospaced
              />
            </div>
            <Button submit variant="primary">
              {t.enter}
            </Button>
          </form>
        ) : null}
      </BlockStack>
    </Banner>
  );
}

function StatusFilter({ p }: { p: DashboardViewProps }) {
  const t = p.copy;
  const href = (status: string) => {
    const q = new URLSearchParams({ lang: p.locale });
    if (p.filter.q) q.set("q", p.filter.q);
    if (status) q.set("status", status);
    return `/dashboard?${q.toString()}`;
  };
  // Links, not a <select>: Polaris's Select only shows a new choice with JavaScript running.
  return (
    <div className="pe-scroll-x">
      <ButtonGroup variant="segmented">
        {["", ...VOUCHER_STATUSES.filter((s) => s !== "created")].map((s) => {
          const label = s ? (t.voucherStatus[s] ?? s) : t.all;
          // The current filter is a pressed button (Polaris shows no pressed state on links).
          return p.filter.status === s ? (
            <Button key={s || "all"} pressed size="slim">
              {label}
            </Button>
          ) : (
            <Button key={s || "all"} url={href(s)} size="slim">
              {label}
            </Button>
          );
        })}
      </ButtonGroup>
    </div>
  );
}

export function DashboardView(p: DashboardViewProps) {
  const t = p.copy;
  const voucherRows = p.vouchers.map((v) => [
    <Mono key="cip">{v.cip || "—"}</Mono>,
    <Mono key="session">{v.sessionId}</Mono>,
    <Badge key="status" tone={VOUCHER_TONE[v.status]}>
      {t.voucherStatus[v.status] ?? v.status}
    </Badge>,
    v.amount,
    v.created,
    v.expires,
    v.paid,
    v.cancellable ? (
      <Button
        key="cancel"
        url={`/dashboard/vouchers/${v.id}/cancel?lang=${p.locale}`}
        variant="plain"
        tone="critical"
        accessibilityLabel={`${t.cancel} CIP ${v.cip}`}
      >
        {t.cancel}
      </Button>
    ) : (
      ""
    ),
  ]);
  const refundRows = p.refunds.map((r) => [
    <Mono key="id">{r.platformRefundId}</Mono>,
    <Mono key="cip">{r.cip}</Mono>,
    <Badge key="status" tone={REFUND_TONE[r.status]}>
      {t.refundStatus[r.status] ?? r.status}
    </Badge>,
    r.amount,
    <Mono key="cn">{r.creditNote}</Mono>,
    r.failure,
  ]);
  return (
    <MerchantFrame
      copy={t}
      locale={p.locale}
      shop={p.shop}
      csrf={p.csrf}
      active="dashboard"
      otherLanguageHref={p.otherLanguageHref}
      title={t.dashboard}
      subtitle={t.dashboardSubtitle}
    >
      <Layout>
        {p.notices.length ? (
          <Layout.Section>
            <Notices notices={p.notices} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack gap="200" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  {t.attention}
                </Text>
                {p.attention.length ? (
                  <Badge tone="critical">{String(p.attention.length)}</Badge>
                ) : null}
              </InlineStack>
              {p.attention.length ? (
                p.attention.map((item) => <AttentionItem key={item.key} item={item} p={p} />)
              ) : (
                <Text as="p" tone="subdued">
                  {t.nothing}
                </Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>

        <Layout.Section>
          <Card padding="0">
            <BlockStack gap="300">
              <div className="pe-card-pad">
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    {t.vouchers}
                  </Text>
                  <form method="get" action="/dashboard" className="pe-inline-form" role="search">
                    <input type="hidden" name="lang" value={p.locale} />
                    {p.filter.status ? (
                      <input type="hidden" name="status" value={p.filter.status} />
                    ) : null}
                    <div className="pe-grow">
                      <TextField
                        label={t.search}
                        id="q"
                        name="q"
                        type="search"
                        value={p.filter.q}
                        placeholder={t.searchPlaceholder}
                        autoComplete="off"
                      />
                    </div>
                    <Button submit>{t.filter}</Button>
                    {p.filter.q || p.filter.status ? (
                      <Button url={`/dashboard?lang=${p.locale}`} variant="tertiary">
                        {t.clear}
                      </Button>
                    ) : null}
                  </form>
                  <StatusFilter p={p} />
                </BlockStack>
              </div>
              {voucherRows.length ? (
                <DataTable
                  verticalAlign="middle"
                  columnContentTypes={[
                    "text",
                    "text",
                    "text",
                    "numeric",
                    "text",
                    "text",
                    "text",
                    "text",
                  ]}
                  headings={[
                    t.cip,
                    t.session,
                    t.status,
                    t.amount,
                    t.created,
                    t.expires,
                    t.paid,
                    t.actions,
                  ]}
                  rows={voucherRows}
                  footerContent={t.limaTime}
                />
              ) : (
                <div className="pe-card-pad">
                  <Text as="p" tone="subdued">
                    {t.noVouchers}
                  </Text>
                </div>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>

        <Layout.Section>
          <Card padding="0">
            <div className="pe-card-pad">
              <Text as="h2" variant="headingMd">
                {t.refunds}
              </Text>
            </div>
            {refundRows.length ? (
              <DataTable
                verticalAlign="middle"
                columnContentTypes={["text", "text", "text", "numeric", "text", "text"]}
                headings={[t.refundId, t.cip, t.status, t.amount, t.creditNoteNumber, ""]}
                rows={refundRows}
              />
            ) : (
              <div className="pe-card-pad">
                <Text as="p" tone="subdued">
                  {t.noRefunds}
                </Text>
              </div>
            )}
          </Card>
        </Layout.Section>

        {p.exports.length ? (
          <Layout.Section>
            <Card padding="0">
              <div className="pe-card-pad">
                <BlockStack gap="100">
                  <Text as="h2" variant="headingMd">
                    {t.exports}
                  </Text>
                  <Text as="p" tone="subdued">
                    {t.exportsHelp}
                  </Text>
                </BlockStack>
              </div>
              <DataTable
                verticalAlign="middle"
                columnContentTypes={["text", "text", "numeric", "text"]}
                headings={[t.requestedAt, t.customer, t.vouchersCount, ""]}
                rows={p.exports.map((x) => [
                  x.receivedAt,
                  <Mono key="customer">{x.customerId}</Mono>,
                  x.voucherCount,
                  <Button
                    key="download"
                    url={`/dashboard/data-requests/${encodeURIComponent(x.id)}/export`}
                    download
                    size="slim"
                  >
                    {t.download}
                  </Button>,
                ])}
              />
            </Card>
          </Layout.Section>
        ) : null}
      </Layout>
    </MerchantFrame>
  );
}
