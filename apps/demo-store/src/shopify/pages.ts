import { randomBytes } from "node:crypto";
import { formatMoneyForShopper, parseMoney } from "@pe-pay/core";
import express, { type Request, type Response, type Router } from "express";
import type { DemoContext } from "../context";
import { html, limaShort, page, type SafeHtml } from "../html";
import { sendPaymentSession, sendRefundSession } from "./session-client";
import {
  shopifyId,
  type CartLine,
  type PaymentSessionRecord,
  type RefundSessionRecord,
} from "./state";

export const SHOPIFY_PRODUCTS = [
  { key: "cafe", title: "Café tostado de Chanchamayo 500 g", unitMinor: 3490 },
  { key: "chocolate", title: "Chocolate 70% cacao de Piura", unitMinor: 1850 },
] as const;
export const SHOPIFY_SHIPPING_MINOR = 1000;

const pen = (minor: number) => formatMoneyForShopper({ minor, currency: "PEN" });

const STATE_LABEL: Record<PaymentSessionRecord["state"], string> = {
  initiated: "sin confirmar",
  pending: "pendiente",
  resolved: "pagado",
  rejected: "rechazado",
};
const REFUND_LABEL: Record<RefundSessionRecord["state"], string> = {
  requested: "solicitado",
  resolved: "reembolsado",
  rejected: "rechazado",
};

export interface CheckoutInput {
  email: string;
  givenName: string;
  familyName: string;
  phone: string;
  quantities: Record<string, number>;
}

function checkoutForm(
  checkoutToken: string,
  values: Partial<CheckoutInput>,
  errors: string[],
): SafeHtml {
  const q = values.quantities ?? { cafe: 2, chocolate: 1 };
  const subtotal = SHOPIFY_PRODUCTS.reduce((s, p) => s + p.unitMinor * (q[p.key] ?? 0), 0);
  return html`<form method="post" action="/shopify/checkout" class="card">
    ${
      errors.length
        ? html`<div class="error" role="alert">
            <ul>
              ${errors.map((e) => html`<li>${e}</li>`)}
            </ul>
          </div>`
        : ""
    }
    <h2>Carrito</h2>
    <table>
      <thead>
        <tr>
          <th>Producto</th>
          <th class="num">Precio</th>
          <th class="num">Cantidad</th>
        </tr>
      </thead>
      <tbody>
        ${SHOPIFY_PRODUCTS.map(
          (p) =>
            html`<tr>
              <td>${p.title}</td>
              <td class="num">${pen(p.unitMinor)}</td>
              <td class="num">
                <input
                  type="number"
                  min="0"
                  max="10"
                  name="qty_${p.key}"
                  value="${q[p.key] ?? 0}"
                  aria-label="Cantidad de ${p.title}"
                />
              </td>
            </tr>`,
        )}
        <tr>
          <td>Envío a Lima Metropolitana</td>
          <td class="num">${pen(SHOPIFY_SHIPPING_MINOR)}</td>
          <td></td>
        </tr>
        <tr>
          <th>Total (con las cantidades iniciales)</th>
          <th class="num">${pen(subtotal + SHOPIFY_SHIPPING_MINOR)}</th>
          <td></td>
        </tr>
      </tbody>
    </table>
    <h2>Tus datos</h2>
    <input type="hidden" name="checkout" value="${checkoutToken}" />
    <label for="email">Correo electrónico</label
    ><input
      id="email"
      name="email"
      type="email"
      required
      value="${values.email ?? "rosa.quispe@example.pe"}"
    />
    <label for="given_name">Nombres</label
    ><input id="given_name" name="given_name" required value="${values.givenName ?? "Rosa"}" />
    <label for="family_name">Apellidos</label
    ><input
      id="family_name"
      name="family_name"
      required
      value="${values.familyName ?? "Quispe Huamán"}"
    />
    <label for="phone">Celular (opcional)</label
    ><input id="phone" name="phone" value="${values.phone ?? "+51987654321"}" />
    <h2>Pago</h2>
    <p>
      PagoEfectivo: recibirás un código CIP para pagar en efectivo en agentes, bodegas o banca
      móvil.
    </p>
    <button type="submit">Pagar con PagoEfectivo</button>
  </form>`;
}

