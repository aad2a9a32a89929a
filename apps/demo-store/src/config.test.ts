import { loadConfig } from "./config";

describe("DEMO_WOO_FIRST_ORDER_ID", () => {
  it("is optional: without it the store keeps its default first order id", () => {
    expect(loadConfig({}).firstWooOrderId).toBeUndefined();
  });

  it("sets the first WooCommerce order id", () => {
    expect(loadConfig({ DEMO_WOO_FIRST_ORDER_ID: "28512345" }).firstWooOrderId).toBe(28512345);
  });

  it("refuses a value that is not a positive integer, naming the variable", () => {
    for (const bad of ["abc", "0", "12.5", "-3"])
      expect(() => loadConfig({ DEMO_WOO_FIRST_ORDER_ID: bad })).toThrow(/DEMO_WOO_FIRST_ORDER_ID/);
  });
});
