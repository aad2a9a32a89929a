import { createHmac, randomBytes } from "node:crypto";
import type { DemoContext } from "../context";
import { postRaw, type OutboundResult } from "../outbound";
import { phpJsonEncode } from "../php-json";

/**
 * The PHP plugin's bridge client (extensions/woocommerce-pagoefectivo/includes/
 * class-pe-bridge-client.php + class-pe-signer.php), reimplemented rather than imported: the
 * bridge's `signPluginRequest` is only reachable through @pe-pay/woocommerce's index, which loads
 * the whole bridge (REST client, engine ports). The test suite checks this signer against the
 * PHP-generated vectors (test/fixtures/woocommerce/plugin-signed-requests.json).
 *
 *   X-PE-Signature = hex(HMAC-SHA256(secret, "{timestamp}\n{METHOD}\n{path}\n{body}"))
 *
 * Bodies are `wp_json_encode` output (PHP escaping), sent with Content-Type application/json.
 */
export function pluginSignature(
  secret: string,
  timestamp: string,
  method: string,
  path: string,
  body: string,
): string {
  return createHmac("sha256", secret)
    .update(`${timestamp}\n${method.toUpperCase()}\n${path}\n${body}`, "utf8")
    .digest("hex");
}

export function pluginHeaders(args: {
  storeId: string;
  secret: string;
  method: string;
  path: string;
  body: string;
  timestamp: number;
  nonce?: string;
}): Record<string, string> {
  const ts = String(args.timestamp);
  return {
    "X-PE-Store": args.storeId,
    "X-PE-Timestamp": ts,
    "X-PE-Nonce": args.nonce ?? randomBytes(16).toString("hex"),
    "X-PE-Signature": pluginSignature(args.secret, ts, args.method, args.path, args.body),
  };
}

export type BridgeResult =
  | { ok: true; data: Record<string, unknown> }
  | { ok: false; code: string; message: string; shopperMessage?: string; status: number };

/**
 * The plugin's WP_Error messages, word for word. They reach the merchant (a refund refused in the
 * admin), never the shopper: checkout shows the bridge's shopper_message or its own text.
 */
const GENERIC =
  "No pudimos procesar el pago con PagoEfectivo. Inténtalo de nuevo en unos minutos o elige otro medio de pago.";

/** PE_Bridge_Client::decode: 2xx + JSON object → data; otherwise a WP_Error-like failure. */
function decode(r: OutboundResult): BridgeResult {
  if (r.networkError) {
    return {
      ok: false,
      code: "pagoefectivo_unreachable",
      message:
        "No pudimos comunicarnos con PagoEfectivo. Inténtalo de nuevo en unos minutos o elige otro medio de pago.",
      status: 0,
    };
  }
  const data =
    r.json && typeof r.json === "object" && !Array.isArray(r.json)
      ? (r.json as Record<string, unknown>)
      : undefined;
  if (r.ok && data) return { ok: true, data };
  const str = (k: string) =>
    data && typeof data[k] === "string" && data[k] ? (data[k] as string) : undefined;
  return {
    ok: false,
    code: str("code") ? `pagoefectivo_${str("code")}` : "pagoefectivo_error",
    message: str("merchant_message") ?? GENERIC,
    ...(str("shopper_message") ? { shopperMessage: str("shopper_message") } : {}),
    status: r.status,
  };
}

export function createBridgeClient(ctx: DemoContext) {
  const bridgeUrl = ctx.wooBridgeUrl.replace(/\/+$/, "");
  async function request(
    method: "POST" | "GET",
    path: string,
    payload: unknown,
  ): Promise<BridgeResult> {
    const { storeId, sharedSecret } = ctx.woo.plugin;
    if (!storeId || !sharedSecret) {
      return {
        ok: false,
        code: "pagoefectivo_not_configured",
        message: "PagoEfectivo no está configurado en esta tienda.",
        status: 0,
      };
    }
    const body = payload === null ? "" : phpJsonEncode(payload);
    const headers = pluginHeaders({
      storeId,
      secret: sharedSecret,
      method,
      path,
      body,
      timestamp: Math.floor(ctx.clock.now().getTime() / 1000),
    });
    return decode(
      await postRaw(ctx.fetch, `${bridgeUrl}${path}`, {
        method,
        headers: { ...headers, "Content-Type": "application/json" },
        body,
        timeoutMs: ctx.settings.outboundTimeoutMs,
      }),
    );
  }
  return {
    createVoucher: (payload: Record<string, unknown>) =>
      request("POST", "/plugin/v1/vouchers", payload),
    getVoucher: (orderId: number) => request("GET", `/plugin/v1/vouchers/${orderId}`, null),
    requestRefund: (payload: Record<string, unknown>) =>
      request("POST", "/plugin/v1/refunds", payload),
    /** One-time exchange after "Conectar con PagoEfectivo" (unsigned: the code is the secret). */
    async claim(code: string): Promise<BridgeResult> {
      return decode(
        await postRaw(ctx.fetch, `${bridgeUrl}/wc-auth/v1/claim`, {
          headers: { "Content-Type": "application/json" },
          body: phpJsonEncode({ claim: code }),
          timeoutMs: ctx.settings.outboundTimeoutMs,
        }),
      );
    },
  };
}

export type BridgeClient = ReturnType<typeof createBridgeClient>;
