/**
 * WooCommerce, end to end over the real processes (sandbox, bridge, demo store; the Shopify app
 * runs too, it is part of the stack) with Debian's Chromium. Screenshots of every step go to
 * test-artifacts/e2e/woo/.
 *
 * Every CIP lives E2E_VOUCHER_VALIDITY_SECONDS (90 s): the expiry flow checks out first (2a) and
 * is checked last (2b), so the file waits for one expiry while the other flows run.
 */
import type { Browser, Page } from "playwright-core";
import { launchChromium, screenshots } from "./support/browser";
import {
  completeRefundsAtAgent,
  deliveriesOf,
  payAtAgent as payAtSandboxAgent,
  sandboxCip,
} from "./support/sandbox";
import {
  E2E_VOUCHER_VALIDITY_SECONDS,
  eventually,
  putJson,
  startStack,
  type Stack,
} from "./support/stack";

jest.setTimeout(120_000);

let stack: Stack;
let browser: Browser;
const shot = screenshots("woo");

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack({ validityHours: 1 }), launchChromium()]);
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Checkout on the demo store → thank-you page; returns the order id, CIP and voucher link. */
async function checkout(page: Page, name: string) {
  await page.goto(`${stack.url("demoStore")}/woo`);
  await shot(page, `${name}-1-checkout`);
  await page.getByRole("button", { name: "Realizar el pedido" }).click();
  await page.waitForURL(/pedido-recibido\/\d+/);
  const orderId = /pedido-recibido\/(\d+)/.exec(page.url())![1]!;
  const cip = (await page
    .locator("strong", { hasText: /^\d{6,}$/ })
    .first()
    .textContent())!;
  await shot(page, `${name}-2-thank-you`);
  return { orderId, cip: cip.trim() };
}

async function openVoucher(page: Page) {
  await page.getByRole("link", { name: "Ver instrucciones de pago" }).click();
  await page.getByText("Tu código de pago (CIP)").waitFor();
}

async function adminOrder(page: Page, orderId: string) {
  await page.goto(`${stack.url("demoStore")}/woo/wp-admin/pedidos/${orderId}`);
}

async function waitForOrderStatus(page: Page, orderId: string, label: string, timeoutMs = 20_000) {
  await eventually(
    `order #${orderId} to show "${label}" in the WooCommerce admin`,
    async () => {
      await adminOrder(page, orderId);
      return (await page.locator(".card").first().textContent())?.includes(label);
    },
    timeoutMs,
    500,
  );
}

async function payAtAgent(page: Page, cip: string, name: string) {
  await payAtSandboxAgent(stack, page, cip, shot, name);
}

let expiring: { cip: string; orderId: string; voucher: string; startedAt: number } | undefined;

