/**
 * Shopify, end to end over the real processes (sandbox, Shopify app, demo store as Shopify) with
 * Debian's Chromium. Screenshots of every step go to test-artifacts/e2e/shopify/.
 *
 * Every CIP lives E2E_VOUCHER_VALIDITY_SECONDS (90 s): the expiry flow checks out first (2a) and
 * is checked last (2b), so the file waits for one expiry while the other flows run.
 */
import type { Browser, Page } from "playwright-core";
import { launchChromium, screenshots } from "./support/browser";
import { completeRefundsAtAgent, deliveriesOf, payAtAgent, sandboxCip } from "./support/sandbox";
import {
  E2E_VOUCHER_VALIDITY_SECONDS,
  eventually,
  getJson,
  putJson,
  startStack,
  type Stack,
} from "./support/stack";

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

/** Checkout on the demo shop → the app's voucher page; returns the CIP and the payment id. */
async function checkout(page: Page, name: string): Promise<{ cip: string; paymentId: string }> {
  await page.goto(`${stack.url("demoStore")}/shopify`);
  await shot(page, `${name}-1-checkout`);
  await page.getByRole("button", { name: "Pagar con PagoEfectivo" }).click();
  await page.getByText("Tu código de pago (CIP)").waitFor();
  expect(page.url().startsWith(`${stack.url("shopify")}/voucher/`)).toBe(true);
  const barcode = page.getByRole("img", { name: /Código de barras del CIP/ }).first();
  const cip = (await barcode.getAttribute("aria-label"))!.replace(/\D/g, "");
  // Tests run one at a time: the newest payment session in the demo admin is this checkout's.
  const admin = await browser.newPage();
  await admin.goto(`${stack.url("demoStore")}/shopify/admin/orders`);
  const href = await admin
    .locator('tbody a[href^="/shopify/admin/orders/"]')
    .first()
    .getAttribute("href");
  await admin.close();
  return { cip, paymentId: href!.split("/").pop()! };
}

async function adminOrder(page: Page, paymentId: string) {
  await page.goto(`${stack.url("demoStore")}/shopify/admin/orders/${paymentId}`);
}

/** Waits for the demo admin's payment badge (pagado, rechazado, …) of an order. */
async function waitForPaymentState(
  page: Page,
  paymentId: string,
  label: string,
  timeoutMs = 20_000,
) {
  await eventually(
    `Shopify payment ${paymentId} to show "${label}" in the demo admin`,
    async () => {
      await adminOrder(page, paymentId);
      return (
        (await page.locator(".card").first().locator(".badge").textContent())?.trim() === label
      );
    },
    timeoutMs,
    500,
  );
}

let expiring: { cip: string; paymentId: string; voucher: string; startedAt: number } | undefined;

