/**
 * `pnpm start`: runs the whole product locally. Starts each service of scripts/services.ts as a
 * child process, waits for its health check, connects the apps to the demo store by driving the
 * real install/connect flows (scripts/seed-local.ts), prints one table of URLs and stops
 * everything cleanly on Ctrl-C (or SIGTERM). Data lives in .data/ and survives restarts;
 * DATABASE_URL switches the apps from embedded PGlite to PostgreSQL (one database per app,
 * created when missing).
 *
 * Environment of the script itself (all optional):
 *  - DATABASE_URL, SHOPIFY_DATABASE_URL, WOO_DATABASE_URL: see postgresUrls below.
 *  - DATA_DIR: where .data/ lives (default: the current directory, the repository root).
 *  - PE_SANDBOX_PORT, DEMO_STORE_PORT, SHOPIFY_PORT, WOO_PORT: move a service off its default
 *    port (4010, 4020, 4030, 4040) when that one is taken.
 *
 * Full logs: .data/logs/<service>.log. The console shows progress, warnings and errors.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { isAbsolute, join, relative, resolve } from "node:path";
import { firstIdAt, firstPostIdAt } from "../apps/demo-store/src/woo/state";
import { FIRST_CIP } from "../apps/sandbox/src/state";
import { seedLocal } from "./seed-local";
import {
  DEFAULT_PORTS,
  localServices,
  startServices,
  type LocalService,
  type RunningServices,
  type ServiceOptions,
  type ServicePorts,
} from "./services";

const root = process.cwd();
/** A variable of the script's environment, trimmed; blank counts as unset. */
const setting = (name: string) => process.env[name]?.trim() || undefined;
/** The apps keep their embedded databases and keys in `<base>/.data/<app>` (their DATA_DIR). */
const dataBase = resolve(root, setting("DATA_DIR") ?? ".");
const dataDir = join(dataBase, ".data");
const logDir = join(dataDir, "logs");
/** For messages: `.data/…` when it is under the current directory, else the absolute path. */
const shown = (path: string) => {
  const rel = relative(root, path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
};
mkdirSync(logDir, { recursive: true });
const firstRun = !existsSync(join(dataDir, "shopify")) && !existsSync(join(dataDir, "woocommerce"));
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = (line: string) => process.stdout.write(`${line}\n`);

const PORT_VARS: Record<keyof ServicePorts, string> = {
  sandbox: "PE_SANDBOX_PORT",
  demoStore: "DEMO_STORE_PORT",
  shopify: "SHOPIFY_PORT",
  woocommerce: "WOO_PORT",
};

/** The defaults, or the port a variable of PORT_VARS asks for (a bad value stops the start). */
function chosenPorts(): ServicePorts {
  const ports = { ...DEFAULT_PORTS };
  for (const [id, name] of Object.entries(PORT_VARS) as Array<[keyof ServicePorts, string]>) {
    const raw = setting(name);
    if (!raw) continue;
    const port = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
    if (!(port >= 1 && port <= 65535)) throw new Error(`${name} debe ser un puerto de 1 a 65535.`);
    ports[id] = port;
  }
  const taken = new Set<number>();
  for (const [id, port] of Object.entries(ports) as Array<[keyof ServicePorts, number]>) {
    if (taken.has(port)) throw new Error(`${PORT_VARS[id]}: el puerto ${port} ya está asignado.`);
    taken.add(port);
  }
  return ports;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer()
      .once("error", () => done(false))
      .once("listening", () => probe.close(() => done(true)));
    probe.listen(port, "127.0.0.1");
  });
}

type PgClient = {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<{ rowCount: number | null }>;
  end(): Promise<void>;
};

/** An admin connection to DATABASE_URL's server: its own database, or `postgres` if missing. */
async function adminClient(base: string): Promise<PgClient> {
  // pg is the engine's dependency; resolve it from there (the root has no runtime deps).
  const { Client } = createRequire(resolve(root, "packages/engine/package.json"))("pg") as {
    Client: new (o: { connectionString: string }) => PgClient;
  };
  const client = new Client({ connectionString: base });
  try {
    await client.connect();
    return client;
  } catch (error) {
    // 3D000: the database in the URL does not exist (it is only the prefix of the app ones).
    if ((error as { code?: string }).code !== "3D000") throw error;
    await client.end().catch(() => {});
    const u = new URL(base);
    u.pathname = "/postgres";
    const maintenance = new Client({ connectionString: u.toString() });
    await maintenance.connect();
    return maintenance;
  }
}

