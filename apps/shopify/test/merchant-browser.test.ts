/**
 * The merchant pages in a real browser (Debian's Chromium through playwright-core) with
 * JavaScript switched off: Polaris's stylesheet loads under the page's CSP, the forms work as
 * plain POSTs (cancel, dismiss, retry a dead letter, resolve an attention item, log out), and each
 * page is photographed to test-artifacts/merchant/ for a person to look at.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { http, HttpResponse } from "msw";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import {
  createAttentionItem,
  listOpenAttentionItems,
  listOutbox,
  raiseAlert,
  updateSettings,
} from "@pe-pay/engine";
import { DEMO_MERCHANT } from "../../sandbox/src/index";
import {
  createTestDatabase,
  type TestDatabase,
} from "../../../packages/engine/test/support/databases";
import { SESSION_COOKIE } from "../src/merchant/session";
import { WEBHOOK_PATHS } from "../src/webhooks/routes";
import {
  API_VERSION,
  eventually,
  fakeShopify,
  postJson,
  postWebhook,
  refundSessionBody,
  sessionHeaders,
  startAppHarness,
  type AppHarness,
} from "./app-harness";
import { merchantSession } from "./helpers";

const SHOTS = join(__dirname, "..", "..", "..", "test-artifacts", "merchant");

const shopify = fakeShopify();
let t: TestDatabase;
let h: AppHarness;
let browser: Browser;
let configured: { shop: string; tenantId: string };
let fresh: { shop: string; tenantId: string };
/** The voucher whose pending callback Shopify refused: a dead letter on the dashboard. */
let stuck: { gid: string; voucherId: string };

async function seedDashboard() {
  const { shop, tenantId } = configured;
  const url = (p: string) => `${h.app.url}${p}`;
  const start = async () => {
    const { body, voucher } = await h.startPayment(shop, tenantId);
    return { body, v: voucher };
  };
  const paid = await start();
  await start();
  const late = await start();
  await h.app.dispatcher.runOnce();
  // Shopify refuses the next callback for good: the dispatcher parks it and raises its alert.
  const refused = await start();
  shopify.server.use(
    http.post(`https://${shop}/payments_apps/api/${API_VERSION}/graphql.json`, () =>
      HttpResponse.json({ errors: [{ message: "forbidden" }] }, { status: 403 }),
    ),
  );
  await h.app.dispatcher.runOnce();
  shopify.server.resetHandlers();
  stuck = { gid: refused.body.gid, voucherId: refused.v.id };
  expect((await listOutbox(t.db, { aggregateId: refused.v.id }))[0]!.status).toBe("dead");
  await h.control("POST", `/_sandbox/cips/${paid.v.cip}/pay`, {});
  await eventually(async () => {
    const v = await h.app.engine.getVoucherByIdempotencyKey(tenantId, paid.body.id);
    return v?.status === "paid";
  });
  await h.app.dispatcher.runOnce();
  // One refund that goes out with the series, one held for a hand-typed credit-note number.
  expect(
    (
      await postJson(
        url("/shopify/refund-session"),
        refundSessionBody(paid.body.id, "20.00"),
        sessionHeaders(shop),
      )
    ).status,
  ).toBe(201);
  await eventually(async () => {
    const { rows } = await t.db.query("SELECT count(*) AS n FROM refunds WHERE tenant_id = $1", [
      tenantId,
    ]);
    return Number(rows[0]!.n) === 1;
  });
  await updateSettings(t.db, tenantId, { creditNotePolicy: "manual" });
  expect(
    (
      await postJson(
        url("/shopify/refund-session"),
        refundSessionBody(paid.body.id, "10.00"),
        sessionHeaders(shop),
      )
    ).status,
  ).toBe(201);
  await eventually(async () => {
    const { rows } = await t.db.query("SELECT count(*) AS n FROM refunds WHERE tenant_id = $1", [
      tenantId,
    ]);
    return Number(rows[0]!.n) === 2;
  });
  await h.app.runBackgroundOnce();
  await t.db.query("UPDATE vouchers SET expires_at = $2 WHERE id = $1", [
    late.v.id,
    new Date(Date.now() - 2 * 3_600_000),
  ]);
  // As the payment path records a second paid CIP of the order: the item and its kind's alert.
  await createAttentionItem(t.db, {
    tenantId,
    voucherId: paid.v.id,
    kind: "paid_twice",
    dedupeKey: `payment:${randomBytes(3).toString("hex")}`,
    detail: {
      cip: "2499001",
      operationNumber: "OP-77",
      amount: { minor: 14_990, currency: "PEN" },
    },
  });
  await raiseAlert(t.db, { tenantId, kind: "attention_item", key: "paid_twice" });
  await raiseAlert(t.db, { tenantId, kind: "signature_failure", key: "day", detail: { count: 3 } });
  await postWebhook(h.app.url, WEBHOOK_PATHS.compliance, "customers/data_request", shop, {
    shop_id: 1,
    shop_domain: shop,
    orders_requested: [],
    customer: { id: 4242, email: "rosa.quispe@example.pe", phone: null },
    data_request: { id: 77 },
  });
}

