import {
  Badge,
  Banner,
  BlockStack,
  Card,
  Checkbox,
  Divider,
  InlineGrid,
  InlineStack,
  Layout,
  List,
  RadioButton,
  Text,
  TextField,
} from "@shopify/polaris";
import type { PeEnvironment } from "@pe-pay/engine";
import { CHANNEL_GROUPS, type ChannelGroupId } from "@pe-pay/voucher";
import type { Copy, UiLocale } from "./copy";
import { FormState, MerchantFrame, NamedSubmit } from "./frame";

export const CHANNELS = ["online_banking", "agents"] as const;

/** The voucher page's list of places for each setting, so both say the same. */
const CHANNEL_GROUP_OF: Record<(typeof CHANNELS)[number], ChannelGroupId> = {
  online_banking: "online",
  agents: "agents",
};
const channelPlaces = (c: (typeof CHANNELS)[number]) =>
  (CHANNEL_GROUPS.find((g) => g.id === CHANNEL_GROUP_OF[c])?.channels ?? [])
    .map((ch) => ch.name)
    .join(", ");

/** The settings form as typed (strings), so a refused form comes back exactly as it was sent. */
export interface SettingsForm {
  environment: PeEnvironment;
  sets: Record<PeEnvironment, { idService: string; accessKey: string; secretKey: string }>;
  validityHours: string;
  channels: string[];
  creditNotePolicy: string;
  creditNoteSeries: string;
  creditNoteNextNumber: string;
}

export type SettingsField =
  | PeEnvironment
  | "environment"
  | "validity"
  | "channels"
  | "creditNotePolicy"
  | "creditNoteSeries"
  | "creditNoteNextNumber";

export interface Notice {
  tone: "success" | "critical" | "warning" | "info";
  title: string;
  text?: string;
  items?: string[];
}

export interface SettingsViewProps {
  copy: Copy;
  locale: UiLocale;
  shop: string;
  csrf: string;
  environments: PeEnvironment[];
  form: SettingsForm;
  stored: Partial<Record<PeEnvironment, boolean>>;
  notificationUrl: string;
  maxVoucherHours: number;
  notices: Notice[];
  errors: Partial<Record<SettingsField, string>>;
}

export function Notices({ notices }: { notices: Notice[] }) {
  if (notices.length === 0) return null;
  return (
    <BlockStack gap="300">
      {notices.map((n, i) =>
        !n.text && !n.items?.length ? (
          // A one-line notice: Polaris's titled banner would add an empty body under it.
          <Banner key={i} tone={n.tone}>
            <Text as="p" fontWeight="semibold">
              {n.title}
            </Text>
          </Banner>
        ) : (
          <Banner key={i} tone={n.tone} title={n.title}>
            {n.text ? <p>{n.text}</p> : null}
            {n.items?.length ? (
              <List type="bullet">
                {n.items.map((item, j) => (
                  <List.Item key={j}>{item}</List.Item>
                ))}
              </List>
            ) : null}
          </Banner>
        ),
      )}
    </BlockStack>
  );
}

function CredentialSet(props: SettingsViewProps & { env: PeEnvironment }) {
  const t = props.copy;
  const e = props.env;
  const v = props.form.sets[e];
  const error = props.errors[e];
  return (
    <BlockStack gap="300">
      <InlineStack gap="200" blockAlign="center">
        <Text as="h3" variant="headingSm">
          {t[e]}
        </Text>
        {props.stored[e] ? <Badge tone="success">{t.stored}</Badge> : null}
      </InlineStack>
      <TextField
        label={t.idService}
        id={`${e}_id_service`}
        name={`${e}_id_service`}
        value={v.idService}
        inputMode="numeric"
        autoComplete="off"
        error={Boolean(error)}
      />
      <TextField
        label={t.accessKey}
        id={`${e}_access_key`}
        name={`${e}_access_key`}
        value={v.accessKey}
        autoComplete="off"
        monospaced
        error={Boolean(error)}
      />
      <TextField
        label={t.secretKey}
        id={`${e}_secret_key`}
        name={`${e}_secret_key`}
        type="password"
        // Only what was typed in this very request comes back (never the stored secret), so a
        // connection test or a refused form does not make the merchant type it again.
        value={v.secretKey}
        autoComplete="new-password"
        helpText={props.stored[e] ? t.secretKeyKeep : undefined}
        error={error}
      />
    </BlockStack>
  );
}

