import { formatMoneyForShopper, parseMoney } from "@pe-pay/core";
import express, { type Request, type Response, type Router } from "express";
import type { DemoContext } from "../context";
import { html, limaShort, page, pluginDeadline, type SafeHtml } from "../html";
import {
  orderReceivedPath,
  PE,
  WOO_PRODUCTS,
  WOO_SHIPPING_MINOR,
  WpError,
  type WooOrders,
} from "./orders";
import type { BridgeClient } from "./plugin";
import { ADMIN_USER_ID, hex, STATUS_LABEL, type WooOrderRecord } from "./state";

const pen = (minor: number) => formatMoneyForShopper({ minor, currency: "PEN" });
const badge = (o: WooOrderRecord) =>
  html`<span class="badge ${STATUS_LABEL[o.status].toLowerCase().replace(/ /g, "-")}"
    >${STATUS_LABEL[o.status]}</span
  >`;

interface CheckoutValues {
  first_name: string;
  last_name: string;
  email: string;
  phone: string;
  note: string;
  quantities: Record<string, number>;
}

function checkoutForm(v: Partial<CheckoutValues>, errors: string[]): SafeHtml {
  const q = v.quantities ?? { cafe: 2, chocolate: 1 };
  return html`<form method="post" action="/woo/finalizar-compra" class="card">
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
        ${WOO_PRODUCTS.map(
          (p) =>
            html`<tr>
              <td>${p.name}</td>
              <td class="num">${pen(p.unitMinor)}</td>
              <td class="num">
                <input
                  type="number"
                  min="0"
                  max="10"
                  name="qty_${p.key}"
                  value="${q[p.key] ?? 0}"
                  aria-label="Cantidad de ${p.name}"
                />
              </td>
            </tr>`,
        )}
        <tr>
          <td>Envío a Lima Metropolitana</td>
          <td class="num">${pen(WOO_SHIPPING_MINOR)}</td>
          <td></td>
        </tr>
      </tbody>
    </table>
    <h2>Detalles de facturación</h2>
    <label for="first_name">Nombre</label
    ><input id="first_name" name="first_name" required value="${v.first_name ?? "María José"}" />
    <label for="last_name">Apellidos</label
    ><input id="last_name" name="last_name" required value="${v.last_name ?? "Quispe Huamán"}" />
    <label for="email">Correo electrónico</label
    ><input
      id="email"
      name="email"
      type="email"
      required
      value="${v.email ?? "mariajose.quispe@example.pe"}"
    />
    <label for="phone">Teléfono</label
    ><input id="phone" name="phone" value="${v.phone ?? "+51 987 654 321"}" />
    <label for="note">Notas del pedido (opcional)</label
    ><textarea id="note" name="note">${v.note ?? ""}</textarea>
    <h2>Pago</h2>
    <p>
      <label
        ><input
          type="radio"
          name="payment_method"
          value="pagoefectivo"
          checked
          style="width:auto"
        />
        PagoEfectivo</label
      >
      <span class="muted"
        >Paga en efectivo en agentes y bancos, o por banca móvil, con un código CIP.</span
      >
    </p>
    <button type="submit">Realizar el pedido</button>
  </form>`;
}

function parseCheckout(body: Record<string, unknown>): {
  values: CheckoutValues;
  errors: string[];
} {
  const s = (k: string) => (typeof body[k] === "string" ? (body[k] as string).trim() : "");
  const errors: string[] = [];
  const quantities: Record<string, number> = {};
  for (const p of WOO_PRODUCTS) {
    const raw = s(`qty_${p.key}`) || "0";
    if (!/^\d{1,2}$/.test(raw) || Number(raw) > 10)
      errors.push(`La cantidad de "${p.name}" debe ser un número de 0 a 10.`);
    quantities[p.key] = /^\d{1,2}$/.test(raw) ? Math.min(Number(raw), 10) : 0;
  }
  const values = {
    first_name: s("first_name"),
    last_name: s("last_name"),
    email: s("email"),
    phone: s("phone"),
    note: s("note"),
    quantities,
  };
  if (!values.first_name || values.first_name.length > 100) errors.push("Ingresa tu nombre.");
  if (!values.last_name || values.last_name.length > 100) errors.push("Ingresa tus apellidos.");
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email) || values.email.length > 200)
    errors.push("Ingresa un correo electrónico válido.");
  if (values.phone.length > 40) errors.push("El teléfono es demasiado largo.");
  if (values.note.length > 1000) errors.push("La nota es demasiado larga.");
  if (Object.values(quantities).every((q) => q === 0)) errors.push("El carrito está vacío.");
  if (body.payment_method !== undefined && body.payment_method !== "pagoefectivo")
    errors.push("Elige PagoEfectivo como medio de pago.");
  return { values, errors };
}

