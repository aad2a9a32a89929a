import { isAppError, type Clock } from "@pe-pay/core";
import {
  getSettings,
  getTenant,
  getVoucher,
  type Database,
  type PaymentEngine,
} from "@pe-pay/engine";
import {
  buildVoucherViewModel,
  channelGroupsOf,
  createNonce,
  findShownVoucher,
  renderVoucherPage,
  renderVoucherStatusJson,
  securityHeaders,
  type VoucherDisplayStatus,
  type VoucherViewModel,
} from "@pe-pay/voucher";
import express, { type Request, type Response, type Router } from "express";
import type { VoucherView } from "../engine-ports";
import type { Logger } from "../ports";
import { recordCancelReason } from "../storage/voucher-notes";

const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);

export interface VoucherPageDeps {
  engine: Pick<PaymentEngine, "getVoucherByPublicToken" | "cancelVoucher">;
  db: Database;
  clock: Clock;
  appUrl: string;
  logger: Logger;
}

/** What the view model shows beyond the voucher view: the shop, its channels, the shopper. */
export interface ShopifyVoucherFacts {
  shopDomain: string | null;
  displayName: string | null;
  enabledChannels: string[] | null;
  shopperFirstName: string | null;
}

const NO_FACTS: ShopifyVoucherFacts = {
  shopDomain: null,
  displayName: null,
  enabledChannels: null,
  shopperFirstName: null,
};

/** The shopper's page and e-mail share one view model. */
async function shopifyVoucherViewModel(
  deps: Pick<VoucherPageDeps, "db" | "clock" | "appUrl">,
  voucher: VoucherView,
  display: VoucherDisplayStatus,
): Promise<VoucherViewModel> {
  const [tenant, settings, record] = await Promise.all([
    getTenant(deps.db, voucher.tenantId),
    getSettings(deps.db, voucher.tenantId).catch(() => null),
    getVoucher(deps.db, voucher.id),
  ]);
  return buildShopifyVoucherViewModel(deps, voucher, display, {
    shopDomain: tenant?.shopDomain ?? null,
    displayName: tenant?.displayName ?? null,
    enabledChannels: settings?.enabledChannels ?? null,
    shopperFirstName: record?.shopperFirstName ?? null,
  });
}

/** The view model from facts already read (the e-mail reads them with its claim). */
export function buildShopifyVoucherViewModel(
  deps: Pick<VoucherPageDeps, "clock" | "appUrl">,
  voucher: VoucherView,
  display: VoucherDisplayStatus,
  facts: ShopifyVoucherFacts,
): VoucherViewModel {
  const pd = voucher.platformData;
  const groups = channelGroupsOf(facts.enabledChannels ?? []);
  const shop = facts.shopDomain ?? "";
  const token = voucher.publicToken;
  const sessionId = voucher.platformReference.split("/").pop() ?? voucher.platformReference;
  const returnUrl = str(pd.redirectUrl);
  const cancelUrl = str(pd.cancelUrl);
  const locale = /^en\b/i.test(str(pd.customerLocale) ?? "") ? "en" : "es";
  return buildVoucherViewModel(
    {
      // `||`: an empty name (no shop row any more) would fail the view model's validation.
      merchantName: facts.displayName || shop.replace(/\.myshopify\.com$/, "") || "Tienda",
      // Shopify numbers the order only after paymentSessionPending; the session id is what the
      // merchant can search for in the app's dashboard.
      orderReference: `#${sessionId.slice(-8)}`,
      amount: voucher.amount,
      cip: voucher.cip!,
      ...(voucher.cipUrl ? { cipUrl: voucher.cipUrl } : {}),
      expiresAt: voucher.expiresAt,
      status: display,
      ...(facts.shopperFirstName ? { shopperFirstName: facts.shopperFirstName } : {}),
      ...(groups.length ? { enabledChannelGroups: groups } : {}),
      ...(returnUrl ? { returnUrl } : {}),
      ...(cancelUrl && display === "pending"
        ? { chooseAnotherMethodUrl: `/voucher/${token}/switch` }
        : {}),
      statusUrl: `/voucher/${token}/status`,
      voucherUrl: `${deps.appUrl}/voucher/${token}`,
    },
    { clock: deps.clock, locale },
  );
}

