import {
  Banner,
  BlockStack,
  Button,
  Card,
  InlineStack,
  List,
  RadioButton,
  Text,
  TextField,
} from "@shopify/polaris";
import { NOTE_MAX, RESOLUTIONS, type ResolutionErrors, type ResolutionForm } from "./attention";
import type { Copy, UiLocale } from "./copy";
import { FormState, MerchantFrame } from "./frame";

export interface ResolveViewProps {
  copy: Copy;
  locale: UiLocale;
  shop: string;
  csrf: string;
  item: { id: number; title: string; message: string; action: string; meta: string };
  form: ResolutionForm;
  errors: ResolutionErrors;
  otherLanguageHref: string;
}

/** "Marcar como resuelto" for one attention item: a page of its own, since there is no script. */
export function ResolveAttentionView(p: ResolveViewProps) {
  const t = p.copy;
  const it = p.item;
  const noteError =
    p.errors.note === "too_long"
      ? t.noteTooLong(NOTE_MAX)
      : p.errors.note === "required"
        ? t.noteRequired
        : undefined;
  const problems = [p.errors.resolution ? t.resolutionError : null, noteError].filter(
    (x): x is string => Boolean(x),
  );
  return (
    <MerchantFrame
      copy={t}
      locale={p.locale}
      shop={p.shop}
      csrf={p.csrf}
      active="dashboard"
      otherLanguageHref={p.otherLanguageHref}
      title={t.resolveTitle(it.title)}
      narrow
    >
      <BlockStack gap="400">
        {problems.length ? (
          <Banner tone="critical" title={t.invalid}>
            <List type="bullet">
              {problems.map((x) => (
                <List.Item key={x}>{x}</List.Item>
              ))}
            </List>
          </Banner>
        ) : null}
        <Card>
          <BlockStack gap="400">
            <BlockStack gap="200">
              <Text as="p">{it.message}</Text>
              <p>
                <Text as="span" fontWeight="semibold">
                  {t.whatToDo}
                </Text>{" "}
                {it.action}
              </p>
              {it.meta ? (
                <Text as="p" tone="subdued" variant="bodySm">
                  {it.meta}
                </Text>
              ) : null}
            </BlockStack>
            <form method="post" action={`/dashboard/attention/${it.id}/resolve`}>
              <FormState csrf={p.csrf} locale={p.locale} />
              <BlockStack gap="400">
                <Text as="p" tone="subdued">
                  {t.resolveIntro}
                </Text>
                <fieldset className="pe-fieldset">
                  <legend>
                    <Text as="span" variant="headingSm">
                      {t.resolutionLabel}
                    </Text>
                  </legend>
                  <BlockStack gap="100">
                    {RESOLUTIONS.map((r) => (
                      <RadioButton
                        key={r}
                        label={t.resolutions[r] ?? r}
                        id={`resolution_${r}`}
                        name="resolution"
                        value={r}
                        checked={p.form.resolution === r}
                      />
                    ))}
                    {p.errors.resolution ? (
                      <Text as="p" tone="critical">
                        {t.resolutionError}
                      </Text>
                    ) : null}
                  </BlockStack>
                </fieldset>
                <TextField
                  label={t.noteLabel}
                  id="note"
                  name="note"
                  value={p.form.note}
                  multiline={2}
                  maxLength={NOTE_MAX}
                  autoComplete="off"
                  helpText={t.noteHelp(NOTE_MAX)}
                  error={noteError}
                />
                <InlineStack gap="200" align="end">
                  <Button url={`/dashboard?lang=${p.locale}`}>{t.back}</Button>
                  <Button submit variant="primary">
                    {t.resolveConfirm}
                  </Button>
                </InlineStack>
              </BlockStack>
            </form>
          </BlockStack>
        </Card>
      </BlockStack>
    </MerchantFrame>
  );
}