const sameServer = (a: string, b: string) => {
  const x = new URL(a);
  const y = new URL(b);
  return x.host === y.host && x.username === y.username;
};

/**
 * With PostgreSQL each app gets its own database (`<name>_shopify`, `<name>_woocommerce` next to
 * the one in DATABASE_URL, created when missing on that server; `<name>` itself need not exist).
 * Sharing one works — migrations take the engine's lock and each outbox dispatcher claims only its
 * own platform's messages — but each app's expiry, polling, refund and alert schedulers would
 * also walk the other app's tenants, doing the same work twice. SHOPIFY_DATABASE_URL and
 * WOO_DATABASE_URL override the derived URLs.
 */
async function postgresUrls(): Promise<ServiceOptions["databaseUrls"]> {
  const base = setting("DATABASE_URL");
  if (!base && !setting("SHOPIFY_DATABASE_URL") && !setting("WOO_DATABASE_URL")) return undefined;
  const derive = (suffix: string) => {
    if (!base) return undefined;
    const u = new URL(base);
    const name = `${(decodeURIComponent(u.pathname.slice(1)) || "pe_pay").replace(/[^A-Za-z0-9_]/g, "_")}_${suffix}`;
    // PostgreSQL cuts longer names, and the next start would not find the database it made.
    if (name.length > 63) throw new Error(`DATABASE_URL: el nombre ${name} supera 63 caracteres.`);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const urls = {
    shopify: setting("SHOPIFY_DATABASE_URL") ?? derive("shopify"),
    woocommerce: setting("WOO_DATABASE_URL") ?? derive("woocommerce"),
  };
  if (base) {
    const admin = await adminClient(base);
    try {
      for (const url of new Set([urls.shopify, urls.woocommerce])) {
        if (!url || url === base || !sameServer(url, base)) continue;
        const name = decodeURIComponent(new URL(url).pathname.slice(1));
        const found = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
        if (!found.rowCount) {
          say(`  creando la base de datos ${name}…`);
          await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
        }
      }
    } finally {
      await admin.end();
    }
  }
  return urls;
}

/** What the console says about the databases (names only: a URL may carry a password). */
function describeDatabases(urls: NonNullable<ServiceOptions["databaseUrls"]>): string {
  const where = (url: string | undefined) =>
    url
      ? `PostgreSQL ${decodeURIComponent(new URL(url).pathname.slice(1))}`
      : `PGlite en ${shown(dataDir)}/`;
  let text = `  Bases de datos: app de Shopify → ${where(urls.shopify)}; puente WooCommerce → ${where(urls.woocommerce)}.`;
  if (urls.shopify && urls.shopify === urls.woocommerce) {
    text +=
      "\n  AVISO: las dos apps comparten una base de datos. Las migraciones se coordinan (bloqueo del" +
      "\n  motor) y cada app entrega solo sus propios avisos, pero los vencimientos, consultas y" +
      "\n  reembolsos de cada comercio se revisarían dos veces. Use una base por app" +
      "\n  (SHOPIFY_/WOO_DATABASE_URL).";
  }
  return text;
}

/** PostgreSQL needs a configured key; locally one is generated once and kept in .data. */
function localEncryptionKey(usingPostgres: boolean): string | undefined {
  const configured = setting("APP_ENCRYPTION_KEY");
  if (configured) return configured;
  if (!usingPostgres) return undefined; // each app generates and keeps its own in .data/<app>
  const file = join(dataDir, "app-encryption.key");
  if (!existsSync(file)) {
    writeFileSync(file, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
  }
  say(
    `  AVISO: APP_ENCRYPTION_KEY no está definida; se usa la clave local generada en ${file}.\n` +
      "  Quien lea ese archivo puede descifrar las credenciales guardadas. En producción, defínala.",
  );
  return readFileSync(file, "utf8").trim();
}

/** Pino JSON lines → "[app] AVISO: message" for warnings and errors; other lines stay in the log. */
function consoleLine(service: LocalService, line: string, stream: "stdout" | "stderr"): void {
  let level = stream === "stderr" ? 50 : 30;
  let msg = line;
  if (line.startsWith("{")) {
    try {
      const j = JSON.parse(line) as { level?: number; msg?: string; err?: string };
      level = j.level ?? level;
      msg = `${j.msg ?? line}${j.err ? ` (${j.err})` : ""}`;
    } catch {
      // not JSON after all
    }
  }
  if (level >= 40) say(`[${service.id}] ${level >= 50 ? "ERROR" : "AVISO"}: ${msg}`);
}

let running: RunningServices | undefined;
let stopping = false;
async function stopAll(exitCode: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say("\nDeteniendo servicios…");
    await running?.stop();
    say(`Servicios detenidos. Los datos quedan en ${shown(dataDir)}/.`);
  }
  process.exit(exitCode);
}
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

async function main(): Promise<void> {
  const ports = chosenPorts();
  const now = new Date();
  const embedded =
    !setting("DATABASE_URL") && !(setting("SHOPIFY_DATABASE_URL") && setting("WOO_DATABASE_URL"));
  say(
    embedded && firstRun
      ? `Primera ejecución: se preparan las bases de datos embebidas en ${shown(dataDir)}/ (tarda un poco más).`
      : `Iniciando PagoEfectivo local (datos y registros en ${shown(dataDir)}/).`,
  );
  const databaseUrls = await postgresUrls();
  if (databaseUrls) say(describeDatabases(databaseUrls));
  const encryptionKey = localEncryptionKey(Boolean(databaseUrls));
  const services = localServices({
    dataDir: dataBase,
    ports,
    // The apps keep their vouchers across restarts while the demo store and the sandbox forget
    // theirs: start WooCommerce order ids and CIP numbers past any earlier run's, or a new order
    // (or CIP) would reuse one the apps already hold, and the checkout would be refused.
    extraEnv: {
      demoStore: { DEMO_WOO_FIRST_ORDER_ID: String(firstPostIdAt(now)) },
      sandbox: { PE_SANDBOX_FIRST_CIP: String(firstIdAt(FIRST_CIP, now)) },
    },
    ...(databaseUrls ? { databaseUrls } : {}),
    ...(encryptionKey ? { encryptionKey } : {}),
  });

  const busy = [];
  for (const s of services) if (!(await portFree(s.port))) busy.push(`${s.port} (${s.name})`);
  if (busy.length) {
    say(
      `Puertos ocupados: ${busy.join(", ")}. ¿Ya hay otro "pnpm start" corriendo? ` +
        `Puede moverlos con ${Object.values(PORT_VARS).join(", ")}.`,
    );
    process.exit(1);
  }

  const logs = new Map(
    services.map((s) => [s.id, createWriteStream(join(logDir, `${s.id}.log`), { flags: "a" })]),
  );
  say(`  iniciando ${services.map((s) => s.name).join(", ")}…`);
  running = await startServices(services, {
    root,
    onOutput: (s, line, stream) => {
      logs.get(s.id)!.write(`${line}\n`);
      consoleLine(s, line, stream);
    },
    onHealthy: (s, ms) =>
      say(`  ✓ ${s.name} listo en el puerto ${s.port} (${(ms / 1000).toFixed(1)} s)`),
    onUnexpectedExit: (s, code, signal) => {
      if (stopping) return;
      say(
        `[${s.id}] se detuvo inesperadamente (código ${code ?? "-"}, señal ${signal ?? "-"}); ` +
          `últimas líneas en ${shown(join(logDir, `${s.id}.log`))}`,
      );
      void stopAll(1);
    },
  });

  say("  conectando las apps con la tienda demo…");
  await seedLocal(running, { log: (line) => say(`  · ${line}`) });

  const rows: Array<[string, string, string]> = [
    ["Tienda demo (Shopify)", `${running.url("demoStore")}/shopify`, "1. compre con PagoEfectivo"],
    ["Tienda demo (WooCommerce)", `${running.url("demoStore")}/woo`, "   o aquí"],
    ["Agente PagoEfectivo", `${running.url("sandbox")}/`, "2. pague o venza el CIP"],
    [
      "Pedidos Shopify",
      `${running.url("demoStore")}/shopify/admin/orders`,
      "3. vea el pago, reembolse",
    ],
    ["Pedidos WooCommerce", `${running.url("demoStore")}/woo/wp-admin/pedidos`, "   ídem"],
    ["Correos enviados", `${running.url("demoStore")}/mail`, "lo que recibe el comprador"],
    [
      "App Shopify (ajustes)",
      `${running.url("demoStore")}/shopify/admin/install`,
      "abre la configuración",
    ],
    ["Puente WooCommerce", `${running.url("woocommerce")}/healthz`, "servicio del plugin"],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  say(`\nListo en ${elapsed()}. Ctrl-C para detener. Registros: ${shown(logDir)}/\n`);
  for (const [name, url, what] of rows) say(`  ${name.padEnd(w0)}  ${url.padEnd(w1)}  ${what}`);
  say("");
}

main().catch(async (error: unknown) => {
  say(`\nNo se pudo iniciar: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll(1);
});