function originOf(url: string | undefined): string | null {
  try {
    return url ? new URL(url).origin : null;
  } catch {
    return null;
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * `GET /voucher/:token` (the redirect_url given to Shopify), its status JSON for the page's
 * polling, and "choose another payment method": a confirmation page whose POST deletes the CIP
 * (engine.cancelVoucher, reason shopper_switched — the session is NOT rejected, so the shopper
 * can pick another method) and sends the shopper to Shopify's cancel_url. A POST, not a link,
 * so no link prefetcher can cancel a voucher.
 */
export function voucherPageRouter(deps: VoucherPageDeps): Router {
  const router = express.Router();

  const load = (token: string) =>
    findShownVoucher(token, (t) => deps.engine.getVoucherByPublicToken(t));

  function notFound(res: Response) {
    res
      .status(404)
      .set(securityHeaders(createNonce()))
      .send(
        `<!doctype html><html lang="es"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Código no encontrado</title></head><body><h1>No encontramos este código de pago</h1><p>Revisa el enlace de tu correo o vuelve a la tienda.</p></body></html>`,
      );
  }

  router.get("/voucher/:token", async (req: Request, res: Response, next) => {
    try {
      const found = await load(String(req.params.token));
      if (!found) return notFound(res);
      const vm = await shopifyVoucherViewModel(deps, found.voucher, found.display);
      const nonce = createNonce();
      res.status(200).set(securityHeaders(nonce)).send(renderVoucherPage(vm, { nonce }));
    } catch (error) {
      next(error);
    }
  });

  router.get("/voucher/:token/status", async (req: Request, res: Response, next) => {
    try {
      const found = await load(String(req.params.token));
      if (!found) {
        res.status(404).set("Cache-Control", "no-store").json({ status: "not_found" });
        return;
      }
      // The answer is the effective status and the deadline only, both from the voucher row: the
      // shop, its channels and the shopper's name would be three more reads on every poll of
      // every open page, for nothing the answer carries.
      const vm = buildShopifyVoucherViewModel(deps, found.voucher, found.display, NO_FACTS);
      const answer = renderVoucherStatusJson(vm);
      res.status(answer.status).set(answer.headers).send(answer.body);
    } catch (error) {
      next(error);
    }
  });

  const switchPage = (cancelOrigin: string, body: string, nonce: string) => ({
    headers: {
      ...securityHeaders(nonce),
      // The form posts here and is then redirected to Shopify's cancel_url.
      "Content-Security-Policy": `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self' ${cancelOrigin}; base-uri 'none'; frame-ancestors 'none'`,
    },
    html:
      `<!doctype html><html lang="es"><head><meta charset="utf-8"><meta name="robots" content="noindex">` +
      `<meta name="viewport" content="width=device-width,initial-scale=1"><title>Elegir otro medio de pago</title>` +
      `<style nonce="${nonce}">body{font-family:-apple-system,Segoe UI,Roboto,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#202223}button,a{font-size:1rem;padding:.6rem 1rem;border-radius:.5rem;margin-right:.5rem}button{background:#008060;color:#fff;border:0;cursor:pointer}a{color:#202223;border:1px solid #8c9196;text-decoration:none;display:inline-block}</style>` +
      `</head><body>${body}</body></html>`,
  });

  router.get("/voucher/:token/switch", async (req: Request, res: Response, next) => {
    try {
      const token = String(req.params.token);
      const found = await load(token);
      const cancelUrl = str(found?.voucher.platformData.cancelUrl);
      const origin = originOf(cancelUrl);
      if (!found || !origin) return notFound(res);
      const nonce = createNonce();
      const back = `/voucher/${escapeHtml(token)}`;
      const body =
        found.display === "pending"
          ? `<h1>¿Elegir otro medio de pago?</h1><p>Tu código CIP <strong>${escapeHtml(found.voucher.cip!)}</strong> se anulará y no podrás pagarlo. Volverás al checkout de la tienda para elegir otro medio de pago.</p>` +
            `<form method="post" action="/voucher/${escapeHtml(token)}/switch"><button type="submit">Sí, elegir otro medio</button><a href="${back}">Volver a mi código</a></form>`
          : `<h1>Este código ya no está pendiente</h1><p><a href="${back}">Ver el código</a></p>`;
      const page = switchPage(origin, body, nonce);
      res.status(200).set(page.headers).send(page.html);
    } catch (error) {
      next(error);
    }
  });

  router.post("/voucher/:token/switch", async (req: Request, res: Response, next) => {
    try {
      const token = String(req.params.token);
      const found = await load(token);
      const cancelUrl = str(found?.voucher.platformData.cancelUrl);
      if (!found || !cancelUrl || !originOf(cancelUrl)) return notFound(res);
      const { voucher } = found;
      if (voucher.status === "pending" || voucher.status === "created") {
        await recordCancelReason(deps.db, voucher.id, "shopper_switched");
        const after = await deps.engine.cancelVoucher({
          tenantId: voucher.tenantId,
          voucherId: voucher.id,
          reason: "shopper_switched",
        });
        if (after.status === "paid") {
          // Paid at the last moment: the order is good, show the paid voucher instead.
          res.redirect(303, `/voucher/${token}`);
          return;
        }
        deps.logger.info({ voucherId: voucher.id }, "shopper switched payment method");
      }
      res.redirect(303, cancelUrl);
    } catch (error) {
      if (isAppError(error) && error.httpStatus === 409) {
        res.redirect(303, `/voucher/${String(req.params.token)}`);
        return;
      }
      next(error);
    }
  });

  return router;
}
