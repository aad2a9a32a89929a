/**
 * Shopify, end to end over the real processes (sandbox, Shopify app, demo store as Shopify) with
 * Debian's Chromium. Screenshots of every step go to test-artifacts/e2e/shopify/.
 */
import type { Browser, Page } from "playwright-core";
import { launchChromium, screenshots } from "./support/browser";
import { eventually, getJson, startStack, type Stack } from "./support/stack";

jest.setTimeout(120_000);

let stack: Stack;
let browser: Browser;
const shot = screenshots("shopify");

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack({ validityHours: 1 }), launchChromium()]);
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

interface SandboxCip {
  cip: number;
  statusName: string;
}

async function sandboxCip(cip: string): Promise<SandboxCip | undefined> {
  const all = await getJson<{ data: SandboxCip[] }>(`${stack.url("sandbox")}/_sandbox/cips`);
  return all.data.find((c) => String(c.cip) === cip);
}

/** Checkout on the demo shop → the app's voucher page; returns the CIP. */
async function checkout(page: Page, name: string): Promise<string> {
  await page.goto(`${stack.url("demoStore")}/shopify`);
  await shot(page, `${name}-1-checkout`);
  await page.getByRole("button", { name: "Pagar con PagoEfectivo" }).click();
  await page.getByText("Tu código de pago (CIP)").waitFor();
  expect(page.url().startsWith(`${stack.url("shopify")}/voucher/`)).toBe(true);
  const barcode = await page.getByRole("img", { name: /Código de barras del CIP/ }).first();
  const label = (await barcode.getAttribute("aria-label"))!;
  return label.replace(/\D/g, "");
}

describe("Shopify", () => {
  test("1. checkout → voucher page shows CIP, barcode, amount, Lima deadline and how to pay", async () => {
    const page = await browser.newPage();
    const cip = await checkout(page, "1");
    const body = (await page.locator("body").textContent())!;
    expect(body.replace(/\s/g, "")).toContain(cip);
    expect(body).toMatch(/S\/\s?\d+[.,]\d{2}/);
    expect(body).toContain("hora de Lima");
    expect(body).toContain("Cómo pagar");
    await shot(page, "1-2-voucher");
    expect((await sandboxCip(cip))?.statusName).toBe("Generado");
    await page.close();
  });

  // The sandbox cannot notify the Shopify app: its settings page does not show the tenant's
  // notification URL (/notifications/pagoefectivo/<token>), so the seed cannot register it, and
  // polling only starts after the engine's fixed 10-minute pollAfterMs.
  test.skip("1b. paid at the agent → order paid (demo admin) and the voucher says so", () => {});
  test.skip("2. short validity → expiry → CIP deleted at the sandbox, order cancelled", () => {});
  test.skip("3. partial refund, then the rest; above the balance refused", () => {});
  test.skip("4. notifications dropped → paid by polling", () => {});

  test("5. shopper picks another payment method on the voucher page → CIP deleted, back to checkout", async () => {
    const page = await browser.newPage();
    const cip = await checkout(page, "5");
    await page.getByRole("link", { name: "Elegir otro método de pago" }).click();
    await page.getByText(/Elegir otro medio de pago\?/).waitFor();
    await shot(page, "5-2-switch-confirm");
    await page.getByRole("button", { name: "Sí, elegir otro medio" }).click();
    await page.waitForURL(/\/shopify\/checkouts\/[0-9a-f]+\/processing/);
    await page.getByRole("button", { name: "Pagar con PagoEfectivo" }).waitFor();
    await shot(page, "5-3-back-to-checkout");
    await eventually(`CIP ${cip} deleted at the sandbox`, async () => {
      const c = await sandboxCip(cip);
      return c?.statusName === "Eliminado";
    });
    await page.close();
  });
});