export function parseCheckoutForm(body: Record<string, unknown>): {
  input?: CheckoutInput;
  errors: string[];
  values: Partial<CheckoutInput>;
} {
  const s = (k: string) => (typeof body[k] === "string" ? (body[k] as string).trim() : "");
  const errors: string[] = [];
  const quantities: Record<string, number> = {};
  for (const p of SHOPIFY_PRODUCTS) {
    const raw = s(`qty_${p.key}`) || "0";
    const n = Number(raw);
    if (!/^\d{1,2}$/.test(raw) || n > 10)
      errors.push(`La cantidad de "${p.title}" debe ser un número de 0 a 10.`);
    quantities[p.key] = Number.isInteger(n) ? Math.min(Math.max(n, 0), 10) : 0;
  }
  const values = {
    email: s("email"),
    givenName: s("given_name"),
    familyName: s("family_name"),
    phone: s("phone"),
    quantities,
  };
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email) || values.email.length > 200)
    errors.push("Ingresa un correo electrónico válido.");
  if (!values.givenName || values.givenName.length > 100)
    errors.push("Ingresa tus nombres (hasta 100 caracteres).");
  if (!values.familyName || values.familyName.length > 100)
    errors.push("Ingresa tus apellidos (hasta 100 caracteres).");
  if (values.phone.length > 30) errors.push("El celular es demasiado largo.");
  if (Object.values(quantities).every((q) => q === 0))
    errors.push("El carrito está vacío: elige al menos un producto.");
  return errors.length ? { errors, values } : { input: values, errors, values };
}

