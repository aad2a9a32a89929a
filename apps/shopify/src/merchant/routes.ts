import { createNonce } from "@pe-pay/voucher";
import {
  ATTENTION_KINDS,
  describeAttention,
  formatDecimal,
  formatLimaDateTimeShort,
  isAppError,
  type AttentionKind,
  type Clock,
  type CredentialCheck,
} from "@pe-pay/core";
import {
  createPaymentEngine,
  dismissMerchantAlert,
  enterCreditNote,
  getSettings,
  listMerchantAlerts,
  listOpenAttentionItems,
  updateSettings,
  type CreditNotePolicy,
  type Database,
  type EngineContext,
  type PaymentEngine,
  type PeCredentials,
  type PeEnvironment,
} from "@pe-pay/engine";
import express, { type Request, type Response, type Router } from "express";
import { createElement, type ReactElement } from "react";
import { shopifyOrigin, type ShopifyConfig } from "../config/env";
import type { PaymentsAppsClient } from "../graphql/client";
import type { CapturedMail } from "../mail/transport";
import type { Logger } from "../ports";
import type { DataRequestExport } from "../storage/compliance";
import { MerchantSessionStore } from "../storage/merchant-sessions";
import type { DbShopStore, PeCredentialSets, ShopifyShop } from "../storage/shop-store";
import { recordCancelReason } from "../storage/voucher-notes";
import { POLARIS_CSS_PATH, servePolarisCss } from "./assets";
import {
  findAttentionItem,
  parseResolution,
  resolveItem,
  type AttentionRow,
  type ResolutionForm,
} from "./attention";
import { COPY, type Copy, type UiLocale } from "./copy";
import {
  DashboardView,
  type AttentionEntry,
  type DashboardViewProps,
  type RefundRow,
  type VoucherRow,
} from "./dashboard-view";
import { deadLettersOf, retryDeadLetter } from "./dead-letters";
import { merchantPageHeaders, renderDocument } from "./document";
import { refundFailureText } from "./refund-failure";
import { CancelVoucherView, CapturedMailView, MessageView } from "./message-view";
import { ResolveAttentionView, type ResolveViewProps } from "./resolve-view";
import {
  csrfToken,
  isCsrfValid,
  isLoggedOut,
  issuedAt,
  readSession,
  RevokedSessions,
  SESSION_COOKIE,
  type MerchantSession,
} from "./session";
import {
  CHANNELS,
  SettingsView,
  type Notice,
  type SettingsField,
  type SettingsForm,
  type SettingsViewProps,
} from "./settings-view";

export { CHANNELS };

export interface MerchantRoutesDeps {
  config: Pick<ShopifyConfig, "apiKey" | "apiSecret" | "apiOrigin" | "appUrl">;
  db: Database;
  ctx: EngineContext;
  shops: DbShopStore;
  compliance: { listDataRequests(tenantId: string): Promise<DataRequestExport[]> };
  graphql: PaymentsAppsClient;
  clock: Clock;
  logger: Logger;
  /** PagoEfectivo environments this deployment can reach. */
  environments: PeEnvironment[];
  checkCredentials(input: PeCredentials & { environment: PeEnvironment }): Promise<CredentialCheck>;
  /** Local mail capture, shown at /dev/mail; null in production. */
  capturedMail: (() => CapturedMail[]) | null;
  maxVoucherHours: number;
  /**
   * The engine's cancel use case, for "Anular". Without one the router builds its own facade on
   * `ctx` (it only needs the tenants' credentials, which it reads through the same database).
   */
  engine?: Pick<PaymentEngine, "cancelVoucher">;
}

interface Authed {
  session: MerchantSession;
  shop: ShopifyShop;
  locale: UiLocale;
  copy: Copy;
  csrf: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A bigserial id from a URL, or null (Number() would also take "1e3" or "0x10"). */
const serialId = (s: unknown): number | null =>
  typeof s === "string" && /^[1-9]\d{0,14}$/.test(s) ? Number(s) : null;
const CANCELLABLE = ["created", "pending"];
const PAID = ["paid", "partially_refunded", "refunded"];

function localeOf(req: Request): UiLocale {
  const q = req.query.lang ?? (req.body as Record<string, unknown> | undefined)?.lang;
  if (q === "en" || q === "es") return q;
  return /^en\b/i.test(req.headers["accept-language"] ?? "") ? "en" : "es";
}

const otherLocale = (l: UiLocale): UiLocale => (l === "en" ? "es" : "en");

/** This page in the other language (a GET keeps its query; after a POST, the page it came from). */
function switchHref(req: Request, locale: UiLocale, fallback: string): string {
  if (req.method !== "GET") return `${fallback}?lang=${otherLocale(locale)}`;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(req.query)) if (typeof v === "string") q.set(k, v);
  q.set("lang", otherLocale(locale));
  return `${req.path}?${q.toString()}`;
}

const money = (minor: number, currency: string) =>
  `${currency === "USD" ? "US$" : "S/"} ${formatDecimal(minor)}`;
