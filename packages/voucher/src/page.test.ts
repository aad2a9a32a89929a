import { clockAt, sampleInput } from "../test/fixtures";
import { buildVoucherViewModel, renderVoucherPage } from "./index";
import type { VoucherInput } from "./index";

const NONCE = "bm9uY2Utbm9uY2Utbm9uY2U=";
const render = (over: Partial<VoucherInput> = {}, locale: "es" | "en" = "es") =>
  renderVoucherPage(buildVoucherViewModel(sampleInput(over), { clock: clockAt(), locale }), {
    nonce: NONCE,
    assetsInline: true,
  });

/** Every <script>/<style> must carry the nonce, and nothing may point at another host. */
function expectSelfContained(html: string) {
  for (const tag of html.match(/<(script|style)\b[^>]*>/g) ?? []) {
    expect(tag).toContain(`nonce="${NONCE}"`);
  }
  expect(html).not.toMatch(/\ssrc="(?!data:)/);
  expect(html).not.toMatch(/<link\b/);
  expect(html).not.toMatch(/\sstyle="/);
  expect(html).not.toMatch(/\son[a-z]+="/i);
}

describe("renderVoucherPage", () => {
  it("pending: CIP, amount, deadline in Lima words, steps, barcode, QR, actions", () => {
    const html = render();
    expect(html.startsWith('<!doctype html><html lang="es-PE">')).toBe(true);
    expect(html).toContain('<meta name="robots" content="noindex,nofollow">');
    expect(html).toContain('<p class="cip" id="cip">249 53 83</p>');
    expect(html).toContain('<p class="amount" id="amount">S/ 149.90</p>');
    expect(html).toContain("Paga antes del martes 24 de noviembre, 10:15 a. m., hora de Lima.");
    expect(html).toContain("el pedido se cancela");
    expect(html).toContain("Te quedan 2 d 0 h 0 min");
    expect(html).toContain('data-remaining-ms="172800000"');
    expect(html).toContain("Rosa, paga tu pedido en efectivo");
    expect(html).toContain("<summary>Caja Arequipa</summary>");
    expect(html).toContain("<li>Disashop</li>");
    expect(html).toMatch(
      /<svg class="barcode" role="img" aria-label="Código de barras del CIP 249 53 83"/,
    );
    expect(html).toMatch(/<svg class="qr" role="img"/);
    expect(html).toContain('href="https://pre1a.payment.pagoefectivo.pe/');
    expect(html).toContain("Descargar / Imprimir");
    expect(html).toContain('<p class="hint" id="print-hint">');
    expect(html).toContain('href="/checkout"');
    expect(html).toContain('data-status-url="/status"');
    expect(html).toContain('data-cip="2495383"');
    expectSelfContained(html);
  });

  it("escapes a hostile merchant name, order reference and first name everywhere", () => {
    const evil = `<img src=x onerror=alert(1)>"'&`;
    const html = render({
      merchantName: `Tienda ${evil}`,
      orderReference: `#1<script>`,
      shopperFirstName: `<b>Rosa</b>`,
    });
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("#1<script>");
    expect(html).not.toContain("<b>Rosa</b>");
    expect(html).toContain("Tienda &lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;");
    expect(html).toContain("&lt;b&gt;Rosa&lt;/b&gt;, paga tu pedido");
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expectSelfContained(html);
  });

  it("hides disabled channels and whole groups", () => {
    const html = render({ enabledChannelGroups: ["online"], disabledChannels: ["bcp"] });
    expect(html).not.toContain("Agentes y agencias");
    expect(html).not.toContain("<summary>BCP</summary>");
    expect(html).toContain("<summary>BBVA</summary>");
    expect(html).not.toContain("Western Union");
  });

  it("renders English on request", () => {
    const html = render({ amount: { minor: 2500, currency: "USD" } }, "en");
    expect(html).toContain('<html lang="en">');
    expect(html).toContain("Pay before Tuesday, November 24, 10:15 AM, Lima time.");
    expect(html).toContain("US$ 25.00");
    expect(html).toContain("How to pay");
    expect(html).toContain("Download / Print");
    expect(html).toContain("<strong>Dólares</strong>");
  });

  it("paid: confirmation and next steps, no CIP to pay, no script", () => {
    const html = render({ status: "paid" });
    expect(html).toContain("¡Pago recibido!");
    expect(html).toContain("Guarda el comprobante");
    expect(html).toContain("S/ 149.90");
    expect(html).not.toContain('class="cip"');
    expect(html).not.toContain("Cómo pagar");
    expect(html).not.toContain("Elegir otro método de pago");
    expect(html).toContain("Volver a la tienda");
    expect(html).not.toContain("<script");
    expectSelfContained(html);
  });

  it("expired: says so, warns not to pay, offers another method, keeps polling", () => {
    const html = render({ status: "expired" });
    expect(html).toContain("Este código de pago venció");
    expect(html).toContain("No pagues este CIP");
    expect(html).toContain("queda cancelado");
    expect(html).toContain("Elegir otro método de pago");
    expect(html).not.toContain('class="cip"');
    expect(html).toContain('data-status="expired" data-status-url="/status"');
  });

  it("cancelled: says so and does not poll", () => {
    const html = render({ status: "cancelled" });
    expect(html).toContain("Este pedido fue cancelado");
    expect(html).toContain("No pagues este CIP.");
    expect(html).not.toContain("data-status-url");
    expect(html).not.toContain("<script");
  });

  it("without a cipUrl there is no QR and no link to PagoEfectivo", () => {
    const html = render({ cipUrl: undefined });
    expect(html).not.toContain('class="qr"');
    expect(html).not.toContain("pagoefectivo.pe");
  });

  it("carries no personal data beyond the first name, even if an adapter passes more", () => {
    const order = {
      ...sampleInput(),
      email: "rosa.quispe@example.pe",
      lastName: "Quispe",
      document: "DNI 45879632",
      phone: "987654321",
    };
    const html = renderVoucherPage(buildVoucherViewModel(order, { clock: clockAt() }), {
      nonce: NONCE,
    });
    expect(html).not.toMatch(/example\.pe|Quispe|DNI|45879632|987654321/);
    expect(html).toContain("Rosa");
  });
});