beforeAll(async () => {
  shopify.server.listen({ onUnhandledRequest: "bypass" });
  mkdirSync(SHOTS, { recursive: true });
  t = await createTestDatabase("pglite");
  h = await startAppHarness(t.db);
  configured = await h.install();
  const shopDomain = `nueva-${randomBytes(3).toString("hex")}.myshopify.com`;
  const created = await h.app.shops.upsertShopifyTenant({
    shopDomain,
    accessToken: "shpat_fresh",
    scope: "write_payment_gateways,write_payment_sessions",
  });
  fresh = { shop: shopDomain, tenantId: created.tenantId };
  await seedDashboard();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run"],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
  await t?.drop();
  shopify.server.close();
});

/** A context signed in to `shop`, JavaScript off, recording CSP complaints. */
async function signedIn(shop: string, viewport = { width: 1280, height: 900 }) {
  const context: BrowserContext = await browser.newContext({ javaScriptEnabled: false, viewport });
  await context.addCookies([
    { name: SESSION_COOKIE, value: merchantSession(shop).value, url: h.app.url },
  ]);
  const page = await context.newPage();
  const complaints: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) complaints.push(m.text());
  });
  return { context, page, complaints };
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

/** Polaris's stylesheet really applies: a primary button gets its dark fill. */
async function polarisApplied(page: Page): Promise<boolean> {
  const bg = await page
    .locator(".Polaris-Button--variantPrimary")
    .first()
    .evaluate((el) => getComputedStyle(el).backgroundColor);
  return bg !== "rgba(0, 0, 0, 0)" && bg !== "transparent";
}

it("first run: settings in Spanish, tested and saved with JavaScript off", async () => {
  const { page, complaints, context } = await signedIn(fresh.shop);
  await page.goto(`${h.app.url}/settings?lang=es`);
  await page.getByText("Aún no ha configurado sus credenciales de PagoEfectivo.").waitFor();
  expect(await polarisApplied(page)).toBe(true);
  await shot(page, "1-settings-first-run-es");

  await page.getByLabel("ID de servicio").fill(String(DEMO_MERCHANT.idService));
  await page.getByLabel("Access key").fill(DEMO_MERCHANT.accessKey);
  await page.getByLabel("Secret key").fill(DEMO_MERCHANT.secretKey);
  await page.getByLabel("Vigencia (horas)").fill("96");
  await page.getByRole("button", { name: "Probar conexión" }).click();
  await page.getByText("Revise los campos marcados:").waitFor();
  // The field says what is wrong with it, under the field.
  expect(await page.locator("#validity_hoursError").textContent()).toBe(
    "Ingrese un número entero de horas, de 1 a 70.",
  );
  await page.getByText("Sandbox (pruebas): Conexión exitosa").waitFor();
  await shot(page, "2-settings-check-with-error-es");

  await page.getByLabel("Vigencia (horas)").fill("48");
  await page.getByRole("button", { name: "Guardar y activar" }).click();
  // Saved: the app sends the merchant on to Shopify's gateway settings (a page msw does not
  // serve, so only the request is checked).
  await eventually(async () =>
    shopify.of("paymentsAppConfigure").some((m) => m.shop === fresh.shop),
  );
  expect(complaints).toEqual([]);
  await context.close();
});

it("settings in English with stored credentials", async () => {
  const { page, complaints, context } = await signedIn(configured.shop);
  await page.goto(`${h.app.url}/settings?lang=en`);
  await page.getByText("PagoEfectivo credentials").first().waitFor();
  expect(await page.locator("#notification_url").textContent()).toContain(
    "/notifications/pagoefectivo/",
  );
  await shot(page, "3-settings-stored-en");
  expect(complaints).toEqual([]);
  await context.close();
});