const dateOf = (d: unknown, locale: UiLocale) =>
  d instanceof Date ? formatLimaDateTimeShort(d, locale) : "";

/** An attention item as the merchant reads it: the app's copy for its kind, else the engine's. */
function describeItem(
  item: { kind: string; detail: unknown; createdAt: Date },
  t: Copy,
  locale: UiLocale,
) {
  const known = t.attentionKinds[item.kind];
  const d = (item.detail && typeof item.detail === "object" ? item.detail : {}) as Record<
    string,
    unknown
  >;
  const amount = d.amount as { minor?: unknown; currency?: unknown } | undefined;
  const meta = [
    typeof d.cip === "string" && d.cip ? `CIP ${d.cip}` : "",
    typeof amount?.minor === "number" && typeof amount.currency === "string"
      ? money(amount.minor, amount.currency)
      : "",
    dateOf(item.createdAt, locale),
  ];
  return {
    title: known?.title ?? t.attentionFallback.title,
    message:
      known?.message ??
      ((ATTENTION_KINDS as readonly string[]).includes(item.kind)
        ? describeAttention(item.kind as AttentionKind, locale)
        : item.kind),
    action: known?.action ?? t.attentionFallback.action,
    meta: meta.filter(Boolean).join(" · "),
  };
}

/** Where PagoEfectivo sends this shop's payment notifications (the merchant pastes it in its portal). */
export function notificationUrlOf(appUrl: string, notificationToken: string): string {
  return `${appUrl}/notifications/pagoefectivo/${encodeURIComponent(notificationToken)}`;
}