export function createShopifyPagesRouter(ctx: DemoContext): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: "32kb" });
  const s = ctx.shopify;
  const send = (res: Response, title: string, body: SafeHtml, status = 200) =>
    res
      .status(status)
      .type("html")
      .send(page({ title, section: "shopify" }, body));

  const installCard = () =>
    html`<div class="card">
      <h2>App de pagos</h2>
      ${
        s.install
          ? html`<p class="ok">
              App instalada en <code>${s.shopDomain}</code> (permisos: ${s.install.scope}).
            </p>`
          : html`<p>
              La app PagoEfectivo todavía no está instalada en <code>${s.shopDomain}</code>.
            </p>`
      }
      <p><a class="button secondary" href="/shopify/admin/install">Instalar app</a></p>
      <p class="muted">
        La app debe usar SHOPIFY_API_ORIGIN=${ctx.publicUrl()} y el mismo
        SHOPIFY_API_KEY/SHOPIFY_API_SECRET que esta tienda.
      </p>
    </div>`;

  router.get("/shopify", (_req, res) => {
    send(
      res,
      "Tienda demo: finalizar compra",
      html`${installCard()}${checkoutForm(randomBytes(12).toString("hex"), {}, [])}`,
    );
  });

  router.post("/shopify/checkout", form, async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const token =
      typeof body.checkout === "string" && /^[0-9a-f]{24}$/.test(body.checkout)
        ? body.checkout
        : randomBytes(12).toString("hex");
    const parsed = parseCheckoutForm(body);
    if (!parsed.input) {
      send(res, "Revisa tus datos", checkoutForm(token, parsed.values, parsed.errors), 400);
      return;
    }
    const input = parsed.input;
    const lines: CartLine[] = SHOPIFY_PRODUCTS.filter(
      (p) => (input.quantities[p.key] ?? 0) > 0,
    ).map((p) => ({
      title: p.title,
      quantity: input.quantities[p.key]!,
      unitMinor: p.unitMinor,
    }));
    const amountMinor =
      lines.reduce((sum, l) => sum + l.unitMinor * l.quantity, 0) + SHOPIFY_SHIPPING_MINOR;
    const id = shopifyId();
    const base = ctx.publicUrl();
    const record: PaymentSessionRecord = {
      id,
      gid: `gid://shopify/PaymentSession/${id}`,
      group: Buffer.from(`demo-checkout-${token}`).toString("base64"),
      sessionId: Buffer.from(`demo-session-${token}`).toString("base64"),
      checkoutToken: token,
      orderNumber: null,
      amountMinor,
      currency: "PEN",
      test: true,
      customer: {
        email: input.email,
        givenName: input.givenName,
        familyName: input.familyName,
        phone: input.phone,
      },
      lines,
      shippingMinor: SHOPIFY_SHIPPING_MINOR,
      createdAt: ctx.clock.now(),
      cancelUrl: `${base}/shopify/checkouts/${token}/processing`,
      request: { status: "sending", requestId: "" },
      acknowledged: false,
      state: "initiated",
      refundIds: [],
      history: [],
    };
    s.payments.set(id, record);
    await sendPaymentSession(ctx, record);
    if (record.request.status === "accepted" && record.request.redirectUrl) {
      res.redirect(303, record.request.redirectUrl);
      return;
    }
    send(
      res,
      "No pudimos iniciar el pago",
      html`<div class="error" role="alert">
          <p>La app de PagoEfectivo no aceptó la sesión de pago.</p>
          <p>${record.request.error ?? "Error desconocido."}</p>
        </div>
        <p class="muted">
          Sesión ${record.id}. Puedes reintentar: se enviará una nueva sesión del mismo checkout.
        </p>
        ${checkoutForm(token, parsed.values, [])}`,
      502,
    );
  });

  router.get("/shopify/checkouts/:token/thank-you", (req, res) => {
    const sessions = [...s.payments.values()].filter(
      (p) => p.checkoutToken === req.params.token && p.orderNumber !== null,
    );
    const p = sessions.at(-1);
    if (!p) {
      send(
        res,
        "Pedido no encontrado",
        html`<p class="error">No hay un pedido para este checkout todavía.</p>
          <p><a href="/shopify">Volver a la tienda</a></p>`,
        404,
      );
      return;
    }
    send(
      res,
      `¡Gracias, ${p.customer.givenName}!`,
      html`<div class="card">
        <p>Tu pedido <strong>#${p.orderNumber}</strong> fue registrado.</p>
        <p>
          Estado del pago:
          <span class="badge ${STATE_LABEL[p.state]}">${STATE_LABEL[p.state]}</span>
        </p>
        ${p.state === "pending" ? html`<p>Paga tu código CIP de PagoEfectivo antes de que venza; te avisaremos por correo cuando se confirme.</p>` : ""}
        <p>Total: <strong>${pen(p.amountMinor)}</strong></p>
        ${p.request.redirectUrl ? html`<p><a class="button" href="${p.request.redirectUrl}">Ver mi código de pago</a></p>` : ""}
        <p><a href="/shopify">Seguir comprando</a></p>
      </div>`,
    );
  });

  router.get("/shopify/checkouts/:token/processing", (req, res) => {
    const token = String(req.params.token);
    const last = [...s.payments.values()].filter((p) => p.checkoutToken === token).at(-1);
    const notice =
      last?.state === "rejected"
        ? html`<div class="error" role="alert">
            El pago con PagoEfectivo no se pudo
            completar${last.rejection?.merchantMessage ? html`: ${last.rejection.merchantMessage}` : ""}.
            Elige otro medio de pago o inténtalo de nuevo.
          </div>`
        : html`<div class="card">
            Volviste al checkout. Puedes elegir otro medio de pago o generar un nuevo código.
          </div>`;
    const values = last
      ? {
          email: last.customer.email,
          givenName: last.customer.givenName,
          familyName: last.customer.familyName,
          phone: last.customer.phone,
        }
      : {};
    send(
      res,
      "Finalizar compra",
      html`${notice}${checkoutForm(/^[0-9a-f]{24}$/.test(token) ? token : randomBytes(12).toString("hex"), values, [])}`,
    );
  });

  router.get("/shopify/admin", (_req, res) => res.redirect(302, "/shopify/admin/orders"));

  router.get("/shopify/admin/orders", (_req, res) => {
    const rows = [...s.payments.values()].reverse();
    send(
      res,
      "Pedidos (Shopify)",
      html`${installCard()}
        <div class="card">
          <table>
            <thead>
              <tr>
                <th>Pedido</th>
                <th>Fecha (hora de Lima)</th>
                <th>Cliente</th>
                <th class="num">Total</th>
                <th>Pago</th>
                <th>Sesión enviada</th>
              </tr>
            </thead>
            <tbody>
              ${
                rows.length === 0
                  ? html`<tr>
                      <td colspan="6">Aún no hay pedidos.</td>
                    </tr>`
                  : ""
              }
              ${rows.map(
                (p) =>
                  html`<tr>
                    <td>
                      <a href="/shopify/admin/orders/${p.id}"
                        >${p.orderNumber ? `#${p.orderNumber}` : `sesión ${p.id.slice(0, 8)}…`}</a
                      >
                    </td>
                    <td>${limaShort(p.createdAt)}</td>
                    <td>${p.customer.email}</td>
                    <td class="num">${pen(p.amountMinor)}</td>
                    <td>
                      <span class="badge ${STATE_LABEL[p.state]}">${STATE_LABEL[p.state]}</span>
                    </td>
                    <td>
                      ${p.request.status === "accepted" ? "aceptada" : p.request.status === "failed" ? "falló" : "enviando"}
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`,
    );
  });

  router.get("/shopify/admin/orders/:id", (req, res) => {
    const p = s.payments.get(String(req.params.id));
    if (!p) {
      send(
        res,
        "Pedido no encontrado",
        html`<p><a href="/shopify/admin/orders">Volver a pedidos</a></p>`,
        404,
      );
      return;
    }
    const aviso = typeof req.query.aviso === "string" ? req.query.aviso : "";
    const error = typeof req.query.error === "string" ? req.query.error : "";
    const refunds = p.refundIds
      .map((id) => s.refunds.get(id))
      .filter((r): r is RefundSessionRecord => !!r);
    const balance = p.amountMinor - s.refundedOrRequestedMinor(p);
    const refundedMinor = refunds
      .filter((r) => r.state === "resolved")
      .reduce((sum, r) => sum + r.amountMinor, 0);
    // Shopify's financial status on top of the payment's: partially / fully refunded.
    const refundBadge =
      p.state !== "resolved" || refundedMinor === 0
        ? ""
        : refundedMinor >= p.amountMinor
          ? html` <span class="badge reembolsado">reembolsado</span>`
          : html` <span class="badge reembolsado">reembolsado parcialmente</span>`;
    send(
      res,
      p.orderNumber ? `Pedido #${p.orderNumber}` : `Sesión de pago ${p.id}`,
      html`${aviso ? html`<p class="ok" role="status">${aviso}</p>` : ""}${error ? html`<p class="error" role="alert">${error}</p>` : ""}
        <div class="card">
          <p>
            Estado del pago:
            <span class="badge ${STATE_LABEL[p.state]}">${STATE_LABEL[p.state]}</span>${refundBadge}
            ${p.rejection ? html` — motivo ${p.rejection.code}${p.rejection.merchantMessage ? html`: ${p.rejection.merchantMessage}` : ""}` : ""}
          </p>
          <p>
            Cliente: ${p.customer.givenName} ${p.customer.familyName} &lt;${p.customer.email}&gt;
          </p>
          <table>
            <tbody>
              ${p.lines.map(
                (l) =>
                  html`<tr>
                    <td>${l.title} × ${l.quantity}</td>
                    <td class="num">${pen(l.unitMinor * l.quantity)}</td>
                  </tr>`,
              )}
              <tr>
                <td>Envío</td>
                <td class="num">${pen(p.shippingMinor)}</td>
              </tr>
              <tr>
                <th>Total</th>
                <th class="num">${pen(p.amountMinor)}</th>
              </tr>
            </tbody>
          </table>
          <p class="muted">
            Sesión de pago <code>${p.id}</code> (referencia para conciliar) · grupo
            <code>${p.group}</code>
            ${p.pendingExpiresAt ? html` · pendiente hasta ${limaShort(new Date(p.pendingExpiresAt))}` : ""}
          </p>
          ${p.request.status === "failed" ? html`<p class="error">${p.request.error ?? ""}</p>` : ""}
        </div>
        <div class="card">
          <h2>Reembolsos</h2>
          ${
            refunds.length === 0
              ? html`<p>Sin reembolsos.</p>`
              : html`<table>
                  <thead>
                    <tr>
                      <th>Fecha (hora de Lima)</th>
                      <th class="num">Monto</th>
                      <th>Estado</th>
                      <th>Detalle</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${refunds.map(
                      (r) =>
                        html`<tr>
                          <td>${limaShort(r.createdAt)}</td>
                          <td class="num">${pen(r.amountMinor)}</td>
                          <td>
                            <span class="badge ${REFUND_LABEL[r.state]}"
                              >${r.request.status === "failed" ? "no enviado" : REFUND_LABEL[r.state]}</span
                            >
                          </td>
                          <td>
                            ${r.request.status === "failed" ? r.request.error : (r.rejection?.merchantMessage ?? r.request.error ?? "")}
                          </td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }
          ${
            p.state === "resolved" && balance <= 0
              ? html`<p class="muted">No queda saldo por reembolsar.</p>`
              : p.state === "resolved"
                ? html`<form method="post" action="/shopify/admin/orders/${p.id}/refunds">
                    <label for="amount">Monto a reembolsar (S/, saldo ${pen(balance)})</label>
                    <input
                      id="amount"
                      name="amount"
                      inputmode="decimal"
                      required
                      value="${balance > 0 ? (balance / 100).toFixed(2) : ""}"
                    />
                    <button type="submit">Reembolsar</button>
                  </form>`
                : html`<p class="muted">Solo se puede reembolsar un pedido pagado.</p>`
          }
        </div>
        <div class="card">
          <h2>Historial</h2>
          <ul>
            ${p.history.map((h) => html`<li>${limaShort(h.at)} — ${h.text}</li>`)}
          </ul>
        </div>
        <p><a href="/shopify/admin/orders">Volver a pedidos</a></p>`,
    );
  });

  router.post("/shopify/admin/orders/:id/refunds", form, async (req: Request, res: Response) => {
    const p = s.payments.get(String(req.params.id));
    if (!p) {
      send(
        res,
        "Pedido no encontrado",
        html`<p><a href="/shopify/admin/orders">Volver a pedidos</a></p>`,
        404,
      );
      return;
    }
    const back = (kind: "aviso" | "error", msg: string, status = 303) => {
      if (status !== 303) {
        send(
          res,
          "No se pudo reembolsar",
          html`<p class="error" role="alert">${msg}</p>
            <p><a href="/shopify/admin/orders/${p.id}">Volver al pedido</a></p>`,
          status,
        );
        return;
      }
      res.redirect(303, `/shopify/admin/orders/${p.id}?${kind}=${encodeURIComponent(msg)}`);
    };
    if (p.state !== "resolved")
      return back("error", "Solo se puede reembolsar un pedido pagado.", 409);
    const raw =
      typeof req.body?.amount === "string" ? req.body.amount.trim().replace(",", ".") : "";
    let minor: number;
    try {
      minor = parseMoney(raw, p.currency).minor;
    } catch {
      return back("error", `Monto inválido "${raw}": use un número como 49.90.`, 400);
    }
    const balance = p.amountMinor - s.refundedOrRequestedMinor(p);
    if (minor > balance)
      return back(
        "error",
        `El monto ${pen(minor)} supera el saldo reembolsable (${pen(balance)}).`,
        400,
      );
    const id = shopifyId();
    const refund: RefundSessionRecord = {
      id,
      gid: `gid://shopify/RefundSession/${id}`,
      paymentId: p.id,
      amountMinor: minor,
      currency: p.currency,
      createdAt: ctx.clock.now(),
      request: { status: "sending", requestId: "" },
      acknowledged: false,
      state: "requested",
    };
    s.refunds.set(id, refund);
    p.refundIds.push(id);
    await sendRefundSession(ctx, refund, p);
    if (refund.request.status === "failed")
      return back("error", `El reembolso no se envió: ${refund.request.error ?? ""}`);
    back(
      "aviso",
      `Reembolso de ${pen(minor)} solicitado a la app; queda pendiente hasta que la app lo confirme.`,
    );
  });

  return router;
}