export function createWooPagesRouter(
  ctx: DemoContext,
  orders: WooOrders,
  bridge: BridgeClient,
  storeUrl: () => string,
): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: "32kb" });
  const st = ctx.woo;
  const send = (res: Response, title: string, body: SafeHtml, status = 200) =>
    res
      .status(status)
      .type("html")
      .send(page({ title, section: "woo" }, body));
  const orderOr404 = (res: Response, raw: unknown): WooOrderRecord | undefined => {
    const o =
      typeof raw === "string" && /^\d{1,15}$/.test(raw) ? st.orders.get(Number(raw)) : undefined;
    if (!o)
      send(
        res,
        "Pedido no encontrado",
        html`<p><a href="/woo/wp-admin/pedidos">Volver a pedidos</a></p>`,
        404,
      );
    return o;
  };
  const pluginReady = () => !!(st.plugin.storeId && st.plugin.sharedSecret);

  const paymentFailed = (res: Response, o: WooOrderRecord, message: string) =>
    send(
      res,
      "No pudimos generar tu código de pago",
      html`<div class="error" role="alert">${message}</div>
        <p class="muted">Tu pedido #${o.id} quedó pendiente de pago; puedes intentarlo de nuevo.</p>
        <form method="post" action="/woo/pedido/${o.id}/pagar">
          <input type="hidden" name="key" value="${o.orderKey}" /><button type="submit">
            Reintentar el pago
          </button>
        </form>`,
      502,
    );

  router.get("/woo", (_req, res) => {
    send(
      res,
      "Tienda demo: finalizar compra",
      html`${pluginReady() ? "" : html`<p class="error">El plugin PagoEfectivo aún no está conectado. Vaya a <a href="/woo/wp-admin/ajustes">Ajustes de PagoEfectivo</a> y pulse "Conectar con PagoEfectivo".</p>`}
      ${checkoutForm({}, [])}`,
    );
  });

  router.post("/woo/finalizar-compra", form, async (req: Request, res: Response) => {
    const { values, errors } = parseCheckout((req.body ?? {}) as Record<string, unknown>);
    if (errors.length) return send(res, "Revisa tu pedido", checkoutForm(values, errors), 400);
    const order = orders.create({
      billing: {
        first_name: values.first_name,
        last_name: values.last_name,
        company: "",
        address_1: "Av. Arequipa 1234",
        address_2: "",
        city: "Lima",
        state: "LMA",
        postcode: "15046",
        country: "PE",
        email: values.email,
        phone: values.phone,
      },
      quantities: values.quantities,
      customerNote: values.note,
    });
    const result = await orders.processPayment(order);
    if (!result.ok) return paymentFailed(res, order, result.message);
    res.redirect(303, orderReceivedPath(order));
  });

  router.post("/woo/pedido/:id/pagar", form, async (req: Request, res: Response) => {
    const o = orderOr404(res, req.params.id);
    if (!o) return;
    if (req.body?.key !== o.orderKey)
      return send(
        res,
        "Enlace no válido",
        html`<p class="error">La clave del pedido no coincide.</p>`,
        403,
      );
    if (o.status !== "pending" && o.status !== "failed")
      return res.redirect(303, orderReceivedPath(o));
    const result = await orders.processPayment(o);
    if (!result.ok) return paymentFailed(res, o, result.message);
    res.redirect(303, orderReceivedPath(o));
  });

  router.get("/woo/finalizar-compra/pedido-recibido/:id", (req, res) => {
    const o = orderOr404(res, req.params.id);
    if (!o) return;
    if (req.query.key !== o.orderKey)
      return send(
        res,
        "Enlace no válido",
        html`<p class="error">La clave del pedido no coincide.</p>`,
        403,
      );
    const cip = String(st.meta(o, PE.cip) ?? "");
    const voucherUrl = String(st.meta(o, PE.voucherUrl) ?? "");
    send(
      res,
      "Pedido recibido",
      html`<div class="card">
          <p>Gracias. Tu pedido ha sido recibido.</p>
          <ul>
            <li>Número del pedido: <strong>${o.id}</strong></li>
            <li>Total: <strong>${pen(o.totalMinor)}</strong></li>
            <li>Estado: ${badge(o)}</li>
            <li>Método de pago: PagoEfectivo</li>
          </ul>
        </div>
        ${
          cip
            ? html`<div class="card">
                <h2>Paga con PagoEfectivo</h2>
                <p>Código CIP: <strong style="font-size:1.4rem">${cip}</strong></p>
                <p>Paga antes de: ${pluginDeadline(String(st.meta(o, PE.expiresAt) ?? ""))}</p>
                ${voucherUrl ? html`<p><a class="button" href="${voucherUrl}">Ver instrucciones de pago</a></p>` : ""}
              </div>`
            : ""
        }
        <p><a href="/woo">Seguir comprando</a></p>`,
    );
  });

  router.get("/woo/wp-admin", (_req, res) => res.redirect(302, "/woo/wp-admin/pedidos"));

  router.get("/woo/wp-admin/pedidos", (_req, res) => {
    const list = [...st.orders.values()].reverse();
    send(
      res,
      "Pedidos (WooCommerce)",
      html`<p><a href="/woo/wp-admin/ajustes">Ajustes de PagoEfectivo</a></p>
        <div class="card">
          <table>
            <thead>
              <tr>
                <th>Pedido</th>
                <th>Fecha (Lima)</th>
                <th>Cliente</th>
                <th>Estado</th>
                <th class="num">Total</th>
                <th>CIP</th>
              </tr>
            </thead>
            <tbody>
              ${
                list.length === 0
                  ? html`<tr>
                      <td colspan="6">Aún no hay pedidos.</td>
                    </tr>`
                  : ""
              }
              ${list.map(
                (o) =>
                  html`<tr>
                    <td><a href="/woo/wp-admin/pedidos/${o.id}">#${o.id}</a></td>
                    <td>${limaShort(o.createdAt)}</td>
                    <td>${o.billing.first_name} ${o.billing.last_name}</td>
                    <td>${badge(o)}</td>
                    <td class="num">${pen(o.totalMinor)}</td>
                    <td>${String(st.meta(o, PE.cip) ?? "")}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`,
    );
  });

  router.get("/woo/wp-admin/pedidos/:id", (req, res) => {
    const o = orderOr404(res, req.params.id);
    if (!o) return;
    const aviso = typeof req.query.aviso === "string" ? req.query.aviso : "";
    const error = typeof req.query.error === "string" ? req.query.error : "";
    const refunded = st.refundedMinor(o);
    const remaining = o.totalMinor - refunded;
    const canRefund = !!st.meta(o, PE.cip) && !!o.transactionId && remaining > 0;
    send(
      res,
      `Pedido #${o.id}`,
      html`${aviso ? html`<p class="ok" role="status">${aviso}</p>` : ""}${error ? html`<p class="error" role="alert">${error}</p>` : ""}
        <div class="card">
          <p>
            Estado: ${badge(o)} · Pago:
            ${o.paymentMethodTitle}${o.transactionId ? html` (transacción ${o.transactionId})` : ""}
            ${o.paidAt ? html` · pagado ${limaShort(o.paidAt)}` : ""}
          </p>
          <p>
            Cliente: ${o.billing.first_name} ${o.billing.last_name} &lt;${o.billing.email ?? ""}&gt;
          </p>
          <table>
            <tbody>
              ${o.lines.map(
                (l) =>
                  html`<tr>
                    <td>${l.name} × ${l.quantity}</td>
                    <td class="num">${pen(l.totalMinor)}</td>
                  </tr>`,
              )}
              <tr>
                <td>${o.shipping_line.methodTitle}</td>
                <td class="num">${pen(o.shipping_line.totalMinor)}</td>
              </tr>
              <tr>
                <th>Total</th>
                <th class="num">${pen(o.totalMinor)}</th>
              </tr>
              ${o.refundIds
                .map((id) => st.refunds.get(id))
                .filter((r) => !!r)
                .map(
                  (r) =>
                    html`<tr>
                      <td>
                        Reembolso
                        #${r!.id}${r!.reason ? html` — ${r!.reason}` : ""}${r!.refundedPayment ? " (vía PagoEfectivo)" : " (manual)"}
                      </td>
                      <td class="num">-${pen(r!.amountMinor)}</td>
                    </tr>`,
                )}
              ${
                refunded
                  ? html`<tr>
                      <th>Neto</th>
                      <th class="num">${pen(remaining)}</th>
                    </tr>`
                  : ""
              }
            </tbody>
          </table>
        </div>
        <div class="card">
          <h2>Campos personalizados</h2>
          <table class="kv">
            <tbody>
              ${o.meta.map(
                (m) =>
                  html`<tr>
                    <td><code>${m.key}</code></td>
                    <td>${typeof m.value === "string" ? m.value : JSON.stringify(m.value)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        <div class="card">
          <h2>Acciones</h2>
          ${
            canRefund
              ? html`<form method="post" action="/woo/wp-admin/pedidos/${o.id}/reembolsar">
                  <label for="amount">Monto del reembolso (S/, disponible ${pen(remaining)})</label>
                  <input
                    id="amount"
                    name="amount"
                    inputmode="decimal"
                    required
                    value="${(remaining / 100).toFixed(2)}"
                  />
                  <label for="reason">Motivo (opcional)</label><input id="reason" name="reason" />
                  <button type="submit">Reembolsar ${pen(remaining)} vía PagoEfectivo</button>
                </form>`
              : html`<p class="muted">
                  Reembolsar vía PagoEfectivo está disponible cuando el CIP fue pagado y queda
                  saldo.
                </p>`
          }
          ${
            o.status !== "cancelled" && o.status !== "refunded"
              ? html`<form method="post" action="/woo/wp-admin/pedidos/${o.id}/cancelar">
                  <button type="submit" class="danger">Cancelar pedido</button>
                </form>`
              : ""
          }
        </div>
        <div class="card">
          <h2>Notas del pedido</h2>
          <ul>
            ${[...o.notes].reverse().map((n) => html`<li>${limaShort(n.createdAt)} — ${n.note}${n.customerNote ? " (nota al cliente)" : ""}</li>`)}
          </ul>
        </div>
        <p><a href="/woo/wp-admin/pedidos">Volver a pedidos</a></p>`,
    );
  });

  router.post("/woo/wp-admin/pedidos/:id/reembolsar", form, async (req: Request, res: Response) => {
    const o = orderOr404(res, req.params.id);
    if (!o) return;
    const back = (kind: "aviso" | "error", msg: string) =>
      res.redirect(303, `/woo/wp-admin/pedidos/${o.id}?${kind}=${encodeURIComponent(msg)}`);
    const raw =
      typeof req.body?.amount === "string" ? req.body.amount.trim().replace(",", ".") : "";
    let minor: number;
    try {
      minor = parseMoney(raw, "PEN").minor;
    } catch {
      return send(
        res,
        "Monto inválido",
        html`<p class="error" role="alert">Monto inválido "${raw}": use un número como 18.50.</p>
          <p><a href="/woo/wp-admin/pedidos/${o.id}">Volver al pedido</a></p>`,
        400,
      );
    }
    const reason = typeof req.body?.reason === "string" ? req.body.reason.slice(0, 500) : "";
    try {
      const r = await orders.createRefund(o, {
        amountMinor: minor,
        reason,
        apiRefund: true,
        lines: [],
        refundedBy: ADMIN_USER_ID,
      });
      back("aviso", `Reembolso #${r.id} de ${pen(minor)} registrado y solicitado a PagoEfectivo.`);
    } catch (e) {
      if (e instanceof WpError && e.code === "woocommerce_rest_cannot_create_order_refund") {
        // What a Spanish WooCommerce admin reads ("Cantidad de reembolso no válida"), with the numbers.
        const available = o.totalMinor - st.refundedMinor(o);
        return back(
          "error",
          `No se pudo reembolsar: cantidad de reembolso no válida (${pen(minor)}; disponible ${pen(available)}).`,
        );
      }
      if (e instanceof WpError) return back("error", `No se pudo reembolsar: ${e.message}`);
      throw e;
    }
  });

  router.post("/woo/wp-admin/pedidos/:id/cancelar", form, (req: Request, res: Response) => {
    const o = orderOr404(res, req.params.id);
    if (!o) return;
    if (o.status !== "cancelled")
      orders.setStatus(o, "cancelled", "Cancelado por el administrador.", { byUser: true });
    res.redirect(
      303,
      `/woo/wp-admin/pedidos/${o.id}?aviso=${encodeURIComponent("Pedido cancelado.")}`,
    );
  });

  const settingsPage = (res: Response, notice: SafeHtml | string = "", status = 200) =>
    send(
      res,
      "Ajustes de PagoEfectivo",
      html`${notice}
        <div class="card">
          <p>URL del servicio PagoEfectivo (puente): <code>${ctx.wooBridgeUrl}</code></p>
          <p>
            Estado:
            ${pluginReady() ? html`<strong>Tienda conectada</strong> (ID de tienda <code>${st.plugin.storeId}</code>)` : "sin conectar"}
          </p>
          <p>
            <a class="button" href="/woo/wp-admin/admin-post.php?action=pagoefectivo_connect"
              >Conectar con PagoEfectivo</a
            >
          </p>
          <p class="muted">URL de la tienda para el puente: <code>${storeUrl()}</code></p>
        </div>
        <div class="card">
          <h2>Claves de la API REST</h2>
          <table>
            <thead>
              <tr>
                <th>ID</th>
                <th>Descripción</th>
                <th>Permisos</th>
                <th>Clave</th>
              </tr>
            </thead>
            <tbody>
              ${[...st.keys.values()].map(
                (k) =>
                  html`<tr>
                    <td>${k.keyId}</td>
                    <td>${k.description}</td>
                    <td>${k.permissions}</td>
                    <td><code>…${k.consumerKey.slice(-7)}</code></td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        <div class="card">
          <h2>Webhooks</h2>
          <table>
            <thead>
              <tr>
                <th>ID</th>
                <th>Tema</th>
                <th>Estado</th>
                <th>URL</th>
                <th>Últimas entregas</th>
              </tr>
            </thead>
            <tbody>
              ${[...st.webhooks.values()].map(
                (w) =>
                  html`<tr>
                    <td>${w.id}</td>
                    <td>${w.topic}</td>
                    <td>${w.status} (fallos: ${w.failureCount})</td>
                    <td>${w.deliveryUrl}</td>
                    <td>
                      ${w.deliveries.slice(-5).map((d) => html`${d.kind === "ping" ? "ping" : `pedido ${d.orderId}`}: ${d.httpStatus || d.error || "?"}<br />`)}
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`,
      status,
    );

  router.get("/woo/wp-admin/ajustes", (req, res) => {
    const ok = req.query.pe_connected === "1";
    const err = typeof req.query.pe_error === "string" ? req.query.pe_error : "";
    settingsPage(
      res,
      ok
        ? html`<p class="ok" role="status">Tienda conectada con PagoEfectivo.</p>`
        : err
          ? html`<p class="error" role="alert">No se pudo conectar (${err}).</p>`
          : "",
    );
  });

  const connectNonces = new Set<string>();
  router.get("/woo/wp-admin/admin-post.php", async (req: Request, res: Response) => {
    const action = req.query.action;
    if (action === "pagoefectivo_connect") {
      const nonce = hex(8);
      connectNonces.add(nonce);
      const back = `${storeUrl()}/wp-admin/admin-post.php?action=pagoefectivo_connected&_wpnonce=${nonce}`;
      const target = new URL(`${ctx.wooBridgeUrl.replace(/\/+$/, "")}/wc-auth/v1/start`);
      target.searchParams.set("store_url", storeUrl());
      target.searchParams.set("return_url", back);
      res.redirect(302, target.toString());
      return;
    }
    if (action === "pagoefectivo_connected") {
      const nonce = typeof req.query._wpnonce === "string" ? req.query._wpnonce : "";
      if (!connectNonces.delete(nonce))
        return settingsPage(
          res,
          html`<p class="error" role="alert">
            El enlace de conexión venció; vuelva a pulsar "Conectar con PagoEfectivo".
          </p>`,
          403,
        );
      const claim = typeof req.query.pe_claim === "string" ? req.query.pe_claim : "";
      if (!claim)
        return res.redirect(
          302,
          `/woo/wp-admin/ajustes?pe_error=${encodeURIComponent(typeof req.query.pe_error === "string" ? req.query.pe_error : "denied")}`,
        );
      const result = await bridge.claim(claim);
      if (
        !result.ok ||
        typeof result.data.store_id !== "string" ||
        typeof result.data.shared_secret !== "string"
      ) {
        return res.redirect(302, "/woo/wp-admin/ajustes?pe_error=claim");
      }
      st.plugin = { storeId: result.data.store_id, sharedSecret: result.data.shared_secret };
      ctx.log(`woo: plugin connected as store ${result.data.store_id}`);
      return res.redirect(302, "/woo/wp-admin/ajustes?pe_connected=1");
    }
    send(res, "Acción desconocida", html`<p class="error">Acción desconocida.</p>`, 400);
  });

  return router;
}
