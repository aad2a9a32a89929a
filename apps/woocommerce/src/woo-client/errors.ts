import { AppError } from "@pe-pay/core";

/**
 * WooCommerce REST errors, classified on the envelope `code` and the status — never on `message`,
 * which is localized to the store language.
 *
 * The envelope is `{code, message, data}`. WordPress uses `data.status` as the HTTP status when
 * `data` is an object; when `data` is a bare number (refund routes) the HTTP status is 500 and the
 * number is the status WooCommerce meant ("data":404 = not found, "data":500 = rejected amount).
 * So an HTTP 500 that carries a WooCommerce envelope is usually a permanent answer, not an outage.
 */
export type WooErrorKind =
  | "not_found" // order / refund / route object does not exist
  | "unauthorized" // keys revoked, wrong scope, user lacks capability, TLS not seen by WordPress
  | "invalid_request" // 400 rest_invalid_param and friends
  | "rejected" // WooCommerce refused the operation (e.g. refund amount above the balance)
  | "unavailable" // network error, timeout, 429, 5xx without a WooCommerce envelope
  | "unexpected"; // anything else: a response we cannot read

export interface WooErrorEnvelope {
  code: string;
  message: string;
  /** `data.status`, or the bare number in `data`; undefined if neither. */
  dataStatus: number | undefined;
  params?: Record<string, string>;
}

const NOT_FOUND_CODES = new Set([
  "woocommerce_rest_shop_order_invalid_id",
  "woocommerce_rest_order_invalid_id",
  "woocommerce_rest_invalid_order_refund_id",
  "woocommerce_rest_shop_order_refund_invalid_id",
  "woocommerce_rest_webhook_invalid_id",
]);

export class WooApiError extends AppError {
  readonly code: string;
  readonly retryable: boolean;
  readonly httpStatus: number;

  constructor(
    readonly kind: WooErrorKind,
    /** The HTTP status WooCommerce answered with (0 for a network failure). */
    readonly responseStatus: number,
    readonly envelope: WooErrorEnvelope | undefined,
    operation: string,
    cause?: unknown,
  ) {
    super(
      `WooCommerce ${operation} failed: ${kind}` +
        (envelope ? ` (${envelope.code}, HTTP ${responseStatus})` : ` (HTTP ${responseStatus})`),
      { cause, merchantMessage: merchantMessageFor(kind, envelope) },
    );
    this.code = `woo_${kind}`;
    this.retryable = kind === "unavailable";
    this.httpStatus = kind === "unavailable" ? 503 : 502;
  }

  get wooCode(): string | undefined {
    return this.envelope?.code;
  }
}

function merchantMessageFor(kind: WooErrorKind, envelope?: WooErrorEnvelope): string {
  switch (kind) {
    case "not_found":
      return "WooCommerce no encontró el pedido o reembolso.";
    case "unauthorized":
      return "WooCommerce rechazó las claves de la API REST: vuelva a conectar la tienda con PagoEfectivo.";
    case "invalid_request":
      return `WooCommerce rechazó la solicitud (${envelope?.code ?? "invalid"}).`;
    case "rejected":
      // The store's own (localized) message is the exact reason the merchant needs here.
      return envelope?.message ?? "WooCommerce rechazó la operación.";
    case "unavailable":
      return "La tienda WooCommerce no respondió; se reintentará.";
    default:
      return "Respuesta inesperada de WooCommerce.";
  }
}

/** Reads `{code, message, data}` leniently; anything else (HTML error page, empty) → undefined. */
export function parseWooErrorEnvelope(body: unknown): WooErrorEnvelope | undefined {
  let value = body;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { code, message, data } = value as Record<string, unknown>;
  if (typeof code !== "string" || code === "") return undefined;
  let dataStatus: number | undefined;
  let params: Record<string, string> | undefined;
  if (typeof data === "number" && Number.isInteger(data)) {
    dataStatus = data;
  } else if (typeof data === "object" && data !== null) {
    const status = (data as Record<string, unknown>).status;
    if (typeof status === "number") dataStatus = status;
    const p = (data as Record<string, unknown>).params;
    if (typeof p === "object" && p !== null) params = p as Record<string, string>;
  }
  return {
    code,
    message: typeof message === "string" ? message : "",
    dataStatus,
    ...(params ? { params } : {}),
  };
}

/** Classification of one failed response. `status` 0 means no response at all. */
export function classifyWooError(
  status: number,
  envelope: WooErrorEnvelope | undefined,
): WooErrorKind {
  if (status === 0 || status === 429) return "unavailable";
  if (!envelope) {
    if (status >= 500) return "unavailable";
    if (status === 401 || status === 403) return "unauthorized";
    if (status === 404) return "not_found";
    return "unexpected";
  }
  const meant = envelope.dataStatus ?? status;
  if (NOT_FOUND_CODES.has(envelope.code) || meant === 404) return "not_found";
  if (status === 401 || status === 403 || meant === 401 || meant === 403) return "unauthorized";
  if (envelope.code === "woocommerce_rest_authentication_error") return "unauthorized";
  if (status === 400 || meant === 400) return "invalid_request";
  if (status >= 502) return "unavailable";
  // HTTP 500 with a WooCommerce code: the store answered deliberately (refund refused, invalid
  // amount). Retrying cannot change that answer.
  if (status === 500) {
    if (/invalid|cannot_create|cannot_delete|not_supported/.test(envelope.code)) return "rejected";
    return "unavailable";
  }
  if (status === 409 || status === 422 || status === 501) return "rejected";
  return "unexpected";
}
