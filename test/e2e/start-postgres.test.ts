/**
 * `pnpm start` with DATABASE_URL, as a user runs it: scripts/start.ts as a child process on free
 * ports (PE_SANDBOX_PORT, DEMO_STORE_PORT, SHOPIFY_PORT, WOO_PORT) with a temporary DATA_DIR,
 * against a throw-away PostgreSQL database made and dropped here. Checks that each app gets its
 * own migrated database, every service answers /healthz, a checkout on each side of the demo
 * store produces a CIP voucher stored in that app's database, and that a restart on the same
 * databases still takes new orders (the demo store forgets its orders, the apps do not).
 *
 * No browser: the checkouts are the demo store's plain HTML forms, posted over HTTP.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { MIGRATIONS } from "../../packages/engine/src/migrations/index";
import { SANDBOX_MERCHANTS } from "../../scripts/services";
import { eventually, ROOT } from "./support/stack";

jest.setTimeout(180_000);

const PG_BASE = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

interface PgClient {
  connect(): Promise<void>;
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  end(): Promise<void>;
}
// pg is the engine's dependency (the repository root has none), as in scripts/start.ts.
const { Client } = createRequire(resolve(ROOT, "packages/engine/package.json"))("pg") as {
  Client: new (o: { connectionString: string }) => PgClient;
};

const dbUrl = (name: string) => {
  const u = new URL(PG_BASE);
  u.pathname = `/${name}`;
  return u.toString();
};

async function withDb<T>(name: string, fn: (c: PgClient) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: dbUrl(name) });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

const base = `start_e2e_${randomBytes(5).toString("hex")}`;
const databases = { shopify: `${base}_shopify`, woocommerce: `${base}_woocommerce` };
const dataDir = mkdtempSync(join(tmpdir(), "pe-start-pg-"));
let ports: { sandbox: number; demoStore: number; shopify: number; woocommerce: number };
const url = (id: keyof typeof ports) => `http://127.0.0.1:${ports[id]}`;

/** One `pnpm start`: the child, everything it printed, and its exit. */
interface StartRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}
let run: StartRun | undefined;

function startScript(): StartRun {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: dbUrl(base),
    DATA_DIR: dataDir,
    PE_SANDBOX_PORT: String(ports.sandbox),
    DEMO_STORE_PORT: String(ports.demoStore),
    SHOPIFY_PORT: String(ports.shopify),
    WOO_PORT: String(ports.woocommerce),
    LOG_LEVEL: "warn",
  };
  for (const k of ["SHOPIFY_DATABASE_URL", "WOO_DATABASE_URL", "APP_ENCRYPTION_KEY", "NODE_ENV"])
    delete env[k];
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout!.on("data", (b: Buffer) => (text += b.toString()));
  child.stderr!.on("data", (b: Buffer) => (text += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once("exit", (code, signal) => done({ code, signal })),
  );
  return { child, output: () => text, exited };
}

