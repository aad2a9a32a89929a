import { createVoucherBody, usableReturnUrl } from "./plugin-schemas";

describe("return_url from the plugin", () => {
  it("keeps absolute http(s) URLs, normalised", () => {
    expect(
      usableReturnUrl(
        "https://tienda.example.pe/finalizar-compra/order-received/4821/?key=wc_order_x",
      ),
    ).toBe("https://tienda.example.pe/finalizar-compra/order-received/4821/?key=wc_order_x");
    expect(usableReturnUrl("https://tienda.example.pe/mi-cuenta/view-order/4821/")).toBe(
      "https://tienda.example.pe/mi-cuenta/view-order/4821/",
    );
  });

  it("drops what it cannot use instead of failing the checkout", () => {
    for (const bad of [
      undefined,
      "",
      "/relative",
      "javascript:alert(1)",
      "ftp://x.pe/a",
      "https://u:p@tienda.example.pe/",
    ])
      expect(usableReturnUrl(bad)).toBeUndefined();
    const parsed = createVoucherBody.safeParse({
      order_id: 1,
      attempt: 1,
      order_number: "1",
      amount: "1.00",
      currency: "PEN",
      email: "a@b.pe",
      return_url: "not a url",
    });
    expect(parsed.success).toBe(true);
  });
});
