import { createNonce } from "@pe-pay/voucher";
import {
  describeAttention,
  formatDecimal,
  isAppError,
  type AttentionKind,
  type Clock,
} from "@pe-pay/core";
import {
  enterCreditNote,
  getSettings,
  listMerchantAlerts,
  listOpenAttentionItems,
  updateSettings,
  type CreditNotePolicy,
  type Database,
  type EngineContext,
  type PeCredentials,
  type PeEnvironment,
} from "@pe-pay/engine";
import express, { type Request, type Response, type Router } from "express";
import { shopifyOrigin, type ShopifyConfig } from "../config/env";
import type { PaymentsAppsClient } from "../graphql/client";
import type { CapturedMail } from "../mail/transport";
import type { Logger } from "../ports";
import type { DbShopStore, PeCredentialSets, ShopifyShop } from "../storage/shop-store";
import type { CredentialCheck } from "@pe-pay/core";
import { banner, esc, layout, merchantPageHeaders, type UiLocale } from "./html";
import { csrfToken, isCsrfValid, readSession, type MerchantSession } from "./session";

export const CHANNELS = ["online_banking", "agents"] as const;

export interface MerchantRoutesDeps {
  config: Pick<ShopifyConfig, "apiKey" | "apiSecret" | "apiOrigin" | "appUrl">;
  db: Database;
  ctx: EngineContext;
  shops: DbShopStore;
  compliance: { listDataRequests(tenantId: string): Promise<Array<{ id: string }>> };
  graphql: PaymentsAppsClient;
  clock: Clock;
  logger: Logger;
  /** PagoEfectivo environments this deployment can reach. */
  environments: PeEnvironment[];
  checkCredentials(input: PeCredentials & { environment: PeEnvironment }): Promise<CredentialCheck>;
  /** Local mail capture, shown at /dev/mail; null in production. */
  capturedMail: (() => CapturedMail[]) | null;
  maxVoucherHours: number;
}

interface Authed {
  session: MerchantSession;
  shop: ShopifyShop;
  locale: UiLocale;
}

function localeOf(req: Request): UiLocale {
  const q = req.query.lang ?? (req.body as Record<string, unknown> | undefined)?.lang;
  if (q === "en" || q === "es") return q;
  return /^en\b/i.test(req.headers["accept-language"] ?? "") ? "en" : "es";
}