export function SettingsView(props: SettingsViewProps) {
  const t = props.copy;
  const f = props.form;
  const err = props.errors;
  return (
    <MerchantFrame
      copy={t}
      locale={props.locale}
      shop={props.shop}
      csrf={props.csrf}
      active="settings"
      otherLanguageHref={`/settings?lang=${props.locale === "en" ? "es" : "en"}`}
      title={t.settings}
      subtitle={t.settingsSubtitle}
    >
      <form method="post" action="/settings" noValidate>
        <FormState csrf={props.csrf} locale={props.locale} />
        <Layout>
          {props.notices.length ? (
            <Layout.Section>
              <Notices notices={props.notices} />
            </Layout.Section>
          ) : null}
          <Layout.AnnotatedSection title={t.credentials} description={t.credentialsHelp}>
            <Card>
              <BlockStack gap="400">
                <InlineGrid columns={{ xs: 1, sm: props.environments.length }} gap="400">
                  {props.environments.map((e) => (
                    <CredentialSet key={e} {...props} env={e} />
                  ))}
                </InlineGrid>
                <Divider />
                <BlockStack gap="200">
                  <Text as="h3" variant="headingSm">
                    {t.active}
                  </Text>
                  {props.environments.map((e) => (
                    <RadioButton
                      key={e}
                      label={t[e]}
                      id={`environment_${e}`}
                      name="environment"
                      value={e}
                      checked={f.environment === e}
                    />
                  ))}
                  {err.environment ? (
                    <Text as="p" tone="critical">
                      {err.environment}
                    </Text>
                  ) : null}
                  <Text as="p" tone="subdued">
                    {t.activeHelp}
                  </Text>
                </BlockStack>
              </BlockStack>
            </Card>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection title={t.notificationUrl} description={t.notificationUrlHelp}>
            <Card>
              <code className="pe-url" id="notification_url">
                {props.notificationUrl}
              </code>
            </Card>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection title={t.validityTitle} description={t.validityDescription}>
            <Card>
              <TextField
                label={t.validity}
                id="validity_hours"
                name="validity_hours"
                value={f.validityHours}
                inputMode="numeric"
                suffix={t.hours}
                autoComplete="off"
                helpText={t.validityHelp(props.maxVoucherHours)}
                error={err.validity}
              />
            </Card>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection title={t.channels} description={t.channelsDescription}>
            <Card>
              <BlockStack gap="200">
                {CHANNELS.map((c) => (
                  <Checkbox
                    key={c}
                    label={t[c]}
                    helpText={channelPlaces(c)}
                    id={`channel_${c}`}
                    name="channels"
                    value={c}
                    checked={f.channels.includes(c)}
                  />
                ))}
                {err.channels ? (
                  <Text as="p" tone="critical">
                    {err.channels}
                  </Text>
                ) : null}
              </BlockStack>
            </Card>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection title={t.creditNote} description={t.creditNoteDescription}>
            <Card>
              <BlockStack gap="300">
                <BlockStack gap="100">
                  <RadioButton
                    label={t.manual}
                    id="credit_note_policy_manual"
                    name="credit_note_policy"
                    value="manual"
                    checked={f.creditNotePolicy === "manual"}
                  />
                  <RadioButton
                    label={t.series}
                    id="credit_note_policy_series"
                    name="credit_note_policy"
                    value="series"
                    checked={f.creditNotePolicy === "series"}
                  />
                  {err.creditNotePolicy ? (
                    <Text as="p" tone="critical">
                      {err.creditNotePolicy}
                    </Text>
                  ) : null}
                </BlockStack>
                <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
                  <TextField
                    label={t.seriesLabel}
                    id="credit_note_series"
                    name="credit_note_series"
                    value={f.creditNoteSeries}
                    autoComplete="off"
                    monospaced
                    helpText={t.seriesHelp}
                    error={err.creditNoteSeries}
                  />
                  <TextField
                    label={t.nextNumber}
                    id="credit_note_next_number"
                    name="credit_note_next_number"
                    value={f.creditNoteNextNumber}
                    inputMode="numeric"
                    autoComplete="off"
                    error={err.creditNoteNextNumber}
                  />
                </InlineGrid>
              </BlockStack>
            </Card>
          </Layout.AnnotatedSection>

          <Layout.Section>
            <Divider />
          </Layout.Section>
          <Layout.Section>
            <InlineStack align="end" gap="200">
              <NamedSubmit name="action" value="check">
                {t.check}
              </NamedSubmit>
              <NamedSubmit name="action" value="save" primary>
                {t.save}
              </NamedSubmit>
            </InlineStack>
          </Layout.Section>
        </Layout>
      </form>
    </MerchantFrame>
  );
}
