/* PagoEfectivo for the block checkout. Plain JS on purpose: no build step. */
(function () {
  const { registerPaymentMethod } = window.wc.wcBlocksRegistry;
  const settings = window.wc.wcSettings.getSetting("pagoefectivo_data", {});
  const { createElement } = window.wp.element;
  const decode = window.wp.htmlEntities ? window.wp.htmlEntities.decodeEntities : (s) => s;
  const title = decode(settings.title || "PagoEfectivo");
  const Content = () => createElement("p", null, decode(settings.description || ""));
  registerPaymentMethod({
    name: "pagoefectivo",
    label: createElement("span", null, title),
    content: createElement(Content),
    edit: createElement(Content),
    canMakePayment: () => true,
    ariaLabel: title,
    supports: { features: settings.supports || ["products"] },
  });
})();
