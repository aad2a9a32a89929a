import { AppError } from "@pe-pay/core";

/** The shop is not installed or was uninstalled: Shopify should not retry, nothing was stored. */
export class UnknownShopError extends AppError {
  readonly code = "unknown_shop";
  readonly retryable = false;
  readonly httpStatus = 404;
  constructor() {
    super("This shop has not installed the PagoEfectivo app or it is inactive", {
      merchantMessage: "Instala o reactiva la app PagoEfectivo en tu tienda.",
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
