/**
 * The voucher in Debian's Chromium, served with its real security headers from a local server:
 * above-the-fold content on a small phone, no CSP violations, axe-core, copy, countdown, status
 * refresh, JavaScript off, print layouts. Screenshots land in test-artifacts/voucher/.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { systemClock } from "@pe-pay/core";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import {
  buildVoucherViewModel,
  createNonce,
  renderVoucherPage,
  renderVoucherStatusJson,
  securityHeaders,
  type VoucherInput,
  type VoucherDisplayStatus,
} from "../src/index";
import { clockAt, sampleInput } from "./fixtures";
import { startServer } from "./server";

jest.setTimeout(90_000);

const ARTIFACTS = join(__dirname, "../../../test-artifacts/voucher");
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const VIEWPORTS = [
  { name: "mobile", width: 360, height: 640 },
  { name: "desktop", width: 1280, height: 800 },
] as const;

/** Mutable status per case, as the platform would store it. */
const stored: Record<string, VoucherDisplayStatus> = {};
let soonExpiresAt = new Date();

function caseInput(name: string, url: URL): { input: VoucherInput; live: boolean } {
  const status = stored[name] ?? "pending";
  const statusUrl = `/status/${name}`;
  switch (name) {
    case "soon": // expires a few seconds after the server starts: real clock
      return { input: sampleInput({ status, expiresAt: soonExpiresAt, statusUrl }), live: true };
    case "hostile":
      return {
        input: sampleInput({
          status,
          statusUrl,
          merchantName: `<img src=https://evil.example/x.png onerror=alert(1)>Tienda "Andina"`,
          shopperFirstName: "<script>alert(1)</script>",
        }),
        live: false,
      };
    case "logo":
      return {
        input: sampleInput({ status, statusUrl, merchantLogoUrl: LOGO_DATA_URL }),
        live: false,
      };
    default:
      return {
        input: sampleInput({
          status: (url.searchParams.get("status") as VoucherDisplayStatus | null) ?? status,
          statusUrl,
          ...(url.searchParams.get("long")
            ? { cip: "123456789", merchantName: "Distribuidora Comercial Los Andes del Sur S.A.C." }
            : {}),
        }),
        live: false,
      };
  }
}

// A tiny 2×1 PNG (one gold, one dark pixel) as the merchant logo.
const LOGO_DATA_URL =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAAEElEQVR4nGPYuXj6////AQ1rBTNOGS7IAAAAAElFTkSuQmCC";

let origin = "";
let closeServer: () => Promise<void> = async () => {};
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const srv = await startServer((path, url) => {
    const [, kind, name = "pending", locale = "es"] = path.split("/");
    if (kind !== "v" && kind !== "status") return undefined;
    const { input, live } = caseInput(name, url);
    const vm = buildVoucherViewModel(input, {
      clock: live ? systemClock : clockAt(),
      locale: locale === "en" ? "en" : "es",
    });
    if (kind === "status") return renderVoucherStatusJson(vm);
    const nonce = createNonce();
    return {
      headers: securityHeaders(nonce),
      body: renderVoucherPage(vm, {
        nonce,
        assetsInline: true,
        pollIntervalMs: Number(url.searchParams.get("poll") ?? 15_000),
      }),
    };
  });
  origin = srv.origin;
  closeServer = srv.close;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--headless",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await closeServer();
});

/** Opens a page and records console errors, page errors and any request to another origin. */
async function open(
  context: BrowserContext,
  path: string,
): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("request", (req) => {
    if (!req.url().startsWith(origin) && !req.url().startsWith("data:")) {
      problems.push(`third-party request: ${req.url()}`);
    }
  });
  await page.goto(`${origin}${path}`);
  return { page, problems };
}

async function runAxe(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run();
    return result.violations as Array<{ id: string; help: string; nodes: { target: string[] }[] }>;
  });
  return violations.map((v) => `${v.id}: ${v.help} @ ${v.nodes.map((n) => n.target).join(", ")}`);
}

