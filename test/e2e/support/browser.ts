/** Debian's Chromium through playwright-core (never a downloaded browser) and step screenshots. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { ROOT } from "./stack";

export const ARTIFACTS = join(ROOT, "test-artifacts", "e2e");

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
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
}

/** `shot("woo", "1-voucher")` → test-artifacts/e2e/woo/1-voucher.png (full page). */
export function screenshots(platform: string) {
  const dir = join(ARTIFACTS, platform);
  mkdirSync(dir, { recursive: true });
  return async (page: Page, name: string) => {
    await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
  };
}
