import express, { type Request, type Response, type Router } from "express";
import { isAppError, type Clock } from "@pe-pay/core";
import { getSettings, getTenant, getVoucher, type Database } from "@pe-pay/engine";
import {
  buildVoucherViewModel,
  channelGroupsOf,
  createNonce,
  findShownVoucher,
  renderVoucherPage,
  renderVoucherStatusJson,
  securityHeaders,
  type VoucherDisplayStatus,
} from "@pe-pay/voucher";
import type { PaymentEngine, VoucherView } from "../engine-ports";

export interface VoucherPageDeps {
  engine: Pick<PaymentEngine, "getVoucherByPublicToken">;
  db: Database;
  /** The store's home URL (no secrets needed to render a voucher). */
  tenants: { storeUrlOf(storeId: string): Promise<string | null> };
  clock: Clock;
  publicUrl: () => string;
}

/**
 * The shopper's hosted voucher page (`GET /voucher/:token`) and its polling endpoint. "Return to
 * the store" goes to the order-received URL the plugin sent (same host as the store only),
 * else to the store's home. "Choose another payment method" is not offered: the order is
 * on-hold, and WooCommerce only lets a shopper pay a pending/failed order again, so the link
 * would lead to a dead end.
 */
export function voucherPageRouter(deps: VoucherPageDeps): Router {
  const router = express.Router();

  const load = (token: string) =>
    findShownVoucher(token, (t) => deps.engine.getVoucherByPublicToken(t));

  function notFound(res: Response) {
    const nonce = createNonce();
    res
      .status(404)
      .set(securityHeaders(nonce))
      .send(
        `<!doctype html><html lang="es"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Código no encontrado</title></head><body><h1>No encontramos este código de pago</h1><p>Revise el enlace de su correo o vuelva a la tienda.</p></body></html>`,
      );
  }

  /** What the voucher alone says: enough for the status poll, the base of the page. */
  function voucherFields(voucher: VoucherView, display: VoucherDisplayStatus, token: string) {
    return {
      orderReference: `#${voucher.platformReference}`,
      amount: voucher.amount,
      cip: voucher.cip!,
      expiresAt: voucher.expiresAt,
      status: display,
      statusUrl: `/voucher/${token}/status`,
      voucherUrl: `${deps.publicUrl()}/voucher/${token}`,
    };
  }

  async function viewModel(voucher: VoucherView, display: VoucherDisplayStatus, token: string) {
    const [tenant, settings, record, storeUrl] = await Promise.all([
      getTenant(deps.db, voucher.tenantId),
      getSettings(deps.db, voucher.tenantId).catch(() => null),
      getVoucher(deps.db, voucher.id),
      deps.tenants.storeUrlOf(voucher.tenantId),
    ]);
    const store = storeUrl ? { storeUrl } : null;
    const groups = channelGroupsOf(settings?.enabledChannels ?? []);
    return {
      store,
      vm: buildVoucherViewModel(
        {
          ...voucherFields(voucher, display, token),
          merchantName: tenant?.displayName ?? hostOf(store?.storeUrl) ?? "Tienda",
          ...(voucher.cipUrl ? { cipUrl: voucher.cipUrl } : {}),
          ...(record?.shopperFirstName ? { shopperFirstName: record.shopperFirstName } : {}),
          ...(groups.length ? { enabledChannelGroups: groups } : {}),
          ...returnUrl(voucher, store?.storeUrl),
        },
        { clock: deps.clock },
      ),
    };
  }

  router.get("/voucher/:token", async (req: Request, res: Response, next) => {
    try {
      const token = String(req.params.token);
      const found = await load(token);
      if (!found) return notFound(res);
      const { vm, store } = await viewModel(found.voucher, found.display, token);
      const nonce = createNonce();
      // The plugin may show the page in an iframe on the thank-you page: allow the store only.
      const origin = originOf(store?.storeUrl);
      res
        .status(200)
        .set(
          securityHeaders(
            nonce,
            origin?.startsWith("https://") ? { frameAncestors: [origin] } : {},
          ),
        )
        .send(renderVoucherPage(vm, { nonce }));
    } catch (error) {
      next(error);
    }
  });

  router.get("/voucher/:token/status", async (req: Request, res: Response, next) => {
    try {
      const token = String(req.params.token);
      const found = await load(token);
      if (!found) {
        res.status(404).set("Cache-Control", "no-store").json({ status: "not_found" });
        return;
      }
      // An open voucher page polls this every 15 s: its answer (status and deadline) comes from
      // the voucher alone, through the same view-model rules, without the page's four reads.
      const vm = buildVoucherViewModel(
        { ...voucherFields(found.voucher, found.display, token), merchantName: "-" },
        { clock: deps.clock },
      );
      const answer = renderVoucherStatusJson(vm);
      res.status(answer.status).set(answer.headers).send(answer.body);
    } catch (error) {
      if (isAppError(error) && error.httpStatus < 500) {
        res.status(404).json({ status: "not_found" });
        return;
      }
      next(error);
    }
  });

  return router;
}

function hostOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).host : undefined;
  } catch {
    return undefined;
  }
}

function originOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The URL the plugin sent (the order's thank-you or My Account page) when it is on the store's
 * own host — the same origin, or https on a store whose home URL WordPress still reports as
 * http — else the store's home: the voucher page must not become an open redirect.
 */
export function returnUrl(
  voucher: Pick<VoucherView, "platformData">,
  storeUrl: string | undefined,
): { returnUrl?: string } {
  let store: URL;
  try {
    store = new URL(storeUrl ?? "");
  } catch {
    return {};
  }
  const wanted = voucher.platformData.returnUrl;
  if (typeof wanted === "string") {
    try {
      const url = new URL(wanted);
      const sameOrigin = url.origin === store.origin;
      const upgraded =
        store.protocol === "http:" &&
        url.protocol === "https:" &&
        url.hostname === store.hostname &&
        (store.port === "" || store.port === "80") &&
        url.port === "";
      if (sameOrigin || upgraded) return { returnUrl: url.toString() };
    } catch {
      // Not a URL: the store's home below.
    }
  }
  return { returnUrl: storeUrl! };
}