describe.each(VIEWPORTS)("voucher page at $width×$height", (vp) => {
  let context: BrowserContext;
  beforeAll(async () => {
    context = await browser.newContext({ viewport: { width: vp.width, height: vp.height } });
  });
  afterAll(() => context.close());

  it("shows CIP, amount, deadline and the first instruction without scrolling", async () => {
    const { page, problems } = await open(context, "/v/pending");
    for (const sel of ["#cip", "#amount", "#deadline", "#quick-steps li:first-child"]) {
      const box = await page.locator(sel).boundingBox();
      expect({ sel, box }).toEqual({ sel, box: expect.anything() });
      expect(box!.y).toBeGreaterThanOrEqual(0);
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect({ sel, bottom: box!.y + box!.height <= vp.height }).toEqual({ sel, bottom: true });
      expect({ sel, right: box!.x + box!.width <= vp.width }).toEqual({ sel, right: true });
    }
    // Nothing overflows sideways on a small phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      vp.width,
    );
    expect(await page.locator("#copy-cip").isVisible()).toBe(true);
    expect(await page.locator("#print").isVisible()).toBe(true);
    expect(await page.locator("#print-hint").isVisible()).toBe(false);
    expect(await page.locator("#refresh").isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, `pending-${vp.name}.png`) });
    await page.screenshot({ path: join(ARTIFACTS, `pending-${vp.name}-full.png`), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it.each(["paid", "expired", "cancelled"])("renders the %s state cleanly", async (status) => {
    const { page, problems } = await open(context, `/v/pending?status=${status}`);
    expect(await page.locator("h1").isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, `${status}-${vp.name}.png`) });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("a long merchant name and a 9-digit CIP still fit", async () => {
    const { page, problems } = await open(context, "/v/pending?long=1");
    expect(await page.locator("#cip").textContent()).toBe("123 456 789");
    const box = await page.locator("#cip").boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(vp.width);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      vp.width,
    );
    await page.screenshot({ path: join(ARTIFACTS, `long-${vp.name}.png`) });
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe("accessibility (axe-core)", () => {
  // axe is injected as an inline script, which the real CSP rightly refuses: bypass it here only.
  let context: BrowserContext;
  beforeAll(async () => {
    context = await browser.newContext({ bypassCSP: true });
  });
  afterAll(() => context.close());

  it.each([
    ["pending", 360, 640, "/v/pending"],
    ["pending", 1280, 800, "/v/pending"],
    ["English", 360, 640, "/v/pending/en"],
    ["paid", 360, 640, "/v/pending?status=paid"],
    ["expired", 1280, 800, "/v/pending?status=expired"],
    ["cancelled", 360, 640, "/v/pending?status=cancelled"],
    ["with logo", 360, 640, "/v/logo"],
  ])("%s at %i×%i has no violations", async (_label, width, height, path) => {
    const { page } = await open(context, path);
    await page.setViewportSize({ width, height });
    // Open one bank's steps so their content is checked too.
    if (await page.locator("details").count())
      await page.locator("details summary").first().click();
    expect(await runAxe(page)).toEqual([]);
    await page.close();
  });
});

describe("enhancements", () => {
  it("the copy button copies the digits without spaces and says so", async () => {
    const context = await browser.newContext({
      viewport: { width: 360, height: 640 },
      permissions: ["clipboard-read", "clipboard-write"],
    });
    const { page, problems } = await open(context, "/v/pending");
    await page.locator("#copy-cip").click();
    await page.waitForFunction(
      () => document.getElementById("copy-status")?.textContent === "CIP copiado",
    );
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("2495383");
    await page.screenshot({ path: join(ARTIFACTS, "copied-mobile.png") });
    expect(problems).toEqual([]);
    await context.close();
  });

  it("the countdown ticks, and at the deadline the page turns into the expired state", async () => {
    soonExpiresAt = new Date(Date.now() + 4_000);
    const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
    const { page, problems } = await open(context, "/v/soon?poll=60000");
    const first = await page.locator("#countdown").textContent();
    expect(first).toMatch(/^Te quedan 0 min [1-4] s$/);
    await page.waitForFunction(
      (before) => document.getElementById("countdown")?.textContent !== before,
      first,
    );
    // At zero the script asks the status endpoint, which now says "expired", and reloads.
    await page.waitForSelector("text=Este código de pago venció", { timeout: 15_000 });
    expect(await page.locator("body").getAttribute("data-status")).toBe("expired");
    expect(problems).toEqual([]);
    await context.close();
  });

  it("polls the status endpoint and reloads into the paid state when the payment lands", async () => {
    stored.polled = "pending";
    const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
    const { page, problems } = await open(context, "/v/polled?poll=300");
    expect(await page.locator("#cip").isVisible()).toBe(true);
    stored.polled = "paid";
    await page.waitForSelector("text=¡Pago recibido!", { timeout: 15_000 });
    expect(await page.locator("#cip").count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("hostile merchant data is shown as text and runs nothing", async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
    let dialogs = 0;
    context.on("dialog", (d) => {
      dialogs++;
      void d.dismiss();
    });
    const { page, problems } = await open(context, "/v/hostile");
    expect(await page.locator(".merchant span").textContent()).toContain("<img src=");
    expect(await page.locator("h1").textContent()).toContain("<script>");
    expect(await page.locator("img").count()).toBe(0);
    expect(dialogs).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe("without JavaScript", () => {
  it("still shows the CIP, amount, deadline and a way to keep the code", async () => {
    const context = await browser.newContext({
      viewport: { width: 360, height: 640 },
      javaScriptEnabled: false,
    });
    const { page, problems } = await open(context, "/v/pending");
    expect(await page.locator("#cip").textContent()).toBe("249 53 83");
    expect(await page.locator("#cip").isVisible()).toBe(true);
    expect(await page.locator("#amount").isVisible()).toBe(true);
    expect(await page.locator("#deadline").isVisible()).toBe(true);
    // Buttons that need a script stay hidden; the print hint shows instead.
    expect(await page.locator("#copy-cip").isVisible()).toBe(false);
    expect(await page.locator("#print").isVisible()).toBe(false);
    expect(await page.locator("#print-hint").isVisible()).toBe(true);
    expect(await page.locator("#refresh").isVisible()).toBe(false);
    // Bank steps open without a script.
    await page.locator("summary", { hasText: "BCP" }).click();
    expect(
      await page.locator("text=Entra a la app o a la banca por internet de BCP.").isVisible(),
    ).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, "nojs-mobile.png"), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe("print", () => {
  it("A4 and narrow receipt layouts keep the CIP, amount, deadline and barcode, drop buttons", async () => {
    const context = await browser.newContext({ viewport: { width: 794, height: 1123 } });
    const { page, problems } = await open(context, "/v/pending");
    await page.emulateMedia({ media: "print" });
    for (const sel of ["#cip", "#amount", "#deadline", "svg.barcode"]) {
      expect(await page.locator(sel).isVisible()).toBe(true);
    }
    expect(await page.locator("#print").isVisible()).toBe(false);
    expect(await page.locator("#countdown").isVisible()).toBe(false);
    await page.screenshot({ path: join(ARTIFACTS, "print-a4.png"), fullPage: true });
    // 80 mm receipt paper ≈ 302 CSS px.
    await page.setViewportSize({ width: 302, height: 900 });
    expect(await page.locator("svg.qr").isVisible()).toBe(false);
    expect(await page.locator("svg.barcode").isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, "print-receipt.png"), fullPage: true });
    const pdf = await page.pdf({ format: "A4" });
    expect(pdf.subarray(0, 4).toString()).toBe("%PDF");
    expect(problems).toEqual([]);
    await context.close();
  });
});