const T = {
  es: {
    settings: "Configuración de PagoEfectivo",
    credentials: "Credenciales de PagoEfectivo",
    credentialsHelp:
      "Las encuentras en el portal de PagoEfectivo. Deja la clave secreta vacía para conservar la guardada.",
    sandbox: "Sandbox (pruebas)",
    production: "Producción",
    idService: "ID de servicio",
    accessKey: "Access key",
    secretKey: "Secret key",
    active: "Entorno activo",
    activeHelp:
      "Los pedidos de prueba de Shopify (test) solo se aceptan con el entorno sandbox: nunca se emite un CIP real para un pedido de prueba.",
    validity: "Vigencia del código CIP (horas)",
    validityHelp: (max: number) =>
      `Entre 1 y ${max} horas: Shopify cancela los pagos pendientes a las ~72 horas.`,
    channels: "Canales de pago habilitados",
    online_banking: "Banca por internet y apps",
    agents: "Agentes y bodegas",
    creditNote: "Notas de crédito para reembolsos (SUNAT)",
    manual: "Manual: cada reembolso espera a que ingreses el número",
    series: "Serie automática: se asigna el siguiente número",
    seriesLabel: "Serie (p. ej. F001)",
    nextNumber: "Siguiente número",
    check: "Probar conexión",
    save: "Guardar y activar",
    ok: "Conexión exitosa",
    saved: "Configuración guardada.",
    notConfigured: "Aún no has configurado tus credenciales de PagoEfectivo.",
    configureFailed: "Guardamos la configuración, pero Shopify no aceptó la activación:",
    invalid: "Revisa los campos marcados:",
    dashboard: "Panel de PagoEfectivo",
    vouchers: "Códigos CIP",
    refunds: "Reembolsos",
    attention: "Requiere tu atención",
    nothing: "Nada pendiente.",
    search: "Buscar por CIP o ID de sesión de pago",
    status: "Estado",
    all: "Todos",
    filter: "Filtrar",
    cip: "CIP",
    session: "Sesión de pago",
    amount: "Monto",
    created: "Creado",
    expires: "Vence",
    paid: "Pagado",
    refundId: "Reembolso",
    creditNoteNumber: "Nota de crédito",
    enter: "Registrar",
    whatToDo: "Qué hacer",
    heldRefund:
      "Este reembolso espera el número de nota de crédito SUNAT. Ingrésalo para enviarlo a PagoEfectivo.",
    late: "Pago tardío",
    lateText:
      "El código sigue pendiente después de su vencimiento: estamos confirmando con PagoEfectivo. Si el comprador pagó, el pedido se marcará como pagado; si no, se anulará.",
    exports: "Solicitudes de datos de clientes guardadas",
    notFound: "Sesión no válida",
    openFromAdmin:
      "Abre la app desde el admin de Shopify (Apps → PagoEfectivo) para iniciar sesión.",
    badCsrf: "El formulario venció. Vuelve a cargar la página.",
    notificationUrl: "URL de notificación",
    notificationUrlHelp:
      "Pégala en el portal de PagoEfectivo (configuración del servicio) para que te avise de cada pago al instante.",
  },
  en: {
    settings: "PagoEfectivo settings",
    credentials: "PagoEfectivo credentials",
    credentialsHelp:
      "Find them in the PagoEfectivo portal. Leave the secret key empty to keep the stored one.",
    sandbox: "Sandbox (testing)",
    production: "Production",
    idService: "Service ID",
    accessKey: "Access key",
    secretKey: "Secret key",
    active: "Active environment",
    activeHelp:
      "Shopify test orders are only accepted in the sandbox environment: a real CIP is never issued for a test order.",
    validity: "CIP validity (hours)",
    validityHelp: (max: number) =>
      `Between 1 and ${max} hours: Shopify cancels pending payments after ~72 hours.`,
    channels: "Enabled payment channels",
    online_banking: "Online banking and apps",
    agents: "Agents and corner shops",
    creditNote: "Credit notes for refunds (SUNAT)",
    manual: "Manual: each refund waits for you to enter the number",
    series: "Automatic series: the next number is assigned",
    seriesLabel: "Series (e.g. F001)",
    nextNumber: "Next number",
    check: "Test connection",
    save: "Save and activate",
    ok: "Connection successful",
    saved: "Settings saved.",
    notConfigured: "You have not configured your PagoEfectivo credentials yet.",
    configureFailed: "Settings were saved, but Shopify did not accept the activation:",
    invalid: "Check the highlighted fields:",
    dashboard: "PagoEfectivo dashboard",
    vouchers: "CIP codes",
    refunds: "Refunds",
    attention: "Needs your attention",
    nothing: "Nothing pending.",
    search: "Search by CIP or payment session ID",
    status: "Status",
    all: "All",
    filter: "Filter",
    cip: "CIP",
    session: "Payment session",
    amount: "Amount",
    created: "Created",
    expires: "Expires",
    paid: "Paid",
    refundId: "Refund",
    creditNoteNumber: "Credit note",
    enter: "Record",
    whatToDo: "What to do",
    heldRefund:
      "This refund is waiting for its SUNAT credit-note number. Enter it to send the refund to PagoEfectivo.",
    late: "Late payment",
    lateText:
      "The code is still pending after its expiry: we are checking with PagoEfectivo. If the shopper paid, the order is marked paid; otherwise it is cancelled.",
    exports: "Stored customer data requests",
    notFound: "Invalid session",
    openFromAdmin: "Open the app from the Shopify admin (Apps → PagoEfectivo) to sign in.",
    badCsrf: "The form expired. Reload the page.",
    notificationUrl: "Notification URL",
    notificationUrlHelp:
      "Paste it in the PagoEfectivo portal (service settings) so every payment is reported at once.",
  },
} as const;

