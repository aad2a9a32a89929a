import { clockAt, sampleInput } from "../test/fixtures";
import { buildVoucherViewModel, renderVoucherEmail } from "./index";
import type { VoucherInput } from "./index";

const email = (over: Partial<VoucherInput> = {}, locale: "es" | "en" = "es") =>
  renderVoucherEmail(buildVoucherViewModel(sampleInput(over), { clock: clockAt(), locale }));

describe("renderVoucherEmail", () => {
  it("pending: subject, table layout with inline CSS, no script, barcode as cid PNG", async () => {
    const mail = await email();
    expect(mail.subject).toBe("Tu código de pago 249 53 83 para el pedido #1001");
    expect(mail.html).toContain('<table role="presentation"');
    expect(mail.html).not.toMatch(/<script|<style|<link|<svg/);
    expect(mail.html).toContain("249 53 83");
    expect(mail.html).toContain("S/ 149.90");
    expect(mail.html).toContain("martes 24 de noviembre, 10:15 a. m., hora de Lima");
    const [att] = mail.attachments;
    expect(att).toBeDefined();
    expect(mail.html).toContain(`src="cid:${att!.cid}"`);
    expect(att!.contentType).toBe("image/png");
    expect(att!.content.subarray(1, 4).toString()).toBe("PNG");
    expect(mail.html).toContain('href="https://tienda.example.pe/apps/pe/v/tok"');
    // Every src is the cid image: nothing is fetched from a server when the mail is opened.
    expect(mail.html.match(/\ssrc="/g)).toHaveLength(1);
  });

  it("has a plain-text alternative with everything needed to pay", async () => {
    const { text } = await email();
    expect(text).toContain("Tu código de pago (CIP): 249 53 83");
    expect(text).toContain("Monto a pagar: S/ 149.90");
    expect(text).toContain("Paga antes del martes 24 de noviembre");
    expect(text).toContain("1. En la app o web de tu banco");
    expect(text).toContain("Tambo+");
    expect(text).not.toMatch(/<[a-z]/i);
  });

  it("escapes hostile merchant names in HTML and keeps them literal in text", async () => {
    const mail = await email({ merchantName: "<a href=//x>Tienda</a>" });
    expect(mail.html).not.toContain("<a href=//x>");
    expect(mail.html).toContain("&lt;a href=//x&gt;Tienda&lt;/a&gt;");
    expect(mail.text).toContain("<a href=//x>Tienda</a>");
  });

  it("English and closed states", async () => {
    expect((await email({}, "en")).subject).toBe("Your payment code 249 53 83 for order #1001");
    const paid = await email({ status: "paid" });
    expect(paid.subject).toBe("¡Pago recibido! Pedido #1001");
    expect(paid.attachments).toHaveLength(0);
    expect(paid.text).toContain("Guarda el comprobante");
    const cancelled = await email({ status: "cancelled" });
    expect(cancelled.html).toContain("Este pedido fue cancelado");
  });
});
