import { randomBytes, timingSafeEqual } from "node:crypto";
import express, { type Request, type Response, type Router } from "express";
import { isAppError, type AppError, type Clock } from "@pe-pay/core";
import {
  dismissMerchantAlert,
  enterCreditNote,
  evaluateAlerts,
  getSettings,
  getTenant,
  listMerchantAlerts,
  listOpenAttentionItems,
  requeueDeadLetter,
  resolveAttentionItem,
  type EngineContext,
  type MerchantAlert,
  getTenantCredentials,
  setTenantCredentials,
  updateSettings,
  type CreditNotePolicy,
  type Database,
  type Keyring,
  type PeEnvironment,
} from "@pe-pay/engine";
import {
  PluginAuthError,
  pluginKeysOf,
  signPluginRequest,
  verifyPluginRequest,
  type PluginKeys,
} from "../plugin-auth";
import type { ReplayGuard, TenantStore } from "../ports";
import type { CredentialCheck } from "@pe-pay/core";
import { alertCopy } from "./alert-copy";

/**
 * The merchant's settings page on the bridge (Spanish): PagoEfectivo credentials (checked live
 * before anything is saved), CIP validity, payment channels and credit-note policy.
 *
 * Access: a signed login link, `GET /admin/v1/login?store=…&ts=…&nonce=…&sig=…`, where `sig` is
 * the plugin signature (same HMAC-SHA256 with the store's shared secret, same string to sign:
 * `ts\nGET\n/admin/v1/login?store=…&ts=…&nonce=…\n`). Only the plugin (which holds the secret)
 * and the bridge operator (`main.ts admin-link <storeId>`) can mint one; it is valid ±5 min and
 * once (the nonce goes through the replay guard). It opens a session: an encrypted, HttpOnly,
 * SameSite=Lax cookie scoped to /admin/v1, carrying the store id, an expiry and a CSRF token that
 * every form post must echo (and a foreign Origin is refused outright).
 */
export const ADMIN_BASE = "/admin/v1";
const COOKIE = "pe_admin";
const SESSION_AAD = "woo-admin-session:v1";

export interface AdminDeps {
  db: Database;
  keyring: Keyring;
  tenants: Pick<TenantStore, "getWooStore">;
  replayGuard: ReplayGuard;
  /** Preferred over `tenants` + `replayGuard` for the login link (see DbPluginKeys). */
  pluginKeys?: PluginKeys;
  clock: Clock;
  publicUrl: () => string;
  sessionMinutes: number;
  signatureToleranceSeconds?: number;
  /** Live check of PagoEfectivo credentials against the API of that environment. */
  checkCredentials(input: {
    environment: PeEnvironment;
    idService: number;
    accessKey: string;
    secretKey: string;
  }): Promise<CredentialCheck>;
  /** Environments whose API is configured. */
  environments: PeEnvironment[];
  /** Called after credentials changed (the engine caches them). */
  onCredentialsChanged?(storeId: string): void;
  /** The engine context: merchant alerts, credit notes, dead-letter retries. */
  ctx?: EngineContext;
  /** Deliver the outbox soon (after a dead letter was put back). */
  nudgeOutbox?(): void;
}

interface Session {
  storeId: string;
  exp: number;
  csrf: string;
}

/** The login link the plugin (or the operator) builds with the store's shared secret. */
export function adminLoginUrl(args: {
  publicUrl: string;
  storeId: string;
  pluginSecret: string;
  timestamp: number;
  nonce?: string;
}): string {
  const nonce = args.nonce ?? randomBytes(16).toString("hex");
  const path = `${ADMIN_BASE}/login?store=${encodeURIComponent(args.storeId)}&ts=${args.timestamp}&nonce=${nonce}`;
  const headers = signPluginRequest({
    storeId: args.storeId,
    secret: args.pluginSecret,
    method: "GET",
    path,
    body: "",
    timestamp: args.timestamp,
    nonce,
  });
  return `${args.publicUrl}${path}&sig=${headers["X-PE-Signature"]}`;
}