describe("Shopify", () => {
  test("2a. short validity: checkout now (the CIP's expiry is checked at the end of the file)", async () => {
    const page = await browser.newPage();
    const startedAt = Date.now();
    const { cip, paymentId } = await checkout(page, "2");
    expiring = { cip, paymentId, voucher: page.url(), startedAt };
    await shot(page, "2-2-voucher");
    await page.close();
  });

  test("0. the merchant's settings page shows the notification URL the sandbox merchant has", async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.url("demoStore")}/shopify/admin/install`);
    await page.waitForURL(`${stack.url("shopify")}/settings**`);
    const url = (await page.locator("#notification_url").textContent())!.trim();
    expect(url).toMatch(
      new RegExp(`^${stack.url("shopify").replace(/\./g, "\\.")}/notifications/pagoefectivo/\\S+$`),
    );
    const merchants = await getJson<{
      data: Array<{ idService: number; notificationUrl: string }>;
    }>(`${stack.url("sandbox")}/_sandbox/merchants`);
    expect(merchants.data.find((m) => m.idService === 1234)?.notificationUrl).toBe(url);
    await shot(page, "0-settings-notification-url");
    await page.close();
  });

  test("1. checkout → voucher (CIP, barcode, amount, Lima deadline, how to pay) → paid at the agent → order paid, voucher says so", async () => {
    const page = await browser.newPage();
    const { cip, paymentId } = await checkout(page, "1");
    const voucher = page.url();
    const body = (await page.locator("body").textContent())!;
    expect(body.replace(/\s/g, "")).toContain(cip);
    expect(body).toMatch(/S\/\s?\d+[.,]\d{2}/);
    expect(body).toContain("hora de Lima");
    expect(body).toContain("Cómo pagar");
    await shot(page, "1-2-voucher");
    expect((await sandboxCip(stack, cip))?.statusName).toBe("Generado");

    await payAtAgent(stack, page, cip, shot, "1-3");
    await waitForPaymentState(page, paymentId, "pagado");
    await shot(page, "1-4-admin-paid");
    // Paid through the notification the seed registered from the settings page.
    const paidNotices = await deliveriesOf(stack, cip, "cip.paid");
    expect(paidNotices.map((d) => d.state)).toContain("delivered");

    await page.goto(voucher);
    await page.getByText("¡Pago recibido!").waitFor();
    await shot(page, "1-5-voucher-paid");
    await page.close();
  });

  test("3. paid order → partial refund, then the rest → both complete → fully refunded; above the balance is refused", async () => {
    const page = await browser.newPage();
    const { cip, paymentId } = await checkout(page, "3");
    await payAtAgent(stack, page, cip, shot, "3-1");
    await waitForPaymentState(page, paymentId, "pagado");

    await page.getByLabel(/Monto a reembolsar/).fill("10.00");
    await page.getByRole("button", { name: "Reembolsar" }).click();
    await page
      .getByRole("status")
      .getByText(/Reembolso de S\/ 10\.00 solicitado/)
      .waitFor();
    await shot(page, "3-2-partial-refund-requested");

    // Above the balance: refused with a readable message, nothing sent.
    const rest = (await page.getByLabel(/Monto a reembolsar/).inputValue()).trim();
    await page.getByLabel(/Monto a reembolsar/).fill((Number(rest) + 5).toFixed(2));
    await page.getByRole("button", { name: "Reembolsar" }).click();
    const refusal = page.getByRole("alert");
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/supera el saldo reembolsable/);
    await shot(page, "3-3-refund-above-balance-refused");

    await adminOrder(page, paymentId);
    expect((await page.getByLabel(/Monto a reembolsar/).inputValue()).trim()).toBe(rest);
    await page.getByRole("button", { name: "Reembolsar" }).click(); // the field holds the rest
    await page
      .getByRole("status")
      .getByText(/solicitado a la app/)
      .waitFor();

    await completeRefundsAtAgent(stack, page, cip, 2, () => shot(page, "3-4-agent-refunds"));
    await eventually(
      "both refund sessions resolved in the demo admin",
      async () => {
        await adminOrder(page, paymentId);
        const badges = await page.locator(".card").nth(1).locator("tbody .badge").allTextContents();
        return badges.length === 2 && badges.every((b) => b.trim() === "reembolsado");
      },
      20_000,
      500,
    );
    const status = await page.locator(".card").first().locator(".badge").allTextContents();
    expect(status.map((b) => b.trim())).toEqual(["pagado", "reembolsado"]);
    expect(await page.locator("body").textContent()).toContain("No queda saldo por reembolsar");
    await shot(page, "3-5-admin-fully-refunded");
    await page.close();
  });

  test("4. notifications dropped by the sandbox → the order still becomes paid by polling", async () => {
    const page = await browser.newPage();
    await putJson(`${stack.url("sandbox")}/_sandbox/faults`, { notifications: { dropRate: 1 } });
    try {
      const { cip, paymentId } = await checkout(page, "4");
      await payAtAgent(stack, page, cip, shot, "4-1");
      await waitForPaymentState(page, paymentId, "pagado", 30_000);
      await shot(page, "4-2-admin-paid-by-polling");
      const paidNotices = await deliveriesOf(stack, cip, "cip.paid");
      expect(paidNotices.length).toBeGreaterThan(0);
      expect(paidNotices.every((d) => d.state === "dropped")).toBe(true);
    } finally {
      await putJson(`${stack.url("sandbox")}/_sandbox/faults`, {});
      await page.close();
    }
  });

  test("5. shopper picks another payment method on the voucher page → CIP deleted, back to checkout", async () => {
    const page = await browser.newPage();
    const { cip } = await checkout(page, "5");
    await page.getByRole("link", { name: "Elegir otro método de pago" }).click();
    await page.getByText(/Elegir otro medio de pago\?/).waitFor();
    await shot(page, "5-2-switch-confirm");
    await page.getByRole("button", { name: "Sí, elegir otro medio" }).click();
    await page.waitForURL(/\/shopify\/checkouts\/[0-9a-f]+\/processing/);
    await page.getByRole("button", { name: "Pagar con PagoEfectivo" }).waitFor();
    await shot(page, "5-3-back-to-checkout");
    await eventually(`CIP ${cip} deleted at the sandbox`, async () => {
      const c = await sandboxCip(stack, cip);
      return c?.statusName === "Eliminado";
    });
    await page.close();
  });

  test("2b. short validity → expiry → CIP deleted at the sandbox, payment rejected", async () => {
    expect(expiring).toBeDefined();
    const { cip, paymentId, voucher, startedAt } = expiring!;
    const page = await browser.newPage();
    const left = startedAt + E2E_VOUCHER_VALIDITY_SECONDS * 1000 - Date.now();
    await waitForPaymentState(page, paymentId, "rechazado", Math.max(left, 0) + 20_000);
    expect(await page.locator(".card").first().textContent()).toContain(cip);
    await shot(page, "2-3-admin-rejected");
    expect((await sandboxCip(stack, cip))?.statusName).toBe("Eliminado");
    await page.goto(`${stack.url("sandbox")}/`);
    expect(
      await page.locator("tr", { hasText: cip }).getByRole("button", { name: "Pagar" }).count(),
    ).toBe(0);
    await shot(page, "2-4-agent-deleted");
    await page.goto(voucher);
    await page.getByText("Este código de pago venció").waitFor();
    await shot(page, "2-5-voucher-expired");
    await page.close();
  });
});