const money = (minor: number, currency: string) =>
  `${currency === "USD" ? "US$" : "S/"} ${formatDecimal(minor)}`;
const dt = (d: unknown) =>
  d instanceof Date ? d.toISOString().slice(0, 16).replace("T", " ") : "";

/** Where PagoEfectivo sends this shop's payment notifications (the merchant pastes it in its portal). */
export function notificationUrlOf(appUrl: string, notificationToken: string): string {
  return `${appUrl}/notifications/pagoefectivo/${encodeURIComponent(notificationToken)}`;
}

/** Settings page and dashboard, behind the merchant session cookie and CSRF tokens. */
export function merchantRouter(deps: MerchantRoutesDeps): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: "32kb" });
  const secret = deps.config.apiSecret;

  function send(res: Response, status: number, build: (nonce: string) => string) {
    const nonce = createNonce();
    res.status(status).set(merchantPageHeaders(nonce)).send(build(nonce));
  }

  async function authenticate(req: Request, res: Response): Promise<Authed | null> {
    const locale = localeOf(req);
    const session = readSession(req, secret, deps.clock.now());
    const shop = session ? await deps.shops.getShop(session.shop) : null;
    if (!session || !shop || shop.tenant.status !== "active") {
      const t = T[locale];
      send(res, 401, (nonce) =>
        layout({
          title: t.notFound,
          locale,
          nonce,
          body: `<div class="card"><h1>${esc(t.notFound)}</h1><p>${esc(t.openFromAdmin)}</p></div>`,
        }),
      );
      return null;
    }
    return { session, shop, locale };
  }

  function csrfOk(req: Request, res: Response, a: Authed): boolean {
    const body = req.body as Record<string, unknown>;
    if (isCsrfValid(a.session, body?._csrf, secret)) return true;
    res.status(403).type("text/plain").send(T[a.locale].badCsrf);
    return false;
  }

  // ---------- settings ----------

  interface SettingsForm {
    environment: PeEnvironment;
    sets: Record<PeEnvironment, { idService: string; accessKey: string; secretKey: string }>;
    validityHours: string;
    channels: string[];
    creditNotePolicy: string;
    creditNoteSeries: string;
    creditNoteNextNumber: string;
  }

  async function currentForm(tenantId: string, stored: PeCredentialSets): Promise<SettingsForm> {
    const s = await getSettings(deps.db, tenantId);
    const set = (e: PeEnvironment) => ({
      idService: stored[e] ? String(stored[e]!.idService) : "",
      accessKey: stored[e]?.accessKey ?? "",
      secretKey: "",
    });
    const tenant = await deps.shops.getShop(
      (await deps.db.query("SELECT shop_domain FROM tenants WHERE id = $1", [tenantId])).rows[0]!
        .shop_domain as string,
    );
    return {
      environment: tenant?.tenant.environment ?? "sandbox",
      sets: { sandbox: set("sandbox"), production: set("production") },
      validityHours: String(s.validityHours),
      channels: s.enabledChannels,
      creditNotePolicy: s.creditNotePolicy,
      creditNoteSeries: s.creditNoteSeries ?? "",
      creditNoteNextNumber: String(s.creditNoteNextNumber),
    };
  }

  function settingsPage(
    a: Authed,
    f: SettingsForm,
    notices: string,
    stored: PeCredentialSets,
    nonce: string,
  ): string {
    const t = T[a.locale];
    const csrf = csrfToken(a.session, secret);
    const envBlock = (e: PeEnvironment) => {
      const v = f.sets[e];
      const has = stored[e] ? " ✓" : "";
      return (
        `<div><h2>${esc(t[e])}${has}</h2>` +
        `<label for="${e}_id_service">${esc(t.idService)}</label><input type="text" inputmode="numeric" id="${e}_id_service" name="${e}_id_service" value="${esc(v.idService)}">` +
        `<label for="${e}_access_key">${esc(t.accessKey)}</label><input type="text" id="${e}_access_key" name="${e}_access_key" autocomplete="off" value="${esc(v.accessKey)}">` +
        `<label for="${e}_secret_key">${esc(t.secretKey)}</label><input type="password" id="${e}_secret_key" name="${e}_secret_key" autocomplete="new-password" value="">` +
        `</div>`
      );
    };
    const radio = (name: string, value: string, label: string, checked: boolean) =>
      `<label class="check"><input type="radio" name="${name}" value="${esc(value)}"${checked ? " checked" : ""}> ${esc(label)}</label>`;
    const body =
      `<h1>${esc(t.settings)}</h1>${notices}` +
      `<form method="post" action="/settings">` +
      `<input type="hidden" name="_csrf" value="${esc(csrf)}"><input type="hidden" name="lang" value="${a.locale}">` +
      `<div class="card"><h2>${esc(t.credentials)}</h2><p class="help">${esc(t.credentialsHelp)}</p>` +
      `<div class="grid">${deps.environments.map(envBlock).join("")}</div>` +
      `<h2 style="margin-top:16px">${esc(t.active)}</h2>` +
      deps.environments.map((e) => radio("environment", e, t[e], f.environment === e)).join("") +
      `<p class="help">${esc(t.activeHelp)}</p>` +
      `<h2 style="margin-top:16px">${esc(t.notificationUrl)}</h2>` +
      `<p><code class="url" id="notification_url">${esc(notificationUrlOf(deps.config.appUrl, a.shop.tenant.notificationToken))}</code></p>` +
      `<p class="help">${esc(t.notificationUrlHelp)}</p></div>` +
      `<div class="card"><label for="validity_hours">${esc(t.validity)}</label>` +
      `<input type="number" id="validity_hours" name="validity_hours" min="1" max="${deps.maxVoucherHours}" value="${esc(f.validityHours)}">` +
      `<p class="help">${esc(t.validityHelp(deps.maxVoucherHours))}</p>` +
      `<h2>${esc(t.channels)}</h2>` +
      CHANNELS.map(
        (c) =>
          `<label class="check"><input type="checkbox" name="channels" value="${c}"${f.channels.includes(c) ? " checked" : ""}> ${esc(t[c])}</label>`,
      ).join("") +
      `</div><div class="card"><h2>${esc(t.creditNote)}</h2>` +
      radio("credit_note_policy", "manual", t.manual, f.creditNotePolicy === "manual") +
      radio("credit_note_policy", "series", t.series, f.creditNotePolicy === "series") +
      `<div class="grid"><div><label for="credit_note_series">${esc(t.seriesLabel)}</label><input type="text" id="credit_note_series" name="credit_note_series" value="${esc(f.creditNoteSeries)}"></div>` +
      `<div><label for="credit_note_next_number">${esc(t.nextNumber)}</label><input type="number" id="credit_note_next_number" name="credit_note_next_number" min="1" value="${esc(f.creditNoteNextNumber)}"></div></div></div>` +
      `<div class="actions"><button class="btn secondary" type="submit" name="action" value="check">${esc(t.check)}</button>` +
      `<button class="btn" type="submit" name="action" value="save">${esc(t.save)}</button></div></form>`;
    return layout({
      title: t.settings,
      locale: a.locale,
      nonce,
      shop: a.shop.tenant.shopDomain,
      active: "settings",
      body,
    });
  }

  router.get("/settings", async (req, res, next) => {
    try {
      const a = await authenticate(req, res);
      if (!a) return;
      const stored = await deps.shops.peCredentialSets(a.shop.tenant.id);
      const f = await currentForm(a.shop.tenant.id, stored);
      const t = T[a.locale];
      const notice = !a.shop.tenant.hasPeCredentials
        ? banner("info", esc(t.notConfigured))
        : req.query.saved
          ? banner("success", esc(t.saved))
          : "";
      send(res, 200, (nonce) => settingsPage(a, f, notice, stored, nonce));
    } catch (e) {
      next(e);
    }
  });

  router.post("/settings", form, async (req, res, next) => {
    try {
      const a = await authenticate(req, res);
      if (!a || !csrfOk(req, res, a)) return;
      const t = T[a.locale];
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
      const problems: string[] = [];
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
          problems.push(`${t[e]}: ${t.idService}, ${t.accessKey}, ${t.secretKey}`);
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
      if (!deps.environments.includes(f.environment)) problems.push(t.active);
      else if (!sets[f.environment]) problems.push(`${t.active}: ${t[f.environment]}`);
      const validity = Number(f.validityHours);
      if (!Number.isInteger(validity) || validity < 1 || validity > deps.maxVoucherHours) {
        problems.push(t.validityHelp(deps.maxVoucherHours));
      }
      const validChannels = channels.filter((c) => (CHANNELS as readonly string[]).includes(c));
      if (validChannels.length === 0 || validChannels.length !== channels.length) {
        problems.push(t.channels);
      }
      const policy = f.creditNotePolicy as CreditNotePolicy;
      if (policy !== "manual" && policy !== "series") problems.push(t.creditNote);
      if (policy === "series" && !/^[FB][A-Z0-9]{3}$/.test(f.creditNoteSeries)) {
        problems.push(t.seriesLabel);
      }
      const nextNumber = f.creditNoteNextNumber ? Number(f.creditNoteNextNumber) : undefined;
      if (nextNumber !== undefined && (!Number.isInteger(nextNumber) || nextNumber < 1)) {
        problems.push(t.nextNumber);
      }

      // Live check of every set that was typed (or all of them for "Probar conexión").
      const toCheck = action === "check" ? (Object.keys(sets) as PeEnvironment[]) : changed;
      const checks: string[] = [];
      let checkFailed = false;
      for (const e of toCheck) {
        const r = await deps.checkCredentials({ ...sets[e]!, environment: e });
        if (r.ok) checks.push(banner("success", `${esc(t[e])}: ${esc(t.ok)}`));
        else {
          checkFailed = true;
          checks.push(banner("critical", `${esc(t[e])}: ${esc(r.message)}`));
        }
      }
      const problemsBanner = problems.length
        ? banner(
            "critical",
            `${esc(t.invalid)}<ul>${problems.map((p) => `<li>${esc(p)}</li>`).join("")}</ul>`,
          )
        : "";
      if (action === "check" || problems.length > 0 || checkFailed) {
        const status = action === "check" && !checkFailed ? 200 : 422;
        send(res, status, (nonce) =>
          settingsPage(a, f, problemsBanner + checks.join(""), stored, nonce),
        );
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
        send(res, 502, (nonce) =>
          settingsPage(
            a,
            f,
            banner("warning", `${esc(t.configureFailed)} ${esc(configured.message)}`),
            sets,
            nonce,
          ),
        );
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

  router.get("/dashboard", async (req, res, next) => {
    try {
      const a = await authenticate(req, res);
      if (!a) return;
      const t = T[a.locale];
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
           r.failure_reason, r.credit_note_number, r.created_at, v.cip
         FROM refunds r JOIN vouchers v ON v.id = r.voucher_id
         WHERE r.tenant_id = $1 ORDER BY r.created_at DESC LIMIT 50`,
        [tenantId],
      );
      const { rows: late } = await deps.db.query(
        `SELECT id, cip, platform_payment_id, expires_at FROM vouchers
         WHERE tenant_id = $1 AND status = 'pending' AND expires_at < $2 ORDER BY expires_at LIMIT 20`,
        [tenantId, deps.clock.now()],
      );
      const attention = await listOpenAttentionItems(deps.db, tenantId);
      const alerts = await listMerchantAlerts(deps.ctx, tenantId);
      const exports = await deps.compliance.listDataRequests(tenantId);
      const csrf = csrfToken(a.session, secret);
      const L = a.locale;

      const items: string[] = [];
      for (const al of alerts) {
        items.push(
          `<tr><td><span class="badge ${al.severity}">${esc(al.title[L])}</span></td><td>${esc(al.message[L])}</td><td>${esc(al.action[L])}</td></tr>`,
        );
      }
      for (const it of attention) {
        const text = (ATTENTION_TEXT_KINDS as readonly string[]).includes(it.kind)
          ? describeAttention(it.kind as AttentionKind, L)
          : it.kind;
        items.push(
          `<tr><td><span class="badge critical">${esc(it.kind)}</span></td><td>${esc(text)}</td><td>${esc(attentionAction(it.kind, L))}</td></tr>`,
        );
      }
      for (const v of late) {
        items.push(
          `<tr><td><span class="badge pending">${esc(t.late)}</span></td><td>CIP <span class="mono">${esc(v.cip)}</span> · ${esc(v.platform_payment_id)}</td><td>${esc(t.lateText)}</td></tr>`,
        );
      }
      for (const r of refunds.filter(
        (r) => r.status === "requested" && r.failure_code === "credit_note_missing",
      )) {
        items.push(
          `<tr><td><span class="badge pending">${esc(t.refundId)}</span></td><td>${esc(t.heldRefund)} (${esc(r.platform_refund_id)})</td>` +
            `<td><form method="post" action="/dashboard/refunds/${esc(r.id)}/credit-note"><input type="hidden" name="_csrf" value="${esc(csrf)}"><input type="hidden" name="lang" value="${L}">` +
            `<input type="text" name="credit_note_number" placeholder="F001-00000001" required> <button class="btn" type="submit">${esc(t.enter)}</button></form></td></tr>`,
        );
      }

      const statusOptions = [
        "",
        "pending",
        "paid",
        "expired",
        "cancelled",
        "partially_refunded",
        "refunded",
        "created",
      ]
        .map(
          (s) =>
            `<option value="${s}"${s === status ? " selected" : ""}>${esc(s || t.all)}</option>`,
        )
        .join("");
      const body =
        `<h1>${esc(t.dashboard)}</h1>` +
        `<div class="card"><h2>${esc(t.attention)}</h2>` +
        (items.length
          ? `<table><thead><tr><th></th><th></th><th>${esc(t.whatToDo)}</th></tr></thead><tbody>${items.join("")}</tbody></table>`
          : `<p>${esc(t.nothing)}</p>`) +
        `</div><div class="card"><h2>${esc(t.vouchers)}</h2>` +
        `<form method="get" action="/dashboard" class="filters"><input type="hidden" name="lang" value="${L}">` +
        `<div><label for="q">${esc(t.search)}</label><input type="search" id="q" name="q" value="${esc(q)}"></div>` +
        `<div><label for="status">${esc(t.status)}</label><select id="status" name="status">${statusOptions}</select></div>` +
        `<button class="btn secondary" type="submit">${esc(t.filter)}</button></form>` +
        `<table><thead><tr><th>${esc(t.cip)}</th><th>${esc(t.session)}</th><th>${esc(t.status)}</th><th>${esc(t.amount)}</th><th>${esc(t.created)}</th><th>${esc(t.expires)}</th><th>${esc(t.paid)}</th></tr></thead><tbody>` +
        vouchers
          .map(
            (v) =>
              `<tr><td class="mono">${esc(v.cip ?? "—")}</td><td class="mono">${esc(v.platform_payment_id)}</td><td><span class="badge ${esc(v.status)}">${esc(v.status)}</span></td>` +
              `<td>${esc(money(Number(v.amount_minor), String(v.currency)))}</td><td>${dt(v.created_at)}</td><td>${dt(v.expires_at)}</td><td>${dt(v.paid_at)}</td></tr>`,
          )
          .join("") +
        `</tbody></table></div>` +
        `<div class="card"><h2>${esc(t.refunds)}</h2><table><thead><tr><th>${esc(t.refundId)}</th><th>${esc(t.cip)}</th><th>${esc(t.status)}</th><th>${esc(t.amount)}</th><th>${esc(t.creditNoteNumber)}</th><th></th></tr></thead><tbody>` +
        refunds
          .map(
            (r) =>
              `<tr><td class="mono">${esc(r.platform_refund_id)}</td><td class="mono">${esc(r.cip ?? "")}</td><td><span class="badge ${esc(r.status)}">${esc(r.status)}</span></td>` +
              `<td>${esc(money(Number(r.amount_minor), String(r.currency)))}</td><td class="mono">${esc(r.credit_note_number ?? "")}</td><td>${esc(r.status === "failed" ? (r.failure_reason ?? "") : "")}</td></tr>`,
          )
          .join("") +
        `</tbody></table></div>` +
        (exports.length
          ? `<div class="card"><h2>${esc(t.exports)}</h2><p>${exports.length}</p></div>`
          : "");
      send(res, 200, (nonce) =>
        layout({
          title: t.dashboard,
          locale: L,
          nonce,
          shop: a.shop.tenant.shopDomain,
          active: "dashboard",
          body,
        }),
      );
    } catch (e) {
      next(e);
    }
  });

  router.post("/dashboard/refunds/:id/credit-note", form, async (req, res, next) => {
    try {
      const a = await authenticate(req, res);
      if (!a || !csrfOk(req, res, a)) return;
      const number = String((req.body as Record<string, unknown>).credit_note_number ?? "").trim();
      await enterCreditNote(deps.ctx, {
        tenantId: a.shop.tenant.id,
        refundId: String(req.params.id),
        creditNoteNumber: number,
      });
      res.redirect(303, `/dashboard?lang=${a.locale}`);
    } catch (e) {
      if (isAppError(e) && e.httpStatus < 500) {
        res.status(e.httpStatus).type("text/plain").send(e.merchantMessage);
        return;
      }
      next(e);
    }
  });

  if (deps.capturedMail) {
    const captured = deps.capturedMail;
    router.get("/dev/mail", (_req, res) => {
      const list = captured()
        .slice()
        .reverse()
        .map(
          (m) =>
            `<tr><td>${m.id}</td><td>${esc(m.to)}</td><td><a href="/dev/mail/${m.id}">${esc(m.subject)}</a></td><td>${dt(m.at)}</td></tr>`,
        )
        .join("");
      send(res, 200, (nonce) =>
        layout({
          title: "Mail capture",
          locale: "es",
          nonce,
          body: `<div class="card"><h1>Correos capturados (local)</h1><table><tbody>${list}</tbody></table></div>`,
        }),
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

const ATTENTION_TEXT_KINDS = [
  "paid_after_expiry",
  "paid_after_cancellation",
  "paid_twice",
  "amount_mismatch",
] as const;

function attentionAction(kind: string, locale: UiLocale): string {
  const es: Record<string, string> = {
    paid_twice:
      "Devuelve el segundo pago desde el pedido en Shopify (Reembolsar) o contacta al comprador.",
    paid_after_expiry:
      "El pedido ya se había anulado: reactívalo y despáchalo, o devuelve el pago al comprador.",
    paid_after_cancellation:
      "El comprador pagó un código anulado: crea el pedido a mano o devuelve el pago.",
    amount_mismatch: "Compara el monto pagado con el pedido y devuelve o cobra la diferencia.",
  };
  const en: Record<string, string> = {
    paid_twice: "Refund the second payment from the Shopify order (Refund) or contact the shopper.",
    paid_after_expiry:
      "The order had been cancelled: reinstate and ship it, or refund the shopper.",
    paid_after_cancellation:
      "The shopper paid a cancelled code: create the order by hand or refund the payment.",
    amount_mismatch: "Compare the paid amount with the order and refund or collect the difference.",
  };
  return (locale === "en" ? en : es)[kind] ?? (locale === "en" ? "Review it." : "Revísalo.");
}
