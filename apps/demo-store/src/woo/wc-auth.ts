import { randomBytes } from "node:crypto";
import express, { type Request, type Response, type Router } from "express";
import type { DemoContext } from "../context";
import { html, page } from "../html";
import { postRaw } from "../outbound";
import { phpJsonEncode } from "../php-json";
import { ADMIN_USER_ID, hex, type WooApiKey } from "./state";

/**
 * App authorization (class-wc-auth.php): `GET /woo/wc-auth/v1/authorize?app_name&scope&user_id&
 * return_url&callback_url` → grant page ("Aprobar"/"Denegar") → keys created for the approving
 * user (the demo admin, id 1) → compact JSON POSTed to callback_url, which must answer exactly
 * 200 (otherwise the key is deleted and an error page shown) → redirect to
 * `return_url?success=1&user_id=…`. Errors are HTML pages with HTTP 401, as in WooCommerce.
 *
 * Deviation: WooCommerce requires an https callback_url and refuses loopback hosts; the demo also
 * accepts http for 127.0.0.1/localhost/::1 so the local bridge can connect.
 */
const SCOPES = ["read", "write", "read_write"] as const;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

interface PendingGrant {
  appName: string;
  scope: (typeof SCOPES)[number];
  userId: string;
  returnUrl: string;
  callbackUrl: string;
}

function normalizeUrl(value: string): URL | null {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
  try {
    const u = new URL(withScheme);
    return u.protocol === "http:" || u.protocol === "https:" ? u : null;
  } catch {
    return null;
  }
}

export function createWcAuthRouter(ctx: DemoContext): Router {
  const router = express.Router();
  const grants = new Map<string, PendingGrant>();
  const fail = (res: Response, message: string) =>
    res
      .status(401)
      .type("html")
      .send(
        page(
          { title: "Error de autorización", section: "woo" },
          html`<div class="error" role="alert">${message}</div>`,
        ),
      );

  router.get("/woo/wc-auth/v1/authorize", (req: Request, res: Response) => {
    const q = req.query as Record<string, unknown>;
    for (const k of ["app_name", "scope", "user_id", "return_url", "callback_url"]) {
      if (typeof q[k] !== "string" || q[k] === "") return fail(res, `Falta el parámetro ${k}.`);
    }
    const scope = q.scope as string;
    if (!(SCOPES as readonly string[]).includes(scope))
      return fail(res, "Alcance (scope) no válido.");
    const returnUrl = normalizeUrl(q.return_url as string);
    const callbackUrl = normalizeUrl(q.callback_url as string);
    if (!returnUrl) return fail(res, "La URL return_url no es válida.");
    if (!callbackUrl) return fail(res, "La URL callback_url no es válida.");
    if (callbackUrl.protocol !== "https:" && !LOOPBACK.has(callbackUrl.hostname)) {
      return fail(res, "La URL callback_url debe usar SSL (https://).");
    }
    const nonce = randomBytes(16).toString("hex");
    grants.set(nonce, {
      appName: q.app_name as string,
      scope: scope as PendingGrant["scope"],
      userId: q.user_id as string,
      returnUrl: returnUrl.toString(),
      callbackUrl: callbackUrl.toString(),
    });
    const permission =
      scope === "read" ? "Leer" : scope === "write" ? "Escribir" : "Leer y escribir";
    res.type("html").send(
      page(
        { title: "Autorizar aplicación", section: "woo" },
        html`<div class="card">
          <p>
            <strong>${q.app_name as string}</strong> quiere acceder a la tienda como el usuario
            <strong>admin</strong>.
          </p>
          <p>
            Permiso solicitado: <strong>${permission}</strong> (pedidos, reembolsos, notas y
            webhooks).
          </p>
          <form method="post" action="/woo/wc-auth/v1/access_granted">
            <input type="hidden" name="nonce" value="${nonce}" />
            <button type="submit">Aprobar</button>
          </form>
          <form method="post" action="/woo/wc-auth/v1/denied">
            <input type="hidden" name="nonce" value="${nonce}" />
            <button type="submit" class="secondary">Denegar</button>
          </form>
        </div>`,
      ),
    );
  });

  const form = express.urlencoded({ extended: false, limit: "8kb" });
  const take = (req: Request) => {
    const nonce = typeof req.body?.nonce === "string" ? req.body.nonce : "";
    const grant = grants.get(nonce);
    grants.delete(nonce);
    return grant;
  };

  router.post("/woo/wc-auth/v1/denied", form, (req: Request, res: Response) => {
    const grant = take(req);
    if (!grant) return fail(res, "La solicitud de autorización venció o ya se usó.");
    const back = new URL(grant.returnUrl);
    back.searchParams.set("success", "0");
    back.searchParams.set("user_id", grant.userId);
    res.redirect(302, back.toString());
  });

  router.post("/woo/wc-auth/v1/access_granted", form, async (req: Request, res: Response) => {
    const grant = take(req);
    if (!grant) return fail(res, "La solicitud de autorización venció o ya se usó.");
    const key: WooApiKey = {
      keyId: ctx.woo.keyId(),
      userId: ADMIN_USER_ID,
      description: `${grant.appName} - API (${ctx.clock.now().toISOString().slice(0, 16).replace("T", " ")})`,
      permissions: grant.scope,
      consumerKey: `ck_${hex(20)}`,
      consumerSecret: `cs_${hex(20)}`,
      nonces: new Map(),
    };
    ctx.woo.keys.set(key.keyId, key);
    const r = await postRaw(ctx.fetch, grant.callbackUrl, {
      headers: { "Content-Type": "application/json;charset=UTF-8" },
      body: phpJsonEncode({
        key_id: key.keyId,
        user_id: grant.userId,
        consumer_key: key.consumerKey,
        consumer_secret: key.consumerSecret,
        key_permissions: key.permissions,
      }),
      timeoutMs: Math.max(ctx.settings.outboundTimeoutMs, 60_000),
    });
    if (r.status !== 200) {
      ctx.woo.keys.delete(key.keyId);
      ctx.log(
        `woo: wc-auth callback answered ${r.status || r.networkError}; key ${key.keyId} deleted`,
      );
      return fail(
        res,
        `Ocurrió un error en la solicitud y no se pudieron enviar los datos de la clave a ${grant.appName}: la URL de retorno respondió ${r.networkError ? `con un error de red (${r.networkError})` : `HTTP ${r.status}`} en lugar de 200. La clave se eliminó.`,
      );
    }
    const back = new URL(grant.returnUrl);
    back.searchParams.set("success", "1");
    back.searchParams.set("user_id", grant.userId);
    res.redirect(302, back.toString());
  });
  return router;
}