/** Resolves once the start script printed its URL table; fails with its output if it exits. */
async function ready(r: StartRun): Promise<void> {
  let exit: { code: number | null } | undefined;
  void r.exited.then((e) => (exit = e));
  await eventually(
    "pnpm start to print its URL table",
    async () => {
      if (exit) throw new Error(`start exited (${exit.code}):\n${r.output()}`);
      return r.output().includes("Listo en");
    },
    150_000,
    200,
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n--- output ---\n${r.output()}`);
  });
}

/** Ctrl-C: the script stops every service and exits 0. */
async function stop(r: StartRun): Promise<void> {
  r.child.kill("SIGINT");
  const { code } = await r.exited;
  expect(code).toBe(0);
  expect(r.output()).toContain("Servicios detenidos");
}

async function sandboxCips(): Promise<
  Array<{ cip: number; idService: number; statusName: string; amount: number }>
> {
  const res = await fetch(`${url("sandbox")}/_sandbox/cips`);
  return (
    (await res.json()) as {
      data: Array<{ cip: number; idService: number; statusName: string; amount: number }>;
    }
  ).data;
}

/** Shopify side: the checkout form → the app's voucher page (the offsite redirect). */
async function shopifyCheckout(): Promise<{ voucherUrl: string; html: string }> {
  const res = await fetch(`${url("demoStore")}/shopify/checkout`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      email: "rosa.mamani@example.pe",
      given_name: "Rosa",
      family_name: "Mamani",
      qty_cafe: "1",
      qty_chocolate: "1",
    }).toString(),
    redirect: "manual",
  });
  expect(res.status).toBe(303);
  const voucherUrl = res.headers.get("location")!;
  expect(voucherUrl.startsWith(`${url("shopify")}/voucher/`)).toBe(true);
  const page = await fetch(voucherUrl);
  expect(page.status).toBe(200);
  return { voucherUrl, html: await page.text() };
}

/** WooCommerce side: "Realizar el pedido" → thank-you page with the CIP and the voucher link. */
async function wooCheckout(
  qtyCafe: number,
): Promise<{ orderId: number; cip: string; voucherUrl: string; thankYouUrl: string }> {
  const res = await fetch(`${url("demoStore")}/woo/finalizar-compra`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      first_name: "Luis",
      last_name: "Quispe",
      email: "luis.quispe@example.pe",
      qty_cafe: String(qtyCafe),
      qty_chocolate: "0",
      payment_method: "pagoefectivo",
    }).toString(),
    redirect: "manual",
  });
  const location = res.headers.get("location");
  if (res.status !== 303 || !location)
    throw new Error(
      `WooCommerce checkout answered HTTP ${res.status}: ${(await res.text())
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .slice(-400)}`,
    );
  const orderId = Number(/pedido-recibido\/(\d+)/.exec(location)![1]);
  const thanks = await (await fetch(new URL(location, url("demoStore")))).text();
  const cip = /Código CIP: <strong[^>]*>(\d+)<\/strong>/.exec(thanks)?.[1];
  const voucherUrl = /<a class="button" href="([^"]+\/voucher\/[^"]+)">/.exec(thanks)?.[1];
  if (!cip || !voucherUrl) throw new Error(`no CIP on the thank-you page:\n${thanks}`);
  expect(voucherUrl.startsWith(`${url("woocommerce")}/voucher/`)).toBe(true);
  return { orderId, cip, voucherUrl, thankYouUrl: new URL(location, url("demoStore")).toString() };
}

beforeAll(async () => {
  ports = {
    sandbox: await freePort(),
    demoStore: await freePort(),
    shopify: await freePort(),
    woocommerce: await freePort(),
  };
  // The database DATABASE_URL names; the start script makes `<name>_shopify` and `<name>_woocommerce`.
  await withDb("postgres", (c) => c.query(`CREATE DATABASE "${base}"`));
  run = startScript();
  await ready(run);
}, 170_000);

afterAll(async () => {
  if (run && run.child.exitCode === null && run.child.signalCode === null) {
    run.child.kill("SIGTERM");
    await run.exited;
  }
  await withDb("postgres", async (c) => {
    for (const name of [base, databases.shopify, databases.woocommerce])
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
  rmSync(dataDir, { recursive: true, force: true });
});

test("each app gets its own PostgreSQL database, migrated to the engine's schema", async () => {
  expect(run!.output()).toContain(
    `app de Shopify → PostgreSQL ${databases.shopify}; puente WooCommerce → PostgreSQL ${databases.woocommerce}`,
  );
  const expected = MIGRATIONS.map((m) => m.version).sort((a, b) => a - b);
  for (const name of Object.values(databases)) {
    const versions = await withDb(name, async (c) =>
      (
        await c.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version")
      ).rows.map((r) => r.version),
    );
    expect(versions).toEqual(expected);
  }
  // Nothing was written next to the repository: logs and the generated key are in DATA_DIR.
  expect(run!.output()).toContain(join(dataDir, ".data", "logs"));
});

test("every service answers its health URL", async () => {
  for (const id of ["sandbox", "demoStore", "shopify", "woocommerce"] as const) {
    const res = await fetch(`${url(id)}/healthz`);
    expect([id, res.status]).toEqual([id, 200]);
  }
});

test("a Shopify checkout in the demo store produces a voucher, stored in the Shopify database", async () => {
  const { voucherUrl, html } = await shopifyCheckout();
  const stored = await withDb(
    databases.shopify,
    async (c) =>
      (
        await c.query<{ cip: string; status: string; amount_minor: string }>(
          "SELECT cip, status, amount_minor FROM vouchers",
        )
      ).rows,
  );
  expect(stored).toHaveLength(1);
  const [voucher] = stored;
  expect(voucher!.status).toBe("pending");
  expect(voucher!.cip).toMatch(/^\d+$/);
  // The shopper's voucher page shows that CIP, and the sandbox issued it to the Shopify merchant.
  expect(html).toContain(`data-cip="${voucher!.cip}"`);
  expect(voucherUrl).toContain("/voucher/");
  const cip = (await sandboxCips()).find((c) => String(c.cip) === voucher!.cip);
  expect(cip).toMatchObject({
    idService: SANDBOX_MERCHANTS.shopify.idService,
    statusName: "Generado",
  });
  expect(Math.round(cip!.amount * 100)).toBe(Number(voucher!.amount_minor));
});

let firstWoo: { orderId: number; cip: string } | undefined;

test("a WooCommerce checkout in the demo store produces a voucher, stored in the WooCommerce database", async () => {
  const { orderId, cip, voucherUrl, thankYouUrl } = await wooCheckout(1);
  firstWoo = { orderId, cip };
  const page = await fetch(voucherUrl);
  expect(page.status).toBe(200);
  const voucherHtml = await page.text();
  expect(voucherHtml).toContain(`data-cip="${cip}"`);
  // "Volver a la tienda" leads back to the order's thank-you page (the plugin's return_url).
  expect(voucherHtml).toContain(`href="${thankYouUrl}"`);
  const stored = await withDb(
    databases.woocommerce,
    async (c) =>
      (
        await c.query<{ cip: string; status: string; group_key: string }>(
          "SELECT cip, status, group_key FROM vouchers",
        )
      ).rows,
  );
  expect(stored).toEqual([{ cip, status: "pending", group_key: String(orderId) }]);
  expect((await sandboxCips()).find((c) => String(c.cip) === cip)).toMatchObject({
    idService: SANDBOX_MERCHANTS.woocommerce.idService,
    statusName: "Generado",
  });
});

test("after a restart on the same databases, new orders on both sides get new vouchers", async () => {
  expect(firstWoo).toBeDefined();
  const cipsBefore = (await sandboxCips()).map((c) => String(c.cip));
  await stop(run!);
  run = startScript();
  await ready(run);
  for (const id of ["sandbox", "demoStore", "shopify", "woocommerce"] as const)
    expect((await fetch(`${url(id)}/healthz`)).status).toBe(200);
  // Shopify first, as in the first run: a sandbox that numbered its CIPs from the start again
  // would hand each app a CIP number it already holds, and the app would refuse it.
  await shopifyCheckout();
  // Another total than the first run's order: a reused order id would be refused by the bridge.
  const second = await wooCheckout(3);
  expect(second.orderId).not.toBe(firstWoo!.orderId);
  expect(cipsBefore).not.toContain(second.cip);
  const stored = await withDb(
    databases.woocommerce,
    async (c) =>
      (
        await c.query<{ group_key: string; cip: string }>(
          "SELECT group_key, cip FROM vouchers ORDER BY created_at",
        )
      ).rows,
  );
  expect(stored).toEqual([
    { group_key: String(firstWoo!.orderId), cip: firstWoo!.cip },
    { group_key: String(second.orderId), cip: second.cip },
  ]);
  const shopifyCips = await withDb(
    databases.shopify,
    async (c) =>
      (await c.query<{ cip: string }>("SELECT cip FROM vouchers ORDER BY created_at")).rows,
  );
  expect(shopifyCips).toHaveLength(2);
  expect(new Set(shopifyCips.map((v) => v.cip)).size).toBe(2);
  await stop(run);
});