/** Settings page and dashboard, behind the merchant session cookie and CSRF tokens. */
export function merchantRouter(deps: MerchantRoutesDeps): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: "32kb" });
  const secret = deps.config.apiSecret;
  let ownEngine: Pick<PaymentEngine, "cancelVoucher"> | undefined;
  const engine = () => deps.engine ?? (ownEngine ??= createPaymentEngine(deps.ctx));
  const revoked = new RevokedSessions();
  /**
   * Every instance's logouts. Read on each authenticated request, with no cache: a cache would
   * let another instance's logged-out cookie through for as long as it keeps an entry, and the
   * read (one row by shop) runs beside the shop read every request already makes.
   */
  const logouts = new MerchantSessionStore(deps.db);
  /** The request's signed session, unless it expired or was logged out on this instance. */
  const liveSession = (req: Request) => {
    const s = readSession(req, secret, deps.clock.now());
    return s && !revoked.has(s) ? s : null;
  };

  function page(
    res: Response,
    status: number,
    locale: UiLocale,
    title: string,
    body: ReactElement,
  ) {
    const nonce = createNonce();
    res
      .status(status)
      .set(merchantPageHeaders(nonce))
      .send(renderDocument({ locale, nonce, title, body }));
  }

  function message(
    req: Request,
    res: Response,
    status: number,
    args: { locale: UiLocale; title: string; text: string; detail?: string; a?: Authed },
  ) {
    page(
      res,
      status,
      args.locale,
      args.title,
      createElement(MessageView, {
        copy: COPY[args.locale],
        locale: args.locale,
        title: args.title,
        text: args.text,
        detail: args.detail,
        shop: args.a?.shop.tenant.shopDomain,
        csrf: args.a?.csrf,
        backHref: args.a ? `/dashboard?lang=${args.locale}` : undefined,
        otherLanguageHref: switchHref(req, args.locale, args.a ? "/dashboard" : "/settings"),
      }),
    );
  }

  async function authenticate(req: Request, res: Response): Promise<Authed | null> {
    const locale = localeOf(req);
    const session = liveSession(req);
    const [shop, notBefore] = session
      ? await Promise.all([deps.shops.getShop(session.shop), logouts.notBefore(session.shop)])
      : [null, null];
    if (!session || !shop || shop.tenant.status !== "active" || isLoggedOut(session, notBefore)) {
      const t = COPY[locale];
      message(req, res, 401, { locale, title: t.notFound, text: t.openFromAdmin });
      return null;
    }
    return { session, shop, locale, copy: COPY[locale], csrf: csrfToken(session, secret) };
  }

  function csrfOk(req: Request, res: Response, a: Authed): boolean {
    const body = req.body as Record<string, unknown>;
    if (isCsrfValid(a.session, body?._csrf, secret)) return true;
    message(req, res, 403, { locale: a.locale, title: a.copy.badCsrf, text: a.copy.badCsrf, a });
    return false;
  }

  /** A refused dashboard action: the engine's own words for the merchant, on a page. */
  function actionFailed(req: Request, res: Response, a: Authed, e: unknown): boolean {
    if (!isAppError(e) || e.httpStatus >= 500) return false;
    const t = a.copy;
    const text = e.httpStatus === 404 ? t.notFoundItem : e.merchantMessage;
    message(req, res, e.httpStatus, {
      locale: a.locale,
      title: t.dashboard,
      text,
      detail: e.httpStatus === 404 ? undefined : e.code,
      a,
    });
    return true;
  }

  router.get(POLARIS_CSS_PATH, servePolarisCss);

  // ---------- settings ----------

  async function currentForm(tenant: ShopifyShop["tenant"], stored: PeCredentialSets) {
    const s = await getSettings(deps.db, tenant.id);
    const set = (e: PeEnvironment) => ({
      idService: stored[e] ? String(stored[e]!.idService) : "",
      accessKey: stored[e]?.accessKey ?? "",
      secretKey: "",
    });
    const f: SettingsForm = {
      environment: tenant.environment ?? "sandbox",
      sets: { sandbox: set("sandbox"), production: set("production") },
      validityHours: String(s.validityHours),
      channels: s.enabledChannels,
      creditNotePolicy: s.creditNotePolicy,
      creditNoteSeries: s.creditNoteSeries ?? "",
      creditNoteNextNumber: String(s.creditNoteNextNumber),
    };
    return f;
  }

  function settingsPage(
    req: Request,
    res: Response,
    status: number,
    a: Authed,
    args: Pick<SettingsViewProps, "form" | "notices"> & {
      stored: PeCredentialSets;
      errors?: SettingsViewProps["errors"];
    },
  ) {
    const props: SettingsViewProps = {
      copy: a.copy,
      locale: a.locale,
      shop: a.shop.tenant.shopDomain,
      csrf: a.csrf,
      environments: deps.environments,
      form: args.form,
      stored: { sandbox: !!args.stored.sandbox, production: !!args.stored.production },
      notificationUrl: notificationUrlOf(deps.config.appUrl, a.shop.tenant.notificationToken),
      maxVoucherHours: deps.maxVoucherHours,
      notices: args.notices,
      errors: args.errors ?? {},
    };
    page(res, status, a.locale, a.copy.settings, createElement(SettingsView, props));
  }

  router.get("/settings", async (req, res, next) => {
    try {
      const a = await authenticate(req, res);
      if (!a) return;
      const stored = await deps.shops.peCredentialSets(a.shop.tenant.id);
      const f = await currentForm(a.shop.tenant, stored);
      const t = a.copy;
      const notices: Notice[] = !a.shop.tenant.hasPeCredentials
        ? [{ tone: "info", title: t.notConfigured, text: t.notConfiguredHelp }]
        : req.query.saved
          ? [{ tone: "success", title: t.saved }]
          : [];
      settingsPage(req, res, 200, a, { form: f, notices, stored });
    } catch (e) {
      next(e);
    }
  });

  router.post("/settings", form, async (req, res, next) => {
    try {
      const a = await authenticate(req, res);
      if (!a || !csrfOk(req, res, a)) return;
      const t = a.copy;
      const b = req.body as Record<string, string | string[] | undefined>;
      const s = (k: string) => (typeof b[k] === "string" ? (b[k] as string).trim() : "");
      const stored = await deps.shops.peCredentialSets(a.shop.tenant.id);
      const channels = ([] as string[]).concat(b.channels ?? []);
      const f: SettingsForm = {
        environment: s("environment") === "production" ? "production" : "sandbox",
        sets: {
          sandbox: {
            idService: s("sandbox_id_service"),
            accessKey: s("sandbox_access_key"),
            secretKey: s("sandbox_secret_key"),
          },
          production: {
            idService: s("production_id_service"),
            accessKey: s("production_access_key"),
            secretKey: s("production_secret_key"),
          },
        },
        validityHours: s("validity_hours"),
        channels,
        creditNotePolicy: s("credit_note_policy"),
        creditNoteSeries: s("credit_note_series").toUpperCase(),
        creditNoteNextNumber: s("credit_note_next_number"),
      };
      const problems: Array<{ field: SettingsField; label: string; text: string }> = [];
      const problem = (field: SettingsField, label: string, text: string) =>
        problems.push({ field, label, text });
      // Merge what was typed with what is stored; an empty secret keeps the stored one.
      const sets: PeCredentialSets = {};
      const changed: PeEnvironment[] = [];
      for (const e of deps.environments) {
        const typed = f.sets[e];
        const prev = stored[e];
        if (!typed.idService && !typed.accessKey && !typed.secretKey && !prev) continue;
        const idService = Number(typed.idService || prev?.idService);
        const accessKey = typed.accessKey || prev?.accessKey || "";
        const secretKey = typed.secretKey || prev?.secretKey || "";
        if (!Number.isSafeInteger(idService) || idService <= 0 || !accessKey || !secretKey) {
          problem(e, t[e], t.credentialsError);
          continue;
        }
        sets[e] = { idService, accessKey, secretKey };
        if (
          !prev ||
          prev.idService !== idService ||
          prev.accessKey !== accessKey ||
          prev.secretKey !== secretKey
        ) {
          changed.push(e);
        }
      }
      const action = s("action") === "check" ? "check" : "save";
      if (!deps.environments.includes(f.environment)) {
        problem("environment", t.active, t[f.environment]);
      } else if (!sets[f.environment] && !problems.some((p) => p.field === f.environment)) {
        problem(f.environment, t[f.environment], t.credentialsError);
      }
      const validity = Number(f.validityHours);
      if (!Number.isInteger(validity) || validity < 1 || validity > deps.maxVoucherHours) {
        problem("validity", t.validity, t.validityError(deps.maxVoucherHours));
      }
      const validChannels = channels.filter((c) => (CHANNELS as readonly string[]).includes(c));
      if (validChannels.length === 0 || validChannels.length !== channels.length) {
        problem("channels", t.channels, t.channelsError);
      }
      const policy = f.creditNotePolicy as CreditNotePolicy;
      if (policy !== "manual" && policy !== "series") {
        problem("creditNotePolicy", t.creditNote, t.policyError);
      }
      if (policy === "series" && !/^[FB][A-Z0-9]{3}$/.test(f.creditNoteSeries)) {
        problem("creditNoteSeries", t.seriesLabel, t.seriesError);
      }
      const nextNumber = f.creditNoteNextNumber ? Number(f.creditNoteNextNumber) : undefined;
      if (nextNumber !== undefined && (!Number.isInteger(nextNumber) || nextNumber < 1)) {
        problem("creditNoteNextNumber", t.nextNumber, t.nextNumberError);
      }

      // Live check of every set that was typed (or all of them for "Probar conexión").
      const toCheck = action === "check" ? (Object.keys(sets) as PeEnvironment[]) : changed;
      const checks: Notice[] = [];
      let checkFailed = false;
      for (const e of toCheck) {
        const r = await deps.checkCredentials({ ...sets[e]!, environment: e });
        if (r.ok) checks.push({ tone: "success", title: `${t[e]}: ${t.ok}` });
        else {
          checkFailed = true;
          checks.push({ tone: "critical", title: `${t[e]}: ${r.message}` });
        }
      }
      if (action === "check" || problems.length > 0 || checkFailed) {
        const status = action === "check" && !checkFailed ? 200 : 422;
        const notices: Notice[] = problems.length
          ? [
              {
                tone: "critical",
                title: t.invalid,
                items: problems.map((p) => `${p.label}: ${p.text}`),
              },
            ]
          : [];
        const errors: SettingsViewProps["errors"] = {};
        for (const p of problems) errors[p.field] ??= p.text;
        settingsPage(req, res, status, a, {
          form: f,
          notices: [...notices, ...checks],
          stored,
          errors,
        });
        return;
      }

      const tenantId = a.shop.tenant.id;
      await deps.shops.savePeCredentials(tenantId, { sets, environment: f.environment });
      await updateSettings(deps.db, tenantId, {
        validityHours: validity,
        enabledChannels: validChannels,
        ...(policy === "series" ? { creditNoteSeries: f.creditNoteSeries } : {}),
        creditNotePolicy: policy,
        ...(nextNumber !== undefined ? { creditNoteNextNumber: nextNumber } : {}),
      });
      const accessToken = await deps.shops.accessToken(tenantId);
      const handle = `pe-${sets[f.environment]!.idService}`;
      const configured = accessToken
        ? await deps.graphql.paymentsAppConfigure(
            { shopDomain: a.shop.tenant.shopDomain, accessToken },
            { externalHandle: handle, ready: true },
          )
        : ({ ok: false, message: "no access token" } as const);
      if (!configured.ok) {
        deps.logger.warn(
          { tenantId, err: configured.message },
          "paymentsAppConfigure failed after saving settings",
        );
        settingsPage(req, res, 502, a, {
          form: f,
          notices: [{ tone: "warning", title: t.configureFailed, text: configured.message }],
          stored: sets,
        });
        return;
      }
      await deps.shops.markConfigured(tenantId, handle);
      deps.logger.info({ tenantId, environment: f.environment }, "merchant settings saved");
      res.redirect(
        303,
        `${shopifyOrigin(deps.config.apiOrigin, a.shop.tenant.shopDomain)}/services/payments_partners/gateways/${encodeURIComponent(deps.config.apiKey)}/settings`,
      );
    } catch (e) {
      if (isAppError(e) && e.httpStatus < 500) {
        res.status(e.httpStatus).json({ error: e.toJSON() });
        return;
      }
      next(e);
    }
  });

  // ---------- dashboard ----------

  function dashboardNotice(req: Request, t: Copy): Notice[] {
    const cip = typeof req.query.cip === "string" && /^\d{1,20}$/.test(req.query.cip);
    const c = cip ? String(req.query.cip) : "";
    switch (req.query.notice) {
      case "cancelled":
        return [{ tone: "success", title: t.cancelled(c) }];
      case "cancel_paid":
        return [{ tone: "info", title: t.cancelPaid(c) }];
      case "not_pending":
        return [{ tone: "info", title: t.cancelNotPending }];
      case "dismissed":
        return [{ tone: "success", title: t.dismissed }];
      case "credit_note":
        return [{ tone: "success", title: t.creditNoteSaved }];
      case "retried": {
        const n =
          typeof req.query.n === "string" && /^\d{1,3}$/.test(req.query.n) ? req.query.n : "1";
        return [{ tone: "success", title: t.retried(Number(n) || 1), text: t.retriedHelp }];
      }
      case "retry_not_dead":
        return [{ tone: "info", title: t.retryNotDead }];
      case "resolved":
        return [{ tone: "success", title: t.resolved }];
      case "already_resolved":
        return [{ tone: "info", title: t.alreadyResolved }];
      default:
        return [];
    }
  }

  router.get("/dashboard", async (req, res, next) => {
    try {
      const a = await authenticate(req, res);
      if (!a) return;
      const t = a.copy;
      const L = a.locale;
      const tenantId = a.shop.tenant.id;
      const q = typeof req.query.q === "string" ? req.query.q.trim().slice(0, 100) : "";
      const status = typeof req.query.status === "string" ? req.query.status : "";
      const { rows: vouchers } = await deps.db.query(
        `SELECT id, cip, status, amount_minor, currency, platform_payment_id, created_at,
           expires_at, paid_at
         FROM vouchers WHERE tenant_id = $1
           AND ($2::text = '' OR cip = $2 OR platform_payment_id = $2
                OR platform_payment_id ILIKE '%' || $2 || '%')
           AND ($3::text = '' OR status = $3)
         ORDER BY created_at DESC LIMIT 50`,
        [tenantId, q.replace(/[%_\\]/g, ""), status],
      );
      const { rows: refunds } = await deps.db.query(
        `SELECT r.id, r.platform_refund_id, r.status, r.amount_minor, r.currency, r.failure_code,
           r.failure_reason, r.credit_note_number, r.created_at, v.cip,
           v.currency AS payment_currency, r.platform_data->'engineRefusal' AS engine_refusal
         FROM refunds r JOIN vouchers v ON v.id = r.voucher_id
         WHERE r.tenant_id = $1 ORDER BY r.created_at DESC LIMIT 50`,
        [tenantId],
      );
      const { rows: late } = await deps.db.query(
        `SELECT id, cip, platform_payment_id, expires_at FROM vouchers
         WHERE tenant_id = $1 AND status = 'pending' AND expires_at < $2 ORDER BY expires_at LIMIT 20`,
        [tenantId, deps.clock.now()],
      );
      const items = await listOpenAttentionItems(deps.db, tenantId);
      const alerts = await listMerchantAlerts(deps.ctx, tenantId);
      const exports = await deps.compliance.listDataRequests(tenantId);
      const dead = await deadLettersOf(deps.db, tenantId);

      const held = refunds.filter(
        (r) => r.status === "requested" && r.failure_code === "credit_note_missing",
      );
      const heldIds = new Set(held.map((r) => String(r.id)));
      const attention: AttentionEntry[] = [];
      for (const al of alerts) {
        // Shown below item by item, each with its own action: the alert only counts them.
        if (al.kind === "attention_item") continue;
        if (al.kind === "credit_note_missing" && heldIds.has(String(al.detail.refundId))) continue;
        // The dispatcher names the outbox message in the alert. Only a message still parked can
        // be retried; an alert raised from elsewhere (or already retried) can only be dismissed.
        const parked = al.kind === "dead_letter" ? dead.get(Number(al.detail.outboxId)) : undefined;
        const order = [parked?.cip && `CIP ${parked.cip}`, parked?.sessionId]
          .filter(Boolean)
          .join(" · ");
        const seen =
          al.occurrences > 1
            ? `${t.occurrences(al.occurrences)} · ${dateOf(al.lastSeenAt, L)}`
            : dateOf(al.lastSeenAt, L);
        attention.push({
          key: `alert-${al.id}`,
          tone: al.severity === "critical" ? "critical" : "warning",
          title: al.title[L],
          message: al.message[L],
          action: al.action[L],
          meta: order ? `${t.retryOrder(order)} · ${seen}` : seen,
          control: parked
            ? { kind: "retry", outboxId: parked.outboxId, alertId: al.id }
            : { kind: "dismiss", alertId: al.id },
        });
      }
      for (const it of items) {
        attention.push({
          key: `item-${it.id}`,
          tone: "critical",
          ...describeItem(it, t, L),
          control: { kind: "resolve", itemId: it.id },
        });
      }
      for (const v of late) {
        attention.push({
          key: `late-${v.id}`,
          tone: "info",
          title: t.late,
          message: t.lateText(String(v.cip)),
          action: t.lateAction,
          meta: `${t.expires}: ${dateOf(v.expires_at, L)} · ${v.platform_payment_id}`,
        });
      }
      for (const r of held) {
        attention.push({
          key: `held-${r.id}`,
          tone: "warning",
          title: t.heldRefundTitle,
          message: `${money(Number(r.amount_minor), String(r.currency))} · CIP ${r.cip ?? ""} · ${r.platform_refund_id}`,
          action: t.heldRefund,
          control: { kind: "creditNote", refundId: String(r.id) },
        });
      }

      const props: DashboardViewProps = {
        copy: t,
        locale: L,
        shop: a.shop.tenant.shopDomain,
        csrf: a.csrf,
        notices: dashboardNotice(req, t),
        attention,
        vouchers: vouchers.map((v): VoucherRow => ({
          id: String(v.id),
          cip: v.cip ? String(v.cip) : "",
          sessionId: String(v.platform_payment_id),
          status: String(v.status),
          amount: money(Number(v.amount_minor), String(v.currency)),
          created: dateOf(v.created_at, L),
          expires: dateOf(v.expires_at, L),
          paid: dateOf(v.paid_at, L),
          cancellable: CANCELLABLE.includes(String(v.status)),
        })),
        refunds: refunds.map((r): RefundRow => ({
          id: String(r.id),
          platformRefundId: String(r.platform_refund_id),
          cip: r.cip ? String(r.cip) : "",
          status: String(r.status),
          amount: money(Number(r.amount_minor), String(r.currency)),
          creditNote: r.credit_note_number ? String(r.credit_note_number) : "",
          failure:
            r.status === "failed"
              ? refundFailureText(
                  t,
                  {
                    failureCode: r.failure_code ? String(r.failure_code) : null,
                    failureReason: r.failure_reason ? String(r.failure_reason) : null,
                    paymentCurrency: String(r.payment_currency),
                    refusal: r.engine_refusal,
                  },
                  money,
                )
              : "",
        })),
        exports: exports.map((x) => ({
          id: x.id,
          receivedAt: dateOf(x.createdAt, L),
          customerId: x.customerId ?? "",
          voucherCount: x.voucherCount,
        })),
        filter: { q, status },
        otherLanguageHref: switchHref(req, L, "/dashboard"),
      };
      page(res, 200, L, t.dashboard, createElement(DashboardView, props));
    } catch (e) {
      next(e);
    }
  });

  router.post("/dashboard/refunds/:id/credit-note", form, async (req, res, next) => {
    const a = await authenticate(req, res).catch(next);
    if (!a || !csrfOk(req, res, a)) return;
    try {
      const number = String((req.body as Record<string, unknown>).credit_note_number ?? "").trim();
      await enterCreditNote(deps.ctx, {
        tenantId: a.shop.tenant.id,
        refundId: String(req.params.id),
        creditNoteNumber: number,
      });
      res.redirect(303, `/dashboard?lang=${a.locale}&notice=credit_note`);
    } catch (e) {
      if (!actionFailed(req, res, a, e)) next(e);
    }
  });

  async function cancellableVoucher(tenantId: string, id: string) {
    if (!UUID.test(id)) return null;
    const { rows } = await deps.db.query(
      `SELECT id, cip, status, amount_minor, currency, platform_payment_id, expires_at
       FROM vouchers WHERE id = $1 AND tenant_id = $2`,
      [id, tenantId],
    );
    return rows[0] ?? null;
  }

  router.get("/dashboard/vouchers/:id/cancel", async (req, res, next) => {
    try {
      const a = await authenticate(req, res);
      if (!a) return;
      const t = a.copy;
      const v = await cancellableVoucher(a.shop.tenant.id, String(req.params.id));
      if (!v) {
        message(req, res, 404, { locale: a.locale, title: t.dashboard, text: t.notFoundItem, a });
        return;
      }
      if (!CANCELLABLE.includes(String(v.status))) {
        message(req, res, 409, {
          locale: a.locale,
          title: t.dashboard,
          text: t.cancelNotPending,
          a,
        });
        return;
      }
      const cip = v.cip ? String(v.cip) : "—";
      page(
        res,
        200,
        a.locale,
        t.cancelTitle(cip),
        createElement(CancelVoucherView, {
          copy: t,
          locale: a.locale,
          shop: a.shop.tenant.shopDomain,
          csrf: a.csrf,
          voucher: {
            id: String(v.id),
            cip,
            sessionId: String(v.platform_payment_id),
            amount: money(Number(v.amount_minor), String(v.currency)),
            expires: dateOf(v.expires_at, a.locale),
          },
        }),
      );
    } catch (e) {
      next(e);
    }
  });

  router.post("/dashboard/vouchers/:id/cancel", form, async (req, res, next) => {
    const a = await authenticate(req, res).catch(next);
    if (!a || !csrfOk(req, res, a)) return;
    try {
      const tenantId = a.shop.tenant.id;
      const v = await cancellableVoucher(tenantId, String(req.params.id));
      if (!v) {
        message(req, res, 404, {
          locale: a.locale,
          title: a.copy.dashboard,
          text: a.copy.notFoundItem,
          a,
        });
        return;
      }
      const back = (notice: string) =>
        `/dashboard?lang=${a.locale}&notice=${notice}${v.cip ? `&cip=${encodeURIComponent(String(v.cip))}` : ""}`;
      if (!CANCELLABLE.includes(String(v.status))) {
        res.redirect(303, back("not_pending"));
        return;
      }
      // The deliverer rejects Shopify's payment session only for an admin cancellation (a
      // shopper who switched method keeps the session for Shopify's cancel_url).
      await recordCancelReason(deps.db, String(v.id), "admin_cancelled");
      const after = await engine().cancelVoucher({
        tenantId,
        voucherId: String(v.id),
        reason: "admin_cancelled",
      });
      deps.logger.info(
        { tenantId, voucherId: String(v.id), status: after.status },
        "merchant cancelled a voucher",
      );
      res.redirect(303, back(PAID.includes(after.status) ? "cancel_paid" : "cancelled"));
    } catch (e) {
      if (!actionFailed(req, res, a, e)) next(e);
    }
  });

  router.post("/dashboard/alerts/:id/dismiss", form, async (req, res, next) => {
    const a = await authenticate(req, res).catch(next);
    if (!a || !csrfOk(req, res, a)) return;
    try {
      const alertId = Number(req.params.id);
      if (!Number.isSafeInteger(alertId) || alertId <= 0) {
        message(req, res, 404, {
          locale: a.locale,
          title: a.copy.dashboard,
          text: a.copy.notFoundItem,
          a,
        });
        return;
      }
      await dismissMerchantAlert(deps.ctx, { tenantId: a.shop.tenant.id, alertId });
      deps.logger.info({ tenantId: a.shop.tenant.id, alertId }, "merchant dismissed an alert");
      res.redirect(303, `/dashboard?lang=${a.locale}&notice=dismissed`);
    } catch (e) {
      if (!actionFailed(req, res, a, e)) next(e);
    }
  });

  router.post("/dashboard/dead-letters/:id/retry", form, async (req, res, next) => {
    const a = await authenticate(req, res).catch(next);
    if (!a || !csrfOk(req, res, a)) return;
    try {
      const tenantId = a.shop.tenant.id;
      const outboxId = serialId(req.params.id);
      const outcome = outboxId
        ? await retryDeadLetter(deps.db, { tenantId, outboxId, at: deps.clock.now() })
        : ({ status: "not_found" } as const);
      if (outcome.status === "not_found") {
        notFound(req, res, a);
        return;
      }
      if (outcome.status === "not_dead") {
        res.redirect(303, `/dashboard?lang=${a.locale}&notice=retry_not_dead`);
        return;
      }
      deps.logger.info(
        { tenantId, outboxId, requeued: outcome.ids },
        "merchant retried a dead letter",
      );
      res.redirect(303, `/dashboard?lang=${a.locale}&notice=retried&n=${outcome.ids.length}`);
    } catch (e) {
      next(e);
    }
  });

  function notFound(req: Request, res: Response, a: Authed) {
    message(req, res, 404, {
      locale: a.locale,
      title: a.copy.dashboard,
      text: a.copy.notFoundItem,
      a,
    });
  }

  /** This shop's attention item named in the URL, or null after answering 404. */
  async function itemOf(req: Request, res: Response, a: Authed): Promise<AttentionRow | null> {
    const id = serialId(req.params.id);
    const item = id ? await findAttentionItem(deps.db, a.shop.tenant.id, id) : null;
    if (!item) notFound(req, res, a);
    return item;
  }

  function resolvePage(
    res: Response,
    status: number,
    a: Authed,
    item: AttentionRow,
    args: Pick<ResolveViewProps, "errors"> & { form: ResolutionForm },
  ) {
    const described = describeItem(item, a.copy, a.locale);
    page(
      res,
      status,
      a.locale,
      a.copy.resolveTitle(described.title),
      createElement(ResolveAttentionView, {
        copy: a.copy,
        locale: a.locale,
        shop: a.shop.tenant.shopDomain,
        csrf: a.csrf,
        item: { id: item.id, ...described },
        form: args.form,
        errors: args.errors,
        otherLanguageHref: `/dashboard/attention/${item.id}/resolve?lang=${otherLocale(a.locale)}`,
      }),
    );
  }

  router.get("/dashboard/attention/:id/resolve", async (req, res, next) => {
    try {
      const a = await authenticate(req, res);
      if (!a) return;
      const item = await itemOf(req, res, a);
      if (!item) return;
      if (item.resolvedAt) {
        message(req, res, 409, {
          locale: a.locale,
          title: a.copy.dashboard,
          text: a.copy.alreadyResolved,
          a,
        });
        return;
      }
      resolvePage(res, 200, a, item, { form: { resolution: "", note: "" }, errors: {} });
    } catch (e) {
      next(e);
    }
  });

  router.post("/dashboard/attention/:id/resolve", form, async (req, res, next) => {
    const a = await authenticate(req, res).catch(next);
    if (!a || !csrfOk(req, res, a)) return;
    try {
      const item = await itemOf(req, res, a);
      if (!item) return;
      const back = (notice: string) => `/dashboard?lang=${a.locale}&notice=${notice}`;
      if (item.resolvedAt) {
        res.redirect(303, back("already_resolved"));
        return;
      }
      const parsed = parseResolution(req.body as Record<string, unknown>);
      if (!parsed.ok) {
        resolvePage(res, 422, a, item, { form: parsed.form, errors: parsed.errors });
        return;
      }
      const tenantId = a.shop.tenant.id;
      const outcome = await resolveItem(deps.db, {
        tenantId,
        itemId: item.id,
        action: parsed.action,
        note: parsed.note,
        at: deps.clock.now(),
      });
      if (outcome === "not_found") {
        notFound(req, res, a);
        return;
      }
      // The note is the merchant's free text: it stays out of the log.
      deps.logger.info(
        { tenantId, itemId: item.id, kind: item.kind, action: parsed.action, outcome },
        "merchant resolved an attention item",
      );
      res.redirect(303, back(outcome === "resolved" ? "resolved" : "already_resolved"));
    } catch (e) {
      next(e);
    }
  });

  router.get("/dashboard/data-requests/:id/export", async (req, res, next) => {
    try {
      const a = await authenticate(req, res);
      if (!a) return;
      const tenantId = a.shop.tenant.id;
      const found = (await deps.compliance.listDataRequests(tenantId)).find(
        (x) => x.id === String(req.params.id),
      );
      if (!found) {
        message(req, res, 404, {
          locale: a.locale,
          title: a.copy.dashboard,
          text: a.copy.notFoundItem,
          a,
        });
        return;
      }
      const name = `pagoefectivo-data-request-${(found.dataRequestId ?? found.id).replace(/[^\w-]/g, "")}.json`;
      // A reference only: the export itself is the shopper's personal data.
      deps.logger.info({ tenantId, exportId: found.id }, "customer data export downloaded");
      res
        .status(200)
        .set({
          "Content-Type": "application/json; charset=utf-8",
          "Content-Disposition": `attachment; filename="${name}"`,
          "Cache-Control": "no-store",
          "X-Content-Type-Options": "nosniff",
        })
        .send(
          JSON.stringify(
            {
              shop: a.shop.tenant.shopDomain,
              dataRequestId: found.dataRequestId,
              customerId: found.customerId,
              receivedAt: found.createdAt,
              voucherCount: found.voucherCount,
              data: found.export,
            },
            null,
            2,
          ),
        );
    } catch (e) {
      next(e);
    }
  });

  // ---------- session ----------

  router.post("/logout", form, async (req, res, next) => {
    try {
      const locale = localeOf(req);
      const t = COPY[locale];
      const local = liveSession(req);
      // A cookie already logged out elsewhere changes nothing (a copy of it must not be able to
      // move the shop's instant forward and sign out the sessions issued since).
      const session =
        local && !isLoggedOut(local, await logouts.notBefore(local.shop)) ? local : null;
      // With a live session the form must prove it came from our page (no logout by a third-party
      // site); without one there is nothing to protect and the cookie is cleared all the same.
      const body = req.body as Record<string, unknown> | undefined;
      if (session && !isCsrfValid(session, body?._csrf, secret)) {
        message(req, res, 403, { locale, title: t.badCsrf, text: t.badCsrf });
        return;
      }
      res.clearCookie(SESSION_COOKIE, {
        httpOnly: true,
        secure: deps.config.appUrl.startsWith("https://"),
        sameSite: "lax",
        path: "/",
      });
      if (session) {
        revoked.revoke(session, deps.clock.now());
        // Every session of the shop issued until now, on every instance (see MerchantSessionStore).
        await logouts.logOut(session.shop, issuedAt(session));
        deps.logger.info({ shop: session.shop }, "merchant logged out");
      }
      message(req, res, 200, { locale, title: t.loggedOut, text: t.loggedOutText });
    } catch (e) {
      next(e);
    }
  });

  if (deps.capturedMail) {
    const captured = deps.capturedMail;
    router.get("/dev/mail", (_req, res) => {
      const mails = captured()
        .slice()
        .reverse()
        .map((m) => ({ id: m.id, to: m.to, subject: m.subject, at: dateOf(m.at, "es") }));
      page(
        res,
        200,
        "es",
        "Correos capturados",
        createElement(CapturedMailView, { copy: COPY.es, mails }),
      );
    });
    router.get("/dev/mail/:id", (req, res) => {
      const m = captured().find((x) => String(x.id) === req.params.id);
      if (!m) {
        res.status(404).send("not found");
        return;
      }
      res
        .status(200)
        .set({
          "Content-Type": "text/html; charset=utf-8",
          "Content-Security-Policy":
            "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'",
          "Cache-Control": "no-store",
        })
        .send(m.html);
    });
  }

  return router;
}
