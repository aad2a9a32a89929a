import { AppError, type LocalizedMessage } from "@pe-pay/core";

/** The shop is not installed or was uninstalled: Shopify should not retry, nothing was stored. */
export class UnknownShopError extends AppError {
  readonly code = "unknown_shop";
  readonly retryable = false;
  readonly httpStatus = 404;
  constructor() {
    super("This shop has not installed the PagoEfectivo app or it is inactive", {
      merchantMessage: "Instale o reactive la app PagoEfectivo en su tienda.",
    });
  }
}

/** Capture/void on a sale-only payment method. */
export class UnsupportedOperationError extends AppError {
  readonly code = "unsupported_operation";
  readonly retryable = false;
  readonly httpStatus = 422;
}

/** The request did not come through an authenticated channel (mTLS / trusted proxy). */
export class TransportAuthError extends AppError {
  readonly code = "client_certificate_required";
  readonly retryable = false;
  readonly httpStatus = 403;
}

/**
 * Shopify refused the stored refresh token (expired, revoked, or the app lost the shop): only the
 * merchant can fix it by opening the app from Shopify admin, which runs OAuth again.
 */
export class RefreshTokenRejectedError extends AppError {
  readonly code = "refresh_token_rejected";
  readonly retryable = false;
  readonly httpStatus = 502;
}

const REAUTHORIZE: LocalizedMessage = {
  es: "Shopify ya no acepta la autorización de la app PagoEfectivo en esta tienda. Abre la app desde el admin de Shopify para volver a autorizarla; los pagos y reembolsos pendientes se actualizarán después.",
  en: "Shopify no longer accepts the PagoEfectivo app's authorization for this store. Open the app from Shopify admin to authorize it again; pending payments and refunds are updated afterwards.",
};

/**
 * The shop's offline token can no longer be refreshed. Retryable on purpose: Shopify callbacks
 * waiting in the outbox are kept (and sent once the merchant re-authorises) instead of being
 * dead-lettered, and no call reaches Shopify meanwhile.
 */
export class ShopReauthorizationRequiredError extends AppError {
  readonly code = "shop_reauthorization_required";
  readonly retryable = true;
  readonly httpStatus = 503;
  readonly messages = REAUTHORIZE;
  constructor(shopDomain: string) {
    super(`shop ${shopDomain} must re-authorise the app (refresh token refused)`, {
      merchantMessage: REAUTHORIZE.es,
    });
  }
}
