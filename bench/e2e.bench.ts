/**
 * e2e_checkout_to_voucher_p50_ms: the shopper's wait between the checkout click and a visible
 * CIP, over the real processes (sandbox, apps, demo store on free ports, temporary data) in
 * Debian's Chromium. ~20 checkouts per platform after one warm-up each.
 *   Shopify: "Pagar con PagoEfectivo" → the app's voucher page shows the CIP.
 *   WooCommerce: "Realizar el pedido" → the order-received page shows the CIP and voucher link.
 */
import { percentile } from "./measure";
import { launchChromium } from "../test/e2e/support/browser";
import { startStack } from "../test/e2e/support/stack";

const RUNS = 20;

export default async function (): Promise<Record<string, number>> {
  const [stack, browser] = await Promise.all([startStack(), launchChromium()]);
  try {
    const page = await browser.newPage();
    const demo = stack.url("demoStore");
    const measure = async (path: string, button: string, visible: string) => {
      const times: number[] = [];
      for (let i = 0; i <= RUNS; i++) {
        await page.goto(`${demo}${path}`);
        const t0 = performance.now();
        await page.getByRole("button", { name: button }).click();
        await page.getByText(visible).first().waitFor({ timeout: 30_000 });
        if (i > 0) times.push(performance.now() - t0); // the first one warms the JIT and caches
      }
      return times.sort((a, b) => a - b);
    };
    const shopify = await measure("/shopify", "Pagar con PagoEfectivo", "Tu código de pago (CIP)");
    const woo = await measure("/woo", "Realizar el pedido", "Código CIP:");
    const all = [...shopify, ...woo].sort((a, b) => a - b);
    const round = (n: number) => Math.round(n);
    return {
      e2e_checkout_to_voucher_p50_ms: round(percentile(all, 50)),
      e2e_checkout_to_voucher_shopify_p50_ms: round(percentile(shopify, 50)),
      e2e_checkout_to_voucher_shopify_p95_ms: round(percentile(shopify, 95)),
      e2e_checkout_to_voucher_woo_p50_ms: round(percentile(woo, 50)),
      e2e_checkout_to_voucher_woo_p95_ms: round(percentile(woo, 95)),
    };
  } finally {
    await browser.close();
    await stack.stop();
  }
}
