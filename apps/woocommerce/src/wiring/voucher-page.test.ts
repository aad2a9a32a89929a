import { returnUrl } from "./voucher-page";

const v = (url: unknown) => ({ platformData: { orderId: 4821, returnUrl: url } });
const thanks = "https://tienda.example.pe/finalizar-compra/order-received/4821/?key=wc_order_x";

describe("the voucher page's way back to the store", () => {
  it("is the order page the plugin sent when it is on the store's host", () => {
    expect(returnUrl(v(thanks), "https://tienda.example.pe")).toEqual({ returnUrl: thanks });
    // WordPress may report an http home URL while the shop itself is served over https.
    expect(returnUrl(v(thanks), "http://tienda.example.pe")).toEqual({ returnUrl: thanks });
  });

  it("is the store's home for anything else (no open redirect)", () => {
    const home = { returnUrl: "https://tienda.example.pe" };
    expect(returnUrl(v("https://evil.example/x"), "https://tienda.example.pe")).toEqual(home);
    expect(returnUrl(v("http://tienda.example.pe/x"), "https://tienda.example.pe")).toEqual(home);
    expect(
      returnUrl(v("https://tienda.example.pe.evil.example/"), "https://tienda.example.pe"),
    ).toEqual(home);
    expect(returnUrl(v(undefined), "https://tienda.example.pe")).toEqual(home);
    expect(returnUrl(v("::"), "https://tienda.example.pe")).toEqual(home);
    expect(returnUrl(v(thanks), undefined)).toEqual({});
  });
});
