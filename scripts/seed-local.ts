/**
 * First-run (and every-run) local setup, done by driving the real flows over HTTP, as a newcomer
 * would click through them:
 *  - Shopify: "Instalar app" on the demo shop (OAuth against the demo store), then the app's
 *    settings page: PagoEfectivo sandbox credentials (merchant 1234), and the sandbox merchant's
 *    notification URL set to the one the settings page shows.
 *  - WooCommerce: "Conectar con PagoEfectivo" (wc-auth against the demo store), the bridge's
 *    settings page: sandbox credentials (merchant 1235), and the sandbox merchant's notification
 *    URL set to the bridge's.
 *
 * Idempotent: the demo store and the sandbox keep their state in memory (reset on restart) while
 * the apps persist theirs, so every start repeats the flows; the apps update what they already
 * have (same tenant for the same shop / store URL) instead of creating duplicates, and settings
 * are only written when missing.
 */
import { adminLoginUrl } from "../apps/woocommerce/src/wiring/admin";
import { DEMO_SHOP, SANDBOX_MERCHANTS, type ServiceId } from "./services";

export interface SeedTargets {
  url(id: ServiceId): string;
}

export interface SeedOptions {
  log?: (line: string) => void;
  /** CIP validity the seed writes when it configures a store (hours). */
  validityHours?: number;
}

export interface SeedResult {
  shopify: { shop: string; notificationUrl: string; configured: "now" | "already" };
  woocommerce: { storeId: string; notificationUrl: string; configured: "now" | "already" };
}

/** A minimal browser: cookies per origin, manual redirects so each hop can be checked. */
export class HttpSession {
  private readonly jar = new Map<string, Map<string, string>>();

  cookieHeader(url: string): string {
    const host = new URL(url).host;
    return [...(this.jar.get(host) ?? new Map<string, string>()).entries()]
      .map(([k, v]) => `${k}=${v}`)
      .join("; ");
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(url);
    if (cookie) headers.set("cookie", cookie);
    const res = await fetch(url, {
      ...init,
      headers,
      redirect: "manual",
      signal: AbortSignal.timeout(20_000),
    });
    const host = new URL(url).host;
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const i = pair!.indexOf("=");
      if (i <= 0) continue;
      const jar = this.jar.get(host) ?? new Map<string, string>();
      const value = pair!.slice(i + 1).trim();
      if (value === "" || /max-age=0|expires=thu, 01 jan 1970/i.test(line))
        jar.delete(pair!.slice(0, i).trim());
      else jar.set(pair!.slice(0, i).trim(), value);
      this.jar.set(host, jar);
    }
    return res;
  }

  /**
   * Follows redirects like a browser (303/302 → GET) until `stop(url)` says to stop at a URL,
   * or a non-redirect answer arrives. Returns the last response and its URL.
   */
  async follow(
    url: string,
    init: RequestInit = {},
    stop: (next: URL) => boolean = () => false,
  ): Promise<{ res: Response; url: string; stoppedAt?: URL }> {
    let current = url;
    let res = await this.request(current, init);
    for (let hops = 0; hops < 15; hops++) {
      const location = res.headers.get("location");
      if (res.status < 300 || res.status >= 400 || !location) return { res, url: current };
      const next = new URL(location, current);
      await res.body?.cancel();
      if (stop(next)) return { res, url: current, stoppedAt: next };
      current = next.toString();
      res = await this.request(current);
    }
    throw new Error(`too many redirects from ${url}`);
  }
}

const attr = (html: string, re: RegExp, what: string): string => {
  const m = re.exec(html);
  if (!m) throw new Error(`seed: ${what} not found in the page`);
  return m[1]!;
};

async function expectOk(res: Response, what: string): Promise<string> {
  const text = await res.text();
  if (!res.ok) throw new Error(`seed: ${what} answered HTTP ${res.status}: ${text.slice(0, 300)}`);
  return text;
}