const esc = (s: unknown) =>
  String(s ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

const CHANNELS = [
  { id: "online_banking", label: "Banca por internet y móvil" },
  { id: "agents", label: "Agentes y bodegas" },
];

const PAGE_HEADERS = {
  "Content-Type": "text/html; charset=utf-8",
  "Content-Security-Policy":
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  "X-Frame-Options": "DENY",
  "Cache-Control": "no-store",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
};

export function adminRouter(deps: AdminDeps): Router {
  const router = express.Router();
  const secure = () => deps.publicUrl().startsWith("https://");

  function readSession(req: Request): Session | null {
    const raw = parseCookies(req.headers.cookie)[COOKIE];
    if (!raw) return null;
    try {
      const s = JSON.parse(
        deps.keyring.decrypt(Buffer.from(raw, "base64url"), SESSION_AAD).toString("utf8"),
      ) as Session;
      return s.exp > deps.clock.now().getTime() ? s : null;
    } catch {
      return null;
    }
  }

  function page(res: Response, status: number, title: string, body: string) {
    res
      .status(status)
      .set(PAGE_HEADERS)
      .send(
        `<!doctype html><html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${esc(title)}</title>` +
          `<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}label{display:block;margin:.8rem 0 .2rem;font-weight:600}input,select{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}fieldset{border:1px solid #ccc;margin:1rem 0;padding:.5rem 1rem}.ok{background:#e6f4ea;border:1px solid #0d6130;padding:.6rem}.err{background:#fdecea;border:1px solid #8a1c1c;padding:.6rem}.inline{display:inline;width:auto}.alert{border-left:4px solid #b26b00;background:#fff8e5;padding:.4rem .8rem;margin:.6rem 0}.alert.critical{border-color:#8a1c1c;background:#fdecea}.alert p{margin:.3rem 0}.alert form{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}.alert form input{width:auto}.alert button{margin-top:0}.meta{color:#555;font-size:.9em}button{font:inherit;padding:.5rem 1.2rem;margin-top:1rem}code{word-break:break-all}</style></head><body>${body}</body></html>`,
      );
  }

  router.get(`${ADMIN_BASE}/login`, async (req, res, next) => {
    try {
      const q = req.query;
      const sig = typeof q.sig === "string" ? q.sig : "";
      // The signed target is the URL without its trailing `&sig=…`.
      const target = req.originalUrl.replace(/&sig=[^&]*$/, "");
      const { storeId } = await verifyPluginRequest(
        {
          keys:
            deps.pluginKeys ??
            pluginKeysOf(
              async (id) => (await deps.tenants.getWooStore(id))?.pluginSecret ?? null,
              deps.replayGuard,
            ),
          clock: deps.clock,
          toleranceSeconds: deps.signatureToleranceSeconds,
        },
        {
          method: "GET",
          path: target,
          rawBody: Buffer.alloc(0),
          headers: {
            "x-pe-store": typeof q.store === "string" ? q.store : undefined,
            "x-pe-timestamp": typeof q.ts === "string" ? q.ts : undefined,
            "x-pe-nonce": typeof q.nonce === "string" ? q.nonce : undefined,
            "x-pe-signature": sig,
          },
        },
      );
      const session: Session = {
        storeId,
        exp: deps.clock.now().getTime() + deps.sessionMinutes * 60_000,
        csrf: randomBytes(18).toString("base64url"),
      };
      const value = deps.keyring
        .encrypt(JSON.stringify(session), SESSION_AAD)
        .toString("base64url");
      res.cookie(COOKIE, value, {
        httpOnly: true,
        secure: secure(),
        sameSite: "lax",
        path: ADMIN_BASE,
        maxAge: deps.sessionMinutes * 60_000,
      });
      res.redirect(303, `${ADMIN_BASE}/settings`);
    } catch (error) {
      if (error instanceof PluginAuthError) {
        page(
          res,
          401,
          "Enlace no válido",
          `<h1>Enlace no válido o vencido</h1><p>Abra de nuevo la configuración de PagoEfectivo desde el administrador de WooCommerce.</p>`,
        );
        return;
      }
      next(error);
    }
  });

  async function renderSettings(
    res: Response,
    session: Session,
    opts: { status?: number; message?: { ok: boolean; text: string }; values?: FormValues } = {},
  ) {
    const [tenant, settings, creds, store, alerts] = await Promise.all([
      getTenant(deps.db, session.storeId),
      getSettings(deps.db, session.storeId),
      getTenantCredentials(deps.db, deps.keyring, session.storeId),
      deps.tenants.getWooStore(session.storeId),
      deps.ctx ? listMerchantAlerts(deps.ctx, session.storeId) : Promise.resolve([]),
    ]);
    const pe = creds.pagoEfectivo;
    const v: FormValues = opts.values ?? {
      environment: tenant?.environment ?? "sandbox",
      idService: pe ? String(pe.idService) : "",
      accessKey: pe?.accessKey ?? "",
      validityHours: String(settings.validityHours),
      channels: settings.enabledChannels,
      creditNotePolicy: settings.creditNotePolicy,
      creditNoteSeries: settings.creditNoteSeries ?? "",
      creditNoteNextNumber: String(settings.creditNoteNextNumber),
    };
    const notificationUrl = `${deps.publicUrl()}/notifications/pagoefectivo/${tenant?.notificationToken ?? ""}`;
    const msg = opts.message
      ? `<p class="${opts.message.ok ? "ok" : "err"}" role="status">${esc(opts.message.text)}</p>`
      : "";
    const envOptions = deps.environments
      .map(
        (e) =>
          `<option value="${e}"${v.environment === e ? " selected" : ""}>${e === "sandbox" ? "Pruebas (sandbox)" : "Producción"}</option>`,
      )
      .join("");
    const channelBoxes = CHANNELS.map(
      (c) =>
        `<label class="inline"><input class="inline" type="checkbox" name="channels" value="${c.id}"${v.channels.includes(c.id) ? " checked" : ""}> ${esc(c.label)}</label><br>`,
    ).join("");
    page(
      res,
      opts.status ?? 200,
      "PagoEfectivo — configuración",
      `<h1>PagoEfectivo</h1><p>Tienda: <strong>${esc(store?.storeUrl ?? tenant?.shopDomain)}</strong></p>${msg}` +
        (deps.ctx ? alertsSection(alerts, session.csrf) : "") +
        `<form method="post" action="${ADMIN_BASE}/settings">` +
        `<input type="hidden" name="csrf" value="${esc(session.csrf)}">` +
        `<fieldset><legend>Credenciales de PagoEfectivo</legend>` +
        `<label for="environment">Ambiente</label><select id="environment" name="environment">${envOptions}</select>` +
        `<label for="id_service">ID de servicio</label><input id="id_service" name="id_service" inputmode="numeric" value="${esc(v.idService)}" required>` +
        `<label for="access_key">Access key</label><input id="access_key" name="access_key" autocomplete="off" value="${esc(v.accessKey)}" required>` +
        `<label for="secret_key">Secret key</label><input id="secret_key" name="secret_key" type="password" autocomplete="new-password" placeholder="${pe ? "(sin cambios)" : ""}"${pe ? "" : " required"}>` +
        `<p>URL de notificación para el portal de PagoEfectivo:<br><code>${esc(notificationUrl)}</code></p></fieldset>` +
        `<fieldset><legend>Códigos de pago</legend>` +
        `<label for="validity_hours">Vigencia del CIP (horas)</label><input id="validity_hours" name="validity_hours" type="number" min="1" max="720" value="${esc(v.validityHours)}" required>` +
        `<p><strong>Canales de pago</strong></p>${channelBoxes}</fieldset>` +
        `<fieldset><legend>Notas de crédito (reembolsos)</legend>` +
        `<label for="credit_note_policy">Política</label><select id="credit_note_policy" name="credit_note_policy">` +
        `<option value="manual"${v.creditNotePolicy === "manual" ? " selected" : ""}>Ingresar cada número manualmente</option>` +
        `<option value="series"${v.creditNotePolicy === "series" ? " selected" : ""}>Numerar automáticamente con una serie</option></select>` +
        `<label for="credit_note_series">Serie (p. ej. F001)</label><input id="credit_note_series" name="credit_note_series" value="${esc(v.creditNoteSeries)}" maxlength="4">` +
        `<label for="credit_note_next_number">Siguiente número</label><input id="credit_note_next_number" name="credit_note_next_number" type="number" min="1" value="${esc(v.creditNoteNextNumber)}">` +
        `</fieldset><button type="submit">Probar conexión y guardar</button></form>` +
        `<form method="post" action="${ADMIN_BASE}/logout"><input type="hidden" name="csrf" value="${esc(session.csrf)}"><button type="submit">Cerrar sesión</button></form>`,
    );
  }

  router.get(`${ADMIN_BASE}/settings`, async (req, res, next) => {
    try {
      const session = readSession(req);
      if (!session) return expired(res);
      // The scheduled evaluation runs every few minutes; the merchant sees the current state.
      if (deps.ctx) await evaluateAlerts(deps.ctx, session.storeId);
      await renderSettings(res, session);
    } catch (error) {
      next(error);
    }
  });

  const form = express.urlencoded({ extended: false, limit: "16kb", parameterLimit: 30 });

  router.post(`${ADMIN_BASE}/settings`, form, async (req, res, next) => {
    try {
      const session = checkPost(req);
      if (!session) return forbidden(res);
      const body = req.body as Record<string, unknown>;
      const values = formValues(body);
      const errors = validate(values, deps.environments);
      if (errors.length) {
        await renderSettings(res, session, {
          status: 400,
          values,
          message: { ok: false, text: errors.join(" ") },
        });
        return;
      }
      const existing = (await getTenantCredentials(deps.db, deps.keyring, session.storeId))
        .pagoEfectivo;
      const secretKey = str(body.secret_key) || existing?.secretKey || "";
      if (!secretKey) {
        await renderSettings(res, session, {
          status: 400,
          values,
          message: { ok: false, text: "Ingrese la secret key." },
        });
        return;
      }
      const environment = values.environment as PeEnvironment;
      const peCredentials = {
        idService: Number(values.idService),
        accessKey: values.accessKey,
        secretKey,
      };
      const check = await deps.checkCredentials({ environment, ...peCredentials });
      if (!check.ok) {
        // Nothing is saved when PagoEfectivo refuses: a half-configured store is worse.
        await renderSettings(res, session, {
          status: 400,
          values,
          message: { ok: false, text: check.message },
        });
        return;
      }
      try {
        await deps.db.transaction(async (tx) => {
          await setTenantCredentials(tx, deps.keyring, session.storeId, {
            peCredentials,
            environment,
          });
          await updateSettings(tx, session.storeId, {
            validityHours: Number(values.validityHours),
            enabledChannels: values.channels,
            creditNotePolicy: values.creditNotePolicy as CreditNotePolicy,
            creditNoteSeries: values.creditNoteSeries || null,
            creditNoteNextNumber: Number(values.creditNoteNextNumber || "1"),
          });
        });
      } catch (error) {
        if (isAppError(error) && error.httpStatus < 500) {
          await renderSettings(res, session, {
            status: 400,
            values,
            message: { ok: false, text: `No se guardó: ${error.message}` },
          });
          return;
        }
        throw error;
      }
      deps.onCredentialsChanged?.(session.storeId);
      await renderSettings(res, session, {
        message: { ok: true, text: "Conexión exitosa. Configuración guardada." },
      });
    } catch (error) {
      next(error);
    }
  });

  router.post(`${ADMIN_BASE}/alerts/:id`, form, async (req, res, next) => {
    try {
      const session = checkPost(req);
      if (!session) return forbidden(res);
      const ctx = deps.ctx;
      const id = Number(req.params.id);
      const alert = ctx
        ? (await listMerchantAlerts(ctx, session.storeId)).find((a) => a.id === id)
        : undefined;
      if (!ctx || !alert) {
        await renderSettings(res, session, {
          status: 404,
          message: { ok: false, text: "Ese aviso ya no está pendiente." },
        });
        return;
      }
      const body = req.body as Record<string, unknown>;
      let text: string;
      try {
        text = await actOnAlert(ctx, session.storeId, alert, str(body.credit_note_number));
      } catch (error) {
        if (isAppError(error) && error.httpStatus < 500) {
          await renderSettings(res, session, {
            status: 400,
            message: { ok: false, text: alertErrorText(error) },
          });
          return;
        }
        throw error;
      }
      if (alert.kind === "dead_letter") deps.nudgeOutbox?.();
      await evaluateAlerts(ctx, session.storeId);
      await renderSettings(res, session, { message: { ok: true, text } });
    } catch (error) {
      next(error);
    }
  });

  router.post(`${ADMIN_BASE}/logout`, form, (req, res) => {
    if (!checkPost(req)) return forbidden(res);
    res.clearCookie(COOKIE, { path: ADMIN_BASE });
    page(res, 200, "Sesión cerrada", "<h1>Sesión cerrada</h1>");
  });

  function checkPost(req: Request): Session | null {
    const origin = req.headers.origin;
    if (origin && origin !== new URL(deps.publicUrl()).origin) return null;
    const session = readSession(req);
    const given = str((req.body as Record<string, unknown> | undefined)?.csrf);
    if (!session || !given) return null;
    const a = Buffer.from(given);
    const b = Buffer.from(session.csrf);
    return a.length === b.length && timingSafeEqual(a, b) ? session : null;
  }

  function expired(res: Response) {
    page(
      res,
      401,
      "Sesión vencida",
      `<h1>Sesión vencida</h1><p>Abra de nuevo la configuración de PagoEfectivo desde el administrador de WooCommerce.</p>`,
    );
  }

  function forbidden(res: Response) {
    page(res, 403, "Solicitud rechazada", `<h1>Solicitud rechazada</h1><p>Recargue la página.</p>`);
  }

  return router;
}

interface FormValues {
  environment: string;
  idService: string;
  accessKey: string;
  validityHours: string;
  channels: string[];
  creditNotePolicy: string;
  creditNoteSeries: string;
  creditNoteNextNumber: string;
}

const str = (v: unknown) => (typeof v === "string" ? v.trim() : "");

function formValues(body: Record<string, unknown>): FormValues {
  const channels = Array.isArray(body.channels) ? body.channels : [body.channels];
  return {
    environment: str(body.environment),
    idService: str(body.id_service),
    accessKey: str(body.access_key),
    validityHours: str(body.validity_hours),
    channels: channels.map(str).filter((c) => CHANNELS.some((k) => k.id === c)),
    creditNotePolicy: str(body.credit_note_policy),
    creditNoteSeries: str(body.credit_note_series).toUpperCase(),
    creditNoteNextNumber: str(body.credit_note_next_number),
  };
}

function validate(v: FormValues, environments: PeEnvironment[]): string[] {
  const errors: string[] = [];
  if (!environments.includes(v.environment as PeEnvironment))
    errors.push("Elija un ambiente válido.");
  if (!/^\d{1,10}$/.test(v.idService) || Number(v.idService) < 1)
    errors.push("El ID de servicio debe ser un número.");
  if (!/^[A-Za-z0-9]{8,64}$/.test(v.accessKey))
    errors.push("La access key solo admite letras y números.");
  const hours = Number(v.validityHours);
  if (!Number.isInteger(hours) || hours < 1 || hours > 720)
    errors.push("La vigencia debe estar entre 1 y 720 horas.");
  if (v.channels.length === 0) errors.push("Elija al menos un canal de pago.");
  if (v.creditNotePolicy !== "manual" && v.creditNotePolicy !== "series")
    errors.push("Elija una política de notas de crédito.");
  if (v.creditNotePolicy === "series" && !/^[FB][A-Z0-9]{3}$/.test(v.creditNoteSeries))
    errors.push('La serie debe tener el formato SUNAT, p. ej. "F001".');
  if (v.creditNoteNextNumber && !/^\d{1,8}$/.test(v.creditNoteNextNumber))
    errors.push("El siguiente número debe ser un entero.");
  return errors;
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

const LIMA_TIME = new Intl.DateTimeFormat("es-PE", {
  timeZone: "America/Lima",
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});

/** The open alerts, each with the one thing the merchant can do about it here. */
function alertsSection(alerts: MerchantAlert[], csrf: string): string {
  const items = alerts.map((a) => {
    const copy = alertCopy(a);
    const seen =
      a.occurrences > 1
        ? `Visto ${a.occurrences} veces; la última, el ${LIMA_TIME.format(a.lastSeenAt)} (hora de Lima).`
        : `El ${LIMA_TIME.format(a.lastSeenAt)} (hora de Lima).`;
    const control =
      a.kind === "credit_note_missing"
        ? `<label for="cn-${a.id}" class="inline">Nota de crédito</label><input id="cn-${a.id}" name="credit_note_number" placeholder="F001-00000123" maxlength="13" required><button type="submit">Enviar el reembolso</button>`
        : `<button type="submit">${a.kind === "dead_letter" ? "Reintentar" : a.kind === "attention_item" ? "Marcar como resuelto" : "Descartar"}</button>`;
    return (
      `<div class="alert ${a.severity}" role="${a.severity === "critical" ? "alert" : "status"}">` +
      `<p><strong>${esc(copy.title)}</strong></p><p>${esc(copy.message)}</p><p>${esc(copy.action)}</p>` +
      `<p class="meta">${esc(seen)}</p>` +
      `<form method="post" action="${ADMIN_BASE}/alerts/${a.id}"><input type="hidden" name="csrf" value="${esc(csrf)}">${control}</form></div>`
    );
  });
  return (
    `<section aria-labelledby="avisos"><h2 id="avisos">Avisos</h2>` +
    (items.length ? items.join("") : "<p>No hay avisos pendientes.</p>") +
    `</section>`
  );
}

/** Does what the alert's button says; returns the confirmation shown to the merchant. */
async function actOnAlert(
  ctx: EngineContext,
  storeId: string,
  alert: MerchantAlert,
  creditNoteNumber: string,
): Promise<string> {
  const now = ctx.clock.now();
  switch (alert.kind) {
    case "credit_note_missing": {
      const refundId = typeof alert.detail.refundId === "string" ? alert.detail.refundId : "";
      await enterCreditNote(ctx, { tenantId: storeId, refundId, creditNoteNumber });
      return "Nota de crédito registrada: el reembolso se envió a PagoEfectivo.";
    }
    case "dead_letter": {
      // The alert is this store's (listed for its tenant), so its outbox row is too.
      const outboxId = Number(alert.detail.outboxId);
      await requeueDeadLetter(ctx.db, outboxId, now);
      await dismissMerchantAlert(ctx, { tenantId: storeId, alertId: alert.id });
      return "La actualización se volverá a enviar a WooCommerce en unos segundos.";
    }
    case "attention_item": {
      const kind = typeof alert.detail.attentionKind === "string" ? alert.detail.attentionKind : "";
      for (const item of await listOpenAttentionItems(ctx.db, storeId)) {
        if (item.kind === kind)
          await resolveAttentionItem(ctx.db, item.id, { at: now, resolution: "merchant_resolved" });
      }
      await dismissMerchantAlert(ctx, { tenantId: storeId, alertId: alert.id });
      return "Marcado como resuelto.";
    }
    default:
      await dismissMerchantAlert(ctx, { tenantId: storeId, alertId: alert.id });
      return "Aviso descartado.";
  }
}

/**
 * The engine's refusals (credit-note format, number already used, refund no longer waiting) carry
 * a Spanish merchant message; one left at its default is the English technical message.
 */
function alertErrorText(error: AppError): string {
  if (error.merchantMessage && error.merchantMessage !== error.message)
    return error.merchantMessage;
  return "No se pudo completar la acción; recargue la página e inténtelo de nuevo.";
}