describe("WooCommerce", () => {
  test("2a. short validity: checkout now (the CIP's expiry is checked at the end of the file)", async () => {
    const page = await browser.newPage();
    const startedAt = Date.now();
    const { orderId, cip } = await checkout(page, "2");
    await openVoucher(page);
    expiring = { cip, orderId, voucher: page.url(), startedAt };
    await page.close();
  });

  test("1. checkout → voucher (CIP, barcode, amount, Lima deadline, how to pay) → paid at the agent → order paid, voucher says so", async () => {
    const page = await browser.newPage();
    const { orderId, cip } = await checkout(page, "1");
    await openVoucher(page);
    const voucher = page.url();
    const body = (await page.locator("body").textContent())!;
    expect(body).toContain(cip);
    expect(body).toMatch(/S\/\s?\d+[.,]\d{2}/);
    expect(body).toContain("hora de Lima");
    expect(body).toContain("Cómo pagar");
    // The store's WordPress site name (read by the bridge at connect time), not its host.
    expect(body).toContain("Bodega Demo (WooCommerce)");
    expect(await page.getByRole("img", { name: /Código de barras del CIP/ }).count()).toBe(1);
    await shot(page, "1-3-voucher");

    await payAtAgent(page, cip, "1-4");
    await waitForOrderStatus(page, orderId, "Procesando");
    expect(await page.locator("body").textContent()).toContain("Pago confirmado por PagoEfectivo");
    await shot(page, "1-5-admin-paid");

    await page.goto(voucher);
    await page.getByText("¡Pago recibido!").waitFor();
    await shot(page, "1-6-voucher-paid");
    await page.close();
  });

  test("3. paid order → partial refund, then the rest → both complete → fully refunded; above the balance is refused", async () => {
    const page = await browser.newPage();
    const { orderId, cip } = await checkout(page, "3");
    await payAtAgent(page, cip, "3-1");
    await waitForOrderStatus(page, orderId, "Procesando");

    await page.getByLabel(/Monto del reembolso/).fill("10.00");
    await page.getByRole("button", { name: /Reembolsar/ }).click();
    await page
      .getByRole("status")
      .getByText(/registrado y solicitado/)
      .waitFor();
    await shot(page, "3-2-partial-refund-requested");

    // Above the balance: refused with a readable message, nothing recorded.
    const remainingText = (await page.getByLabel(/Monto del reembolso/).inputValue()).trim();
    const above = (Number(remainingText) + 5).toFixed(2);
    await page.getByLabel(/Monto del reembolso/).fill(above);
    await page.getByRole("button", { name: /Reembolsar/ }).click();
    const refusal = page.getByRole("alert");
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(
      /No se pudo reembolsar: cantidad de reembolso no válida/,
    );
    await shot(page, "3-3-refund-above-balance-refused");

    await adminOrder(page, orderId);
    await page.getByRole("button", { name: /Reembolsar/ }).click(); // the field holds the rest
    await page
      .getByRole("status")
      .getByText(/registrado y solicitado/)
      .waitFor();

    // Both refunds reach the sandbox; the agent desk completes them.
    await completeRefundsAtAgent(stack, page, cip, 2, () => shot(page, "3-4-agent-refunds"));
    await eventually(
      "both refund completions noted on the order",
      async () => {
        await adminOrder(page, orderId);
        const text = (await page.locator("body").textContent())!;
        return (text.match(/completado por PagoEfectivo/g) ?? []).length >= 2;
      },
      20_000,
      500,
    );
    expect(await page.locator(".card").first().textContent()).toContain("Reembolsado");
    await shot(page, "3-5-admin-fully-refunded");
    await page.close();
  });

  test("4. notifications dropped by the sandbox → the order still becomes paid by polling", async () => {
    const page = await browser.newPage();
    await putJson(`${stack.url("sandbox")}/_sandbox/faults`, { notifications: { dropRate: 1 } });
    try {
      const { orderId, cip } = await checkout(page, "4");
      await payAtAgent(page, cip, "4-1");
      await waitForOrderStatus(page, orderId, "Procesando", 30_000);
      await shot(page, "4-2-admin-paid-by-polling");
      const paidNotices = await deliveriesOf(stack, cip, "cip.paid");
      expect(paidNotices.length).toBeGreaterThan(0);
      expect(paidNotices.every((d) => d.state === "dropped")).toBe(true);
    } finally {
      await putJson(`${stack.url("sandbox")}/_sandbox/faults`, {});
      await page.close();
    }
  });

  test("5. by design the voucher page offers no other payment method (WooCommerce does not let a shopper pay an on-hold order again)", async () => {
    const page = await browser.newPage();
    await checkout(page, "5");
    await openVoucher(page);
    expect(await page.getByText("Elegir otro método de pago").count()).toBe(0);
    await shot(page, "5-1-voucher-no-switch");
    await page.close();
  });

  test("2b. short validity → expiry → CIP deleted at the sandbox, order cancelled", async () => {
    expect(expiring).toBeDefined();
    const { cip, orderId, voucher, startedAt } = expiring!;
    const page = await browser.newPage();
    const left = startedAt + E2E_VOUCHER_VALIDITY_SECONDS * 1000 - Date.now();
    await waitForOrderStatus(page, orderId, "Cancelado", Math.max(left, 0) + 20_000);
    expect(await page.locator("body").textContent()).toMatch(/venció sin pago/);
    await shot(page, "2-3-admin-cancelled");
    expect((await sandboxCip(stack, cip))?.statusName).toBe("Eliminado");
    await page.goto(`${stack.url("sandbox")}/`);
    const row = page.locator("tr", { hasText: cip });
    expect(await row.getByRole("button", { name: "Pagar" }).count()).toBe(0);
    await shot(page, "2-4-agent-deleted");
    await page.goto(voucher);
    await page.getByText("Este código de pago venció").waitFor();
    await shot(page, "2-5-voucher-expired");
    await page.close();
  });
});