/** Installs the Shopify app on the demo shop and saves sandbox credentials (once). */
export async function seedShopify(
  t: SeedTargets,
  opts: SeedOptions = {},
): Promise<SeedResult["shopify"]> {
  const log = opts.log ?? (() => {});
  const demo = t.url("demoStore");
  const app = t.url("shopify");
  const browser = new HttpSession();
  log("Shopify: instalando la app en la tienda demo (OAuth)…");
  const install = await browser.follow(`${demo}/shopify/admin/install`);
  const settingsHtml = await expectOk(install.res, `Shopify install (${install.url})`);
  if (!install.url.startsWith(`${app}/settings`))
    throw new Error(`seed: Shopify install ended at ${install.url}, expected the app's settings`);

  // Saved again even when present: the demo store forgets the app's configuration on restart,
  // and an unchanged save only repeats paymentsAppConfigure (no new live check).
  // The merchant page marks stored credentials with a "Guardadas" badge.
  const already = />\s*Guardadas\s*</.test(settingsHtml);
  const csrf = attr(settingsHtml, /name="_csrf" value="([^"]+)"/, "Shopify settings CSRF token");
  const m = SANDBOX_MERCHANTS.shopify;
  const form = new URLSearchParams({
    _csrf: csrf,
    lang: "es",
    sandbox_id_service: String(m.idService),
    sandbox_access_key: m.accessKey,
    sandbox_secret_key: m.secretKey,
    environment: "sandbox",
    validity_hours: String(opts.validityHours ?? 24),
    // "series": refunds go out at once (under "manual" each waits for a typed credit-note number).
    credit_note_policy: "series",
    credit_note_series: "F001",
    credit_note_next_number: "1",
    action: "save",
  });
  form.append("channels", "online_banking");
  form.append("channels", "agents");
  log(
    already
      ? "Shopify: credenciales de PagoEfectivo ya guardadas; se reenvía la configuración."
      : "Shopify: guardando credenciales sandbox de PagoEfectivo…",
  );
  const saved = await browser.request(`${app}/settings`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
  });
  if (saved.status !== 303) {
    const body = await saved.text();
    // Polaris renders the page's error as an alert banner; its text is the reason.
    const banner = /role="alert"[^>]*>([\s\S]{0,1200}?)<\/div>\s*<\/div>/.exec(body)?.[1];
    throw new Error(
      `seed: Shopify settings were not saved (HTTP ${saved.status})${
        banner
          ? `: ${banner
              .replace(/<[^>]+>/g, " ")
              .replace(/\s+/g, " ")
              .trim()}`
          : ""
      }`,
    );
  }
  await saved.body?.cancel();

  // As a merchant would paste it in PagoEfectivo's portal: the sandbox forgets it on restart.
  const notificationUrl = attr(
    settingsHtml,
    /<code[^>]*id="notification_url"[^>]*>(https?:\/\/[^<]+\/notifications\/pagoefectivo\/[^<]+)<\/code>/,
    "Shopify notification URL",
  );
  const put = await fetch(`${t.url("sandbox")}/_sandbox/merchants/${m.idService}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ accessKey: m.accessKey, secretKey: m.secretKey, notificationUrl }),
  });
  await expectOk(put, "sandbox merchant (Shopify)");
  return { shop: DEMO_SHOP, notificationUrl, configured: already ? "already" : "now" };
}

/**
 * Connects the demo WooCommerce store to the bridge and configures it. The bridge's settings page
 * opens with a login link signed by the plugin's shared secret, which only the plugin holds; so
 * the seed first connects on its own behalf (claiming the one-time code itself), configures the
 * store, and then lets the demo store's plugin connect normally (which replaces the secret).
 */
export async function seedWooCommerce(
  t: SeedTargets,
  opts: SeedOptions = {},
): Promise<SeedResult["woocommerce"]> {
  const log = opts.log ?? (() => {});
  const demo = t.url("demoStore");
  const bridge = t.url("woocommerce");
  const sandbox = t.url("sandbox");
  const storeUrl = `${demo}/woo`;
  const browser = new HttpSession();

  log("WooCommerce: autorizando el puente en la tienda demo (wc-auth)…");
  const returnUrl = `${storeUrl}/wp-admin/ajustes`;
  const start = `${bridge}/wc-auth/v1/start?store_url=${encodeURIComponent(storeUrl)}&return_url=${encodeURIComponent(returnUrl)}`;
  const grant = await browser.follow(start);
  const grantHtml = await expectOk(grant.res, "wc-auth authorize page");
  const nonce = attr(grantHtml, /name="nonce" value="([0-9a-f]+)"/, "wc-auth grant nonce");
  const approved = await browser.follow(
    `${demo}/woo/wc-auth/v1/access_granted`,
    {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ nonce }).toString(),
    },
    (next) => next.searchParams.has("pe_claim") || next.searchParams.has("pe_error"),
  );
  const claimCode = approved.stoppedAt?.searchParams.get("pe_claim");
  if (!claimCode) {
    const body = approved.stoppedAt ? "" : await approved.res.text();
    throw new Error(
      `seed: WooCommerce authorization failed (${approved.stoppedAt?.searchParams.get("pe_error") ?? `HTTP ${approved.res.status} ${body.replace(/<[^>]+>/g, " ").slice(0, 300)}`})`,
    );
  }
  const claimed = await fetch(`${bridge}/wc-auth/v1/claim`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ claim: claimCode }),
  });
  const creds = JSON.parse(await expectOk(claimed, "wc-auth claim")) as {
    store_id: string;
    shared_secret: string;
  };

  const login = adminLoginUrl({
    publicUrl: bridge,
    storeId: creds.store_id,
    pluginSecret: creds.shared_secret,
    timestamp: Math.floor(Date.now() / 1000),
  });
  const settings = await browser.follow(login);
  const html = await expectOk(settings.res, "bridge settings page");
  const notificationUrl = attr(
    html,
    /<code>(https?:\/\/[^<]+\/notifications\/pagoefectivo\/[^<]+)<\/code>/,
    "notification URL",
  );
  const m = SANDBOX_MERCHANTS.woocommerce;
  // The sandbox forgets merchants on restart: (re)create the store's own, pointing at the bridge.
  const put = await fetch(`${sandbox}/_sandbox/merchants/${m.idService}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ accessKey: m.accessKey, secretKey: m.secretKey, notificationUrl }),
  });
  await expectOk(put, "sandbox merchant");

  let configured: "now" | "already" = "already";
  if (!html.includes(`name="id_service" inputmode="numeric" value="${m.idService}"`)) {
    log("WooCommerce: guardando credenciales sandbox de PagoEfectivo…");
    const csrf = attr(html, /name="csrf" value="([^"]+)"/, "bridge settings CSRF token");
    const form = new URLSearchParams({
      csrf,
      environment: "sandbox",
      id_service: String(m.idService),
      access_key: m.accessKey,
      secret_key: m.secretKey,
      validity_hours: String(opts.validityHours ?? 24),
      // "series": refunds go out at once (under "manual" each waits for a typed credit-note number).
      credit_note_policy: "series",
      credit_note_series: "F001",
      credit_note_next_number: "1",
    });
    form.append("channels", "online_banking");
    form.append("channels", "agents");
    const saved = await browser.request(`${bridge}/admin/v1/settings`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    });
    const savedHtml = await saved.text();
    if (!saved.ok || !savedHtml.includes('class="ok"')) {
      const err = /class="err"[^>]*>([^<]+)</.exec(savedHtml)?.[1];
      throw new Error(`seed: bridge settings not saved (HTTP ${saved.status}): ${err ?? "?"}`);
    }
    configured = "now";
  }

  log("WooCommerce: conectando el plugin de la tienda demo (Conectar con PagoEfectivo)…");
  const connect = await browser.follow(
    `${demo}/woo/wp-admin/admin-post.php?action=pagoefectivo_connect`,
  );
  const connectHtml = await expectOk(connect.res, "plugin connect");
  const grant2 = attr(connectHtml, /name="nonce" value="([0-9a-f]+)"/, "wc-auth grant nonce");
  const done = await browser.follow(`${demo}/woo/wc-auth/v1/access_granted`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ nonce: grant2 }).toString(),
  });
  if (!done.url.includes("pe_connected=1")) {
    throw new Error(`seed: the demo store's plugin did not connect (ended at ${done.url})`);
  }
  await done.res.body?.cancel();
  return { storeId: creds.store_id, notificationUrl, configured };
}

export async function seedLocal(t: SeedTargets, opts: SeedOptions = {}): Promise<SeedResult> {
  const [shopify, woocommerce] = await Promise.all([
    seedShopify(t, opts),
    seedWooCommerce(t, opts),
  ]);
  return { shopify, woocommerce };
}
