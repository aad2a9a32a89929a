import {
  formatMoneyForShopper,
  isCurrency,
  toLimaIso,
  ValidationError,
  type FieldIssue,
} from "@pe-pay/core";
import { CHANNEL_GROUPS, CHANNELS_VERSION, type ChannelGroupId } from "./channels";
import { CIP_PATTERN, groupCipForDictation } from "./cip";
import { COPY } from "./copy/index";
import { formatDeadline } from "./deadline";
import { cleanLabel, fill, fillRich } from "./text";
import type {
  BuildOptions,
  VoucherChannelGroupView,
  VoucherInput,
  VoucherDisplayStatus,
  VoucherViewModel,
} from "./types";
import { checkLogoDataUrl, isSafeLink } from "./urls";

const STATUSES: readonly VoucherDisplayStatus[] = ["pending", "paid", "expired", "cancelled"];
const LINK_FIELDS = [
  "cipUrl",
  "returnUrl",
  "chooseAnotherMethodUrl",
  "statusUrl",
  "voucherUrl",
] as const;

/**
 * Turns what an adapter knows into everything a renderer needs (texts filled in, channels
 * filtered). Throws ValidationError on input an adapter must never send (a non-numeric CIP, a
 * `javascript:` link); drops and reports (`warnings`) what is only a merchant setting (a logo).
 */
export function buildVoucherViewModel(input: VoucherInput, opts: BuildOptions): VoucherViewModel {
  const locale = opts.locale ?? "es";
  const copy = COPY[locale];
  if (!copy) throw new ValidationError([issue("locale", "unsupported", "locale must be es or en")]);
  const issues: FieldIssue[] = [];
  const warnings: string[] = [];

  const merchantName = cleanLabel(String(input.merchantName ?? ""), 80);
  if (!merchantName) issues.push(issue("merchantName", "required", "merchantName is required"));
  const orderReference = cleanLabel(String(input.orderReference ?? ""), 40);
  if (!orderReference)
    issues.push(issue("orderReference", "required", "orderReference is required"));
  const cip = String(input.cip ?? "").trim();
  if (!CIP_PATTERN.test(cip)) issues.push(issue("cip", "invalid", "cip must be 4 to 20 digits"));
  const amount = input.amount;
  if (
    !amount ||
    !isCurrency(amount.currency) ||
    !Number.isSafeInteger(amount.minor) ||
    amount.minor <= 0
  ) {
    issues.push(issue("amount", "invalid", "amount must be a positive Money in PEN or USD"));
  }
  if (!(input.expiresAt instanceof Date) || Number.isNaN(input.expiresAt.getTime())) {
    issues.push(issue("expiresAt", "invalid", "expiresAt must be a valid Date"));
  }
  if (!STATUSES.includes(input.status)) {
    issues.push(issue("status", "invalid", `status must be one of ${STATUSES.join(", ")}`));
  }
  const links: Partial<Record<(typeof LINK_FIELDS)[number], string>> = {};
  for (const field of LINK_FIELDS) {
    const value = input[field];
    if (value === undefined || value === "") continue;
    if (typeof value !== "string" || !isSafeLink(value)) {
      issues.push(issue(field, "unsafe_url", `${field} must be an http(s) URL or a /path`));
    } else {
      links[field] = value;
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);

  let merchantLogoDataUrl: string | undefined;
  if (input.merchantLogoUrl) {
    const check = checkLogoDataUrl(input.merchantLogoUrl);
    if (check === "ok") merchantLogoDataUrl = input.merchantLogoUrl;
    else warnings.push(`merchantLogoUrl dropped: ${check}`);
  }
  const firstName = input.shopperFirstName ? cleanLabel(input.shopperFirstName, 30) : "";

  const now = opts.clock.now();
  // A pending CIP past its deadline can no longer be paid, whatever the scheduler has done yet.
  const status: VoucherDisplayStatus =
    input.status === "pending" && input.expiresAt.getTime() <= now.getTime()
      ? "expired"
      : input.status;

  const amountText = formatMoneyForShopper(amount);
  const currencyOption = copy.currencyOption[amount.currency];
  const cipGrouped = groupCipForDictation(cip);
  const deadlineText = formatDeadline(input.expiresAt, locale);
  const vars = {
    cip: cipGrouped,
    amount: amountText,
    currencyOption,
    deadline: deadlineText,
    merchant: merchantName,
    order: orderReference,
  };

  const channelGroups = buildChannelGroups(input, copy, vars);
  const has = (id: ChannelGroupId) => channelGroups.some((g) => g.id === id);
  const start =
    has("online") && !has("agents")
      ? copy.quickStart.online
      : has("agents") && !has("online")
        ? copy.quickStart.agents
        : copy.quickStart.both;

  return {
    locale,
    htmlLang: copy.htmlLang,
    copy,
    copyVersion: copy.version,
    channelsVersion: CHANNELS_VERSION,
    status,
    merchantName,
    ...(merchantLogoDataUrl ? { merchantLogoDataUrl } : {}),
    orderReference,
    amount,
    amountText,
    currencyOption,
    cip,
    cipGrouped,
    expiresAt: input.expiresAt,
    expiresAtLimaIso: toLimaIso(input.expiresAt),
    deadlineText,
    remainingMs: Math.max(0, input.expiresAt.getTime() - now.getTime()),
    ...(firstName ? { shopperFirstName: firstName } : {}),
    quickSteps: [start, ...copy.quickSteps].map((t) => fillRich(t, vars)),
    channelGroups,
    ...links,
    warnings,
  };
}

function buildChannelGroups(
  input: VoucherInput,
  copy: VoucherViewModel["copy"],
  vars: Record<string, string>,
): VoucherChannelGroupView[] {
  const enabled = new Set<ChannelGroupId>(
    input.enabledChannelGroups ?? CHANNEL_GROUPS.map((g) => g.id),
  );
  const disabled = new Set(input.disabledChannels ?? []);
  const groups: VoucherChannelGroupView[] = [];
  for (const group of CHANNEL_GROUPS) {
    if (!enabled.has(group.id)) continue;
    const text = copy.groups[group.id];
    const channels = group.channels
      .filter((c) => !disabled.has(c.id) && !disabled.has(`${group.id}.${c.id}`))
      .map((c) => {
        if (group.layout === "shared") return { id: c.id, name: c.name };
        const steps = copy.channelSteps[`${group.id}.${c.id}`] ?? text.steps;
        return {
          id: c.id,
          name: c.name,
          steps: steps.map((s) => fillRich(s, { ...vars, bank: c.name })),
        };
      });
    if (channels.length === 0) continue;
    groups.push({
      id: group.id,
      title: text.title,
      intro: fill(text.intro, vars),
      steps: group.layout === "shared" ? text.steps.map((s) => fillRich(s, vars)) : [],
      channels,
      ...(text.note ? { note: fill(text.note, vars) } : {}),
    });
  }
  return groups;
}

function issue(field: string, code: string, message: string): FieldIssue {
  return { field, code, message };
}