it("dashboard: attention items, vouchers, refunds and data requests; cancel and dismiss", async () => {
  const { page, complaints, context } = await signedIn(configured.shop);
  await page.goto(`${h.app.url}/dashboard?lang=es`);
  await page.getByText("Requiere su atención").waitFor();
  expect(await polarisApplied(page)).toBe(true);
  await shot(page, "4-dashboard-es");

  await page.getByRole("link", { name: "English" }).click();
  await page.getByText("Needs your attention").waitFor();
  await shot(page, "5-dashboard-en");

  await page.getByRole("link", { name: "Español" }).click();
  await page
    .getByRole("link", { name: /^Anular CIP/ })
    .first()
    .click();
  await page
    .locator("h1")
    .getByText(/¿Anular el código CIP \d+\?/)
    .waitFor();
  await shot(page, "6-cancel-confirm-es");
  await page.getByRole("button", { name: "Sí, anular el código" }).click();
  await page.getByText(/Código CIP \d+ anulado\./).waitFor();
  await shot(page, "7-dashboard-after-cancel-es");

  await page.getByRole("button", { name: "Marcar como resuelto" }).first().click();
  await page.getByText("Aviso marcado como resuelto.").waitFor();
  expect(complaints).toEqual([]);
  await context.close();
});

it("dashboard: retry a dead letter, resolve an attention item", async () => {
  const { page, complaints, context } = await signedIn(configured.shop);
  await page.goto(`${h.app.url}/dashboard?lang=es`);
  await page.getByRole("button", { name: "Reintentar envío" }).click();
  await page
    .getByText("La actualización se volverá a enviar a su tienda en unos segundos.")
    .waitFor();
  expect(await page.getByRole("button", { name: "Reintentar envío" }).count()).toBe(0);
  await shot(page, "10-dashboard-after-retry-es");
  await h.app.dispatcher.runOnce();
  expect(shopify.of("paymentSessionPending").map((m) => m.variables.id)).toContain(stuck.gid);
  expect((await listOutbox(t.db, { aggregateId: stuck.voucherId }))[0]!.status).toBe("delivered");

  await page.getByRole("link", { name: "Marcar como resuelto" }).click();
  await page.locator("h1").getByText("Resolver: Pago doble").waitFor();
  expect(await polarisApplied(page)).toBe(true);
  await shot(page, "11-resolve-item-es");

  // Nothing chosen: refused on the page, the item stays open.
  await page.getByLabel("Nota (opcional)").fill("Devuelto por Yape");
  await page.getByRole("button", { name: "Marcar como resuelto" }).click();
  await page.getByText("Revise los campos marcados:").waitFor();
  expect(await page.getByLabel("Nota (opcional)").inputValue()).toBe("Devuelto por Yape");
  await shot(page, "12-resolve-refused-es");
  expect(await listOpenAttentionItems(t.db, configured.tenantId)).toHaveLength(1);

  // Polaris draws its own circle over a transparent input: the merchant clicks the label.
  await page.getByText(/^Devolví el pago fuera de la app/).click();
  expect(await page.getByLabel(/^Devolví el pago fuera de la app/).isChecked()).toBe(true);
  await page.getByRole("button", { name: "Marcar como resuelto" }).click();
  await page.getByText("Marcado como resuelto: ya no está en la lista.").waitFor();
  expect(await page.getByRole("link", { name: "Marcar como resuelto" }).count()).toBe(0);
  await shot(page, "13-dashboard-after-resolve-es");
  expect(await listOpenAttentionItems(t.db, configured.tenantId)).toEqual([]);
  expect(complaints).toEqual([]);
  await context.close();
});

it("dashboard on a phone, and logging out", async () => {
  const { page, context } = await signedIn(configured.shop, { width: 390, height: 844 });
  await page.goto(`${h.app.url}/dashboard?lang=es`);
  await page.getByText("Requiere su atención").waitFor();
  await shot(page, "8-dashboard-phone-es");
  const signedInCookies = await context.cookies();
  await page.getByRole("button", { name: "Cerrar sesión" }).click();
  await page.getByText("Sesión cerrada").first().waitFor();
  await shot(page, "9-logged-out-es");
  await page.goto(`${h.app.url}/dashboard?lang=es`);
  await page.getByText("Sesión no válida").first().waitFor();
  // The cookie put back (as a copy of it would be): still refused, the logout was server-side.
  await context.addCookies(signedInCookies);
  await page.goto(`${h.app.url}/dashboard?lang=es`);
  await page.getByText("Sesión no válida").first().waitFor();
  await context.close();
});
