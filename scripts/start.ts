/**
 * `pnpm start`: runs the whole product locally. Starts each service of scripts/services.ts as a
 * child process, waits for its health check, connects the apps to the demo store by driving the
 * real install/connect flows (scripts/seed-local.ts), prints one table of URLs and stops
 * everything cleanly on Ctrl-C. Data lives in .data/ and survives restarts; DATABASE_URL switches
 * the apps from embedded PGlite to PostgreSQL (one database per app, created when missing).
 *
 * Full logs: .data/logs/<service>.log. The console shows progress, warnings and errors.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { seedLocal } from "./seed-local";
import {
  localServices,
  startServices,
  type LocalService,
  type RunningServices,
  type ServiceOptions,
} from "./services";

const root = process.cwd();
const dataDir = resolve(root, ".data");
const logDir = join(dataDir, "logs");
mkdirSync(logDir, { recursive: true });
const firstRun = !existsSync(join(dataDir, "shopify")) && !existsSync(join(dataDir, "woocommerce"));
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = (line: string) => process.stdout.write(`${line}\n`);

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer()
      .once("error", () => done(false))
      .once("listening", () => probe.close(() => done(true)));
    probe.listen(port, "127.0.0.1");
  });
}

/**
 * With PostgreSQL each app gets its own database (`<name>_shopify`, `<name>_woocommerce` next to
 * the one in DATABASE_URL, created when missing): both run the engine's schedulers and outbox
 * over every tenant they find, so they must not share one. SHOPIFY_DATABASE_URL and
 * WOO_DATABASE_URL override the derived URLs.
 */
async function postgresUrls(): Promise<ServiceOptions["databaseUrls"]> {
  const base = process.env.DATABASE_URL;
  if (!base && !process.env.SHOPIFY_DATABASE_URL && !process.env.WOO_DATABASE_URL) return undefined;
  const derive = (suffix: string) => {
    if (!base) return undefined;
    const u = new URL(base);
    u.pathname = `/${(u.pathname.slice(1) || "pe_pay").replace(/[^A-Za-z0-9_]/g, "_")}_${suffix}`;
    return u.toString();
  };
  const urls = {
    shopify: process.env.SHOPIFY_DATABASE_URL ?? derive("shopify"),
    woocommerce: process.env.WOO_DATABASE_URL ?? derive("woocommerce"),
  };
  if (base) {
    // pg is the engine's dependency; resolve it from there (the root has no runtime deps).
    const { Client } = createRequire(resolve(root, "packages/engine/package.json"))("pg") as {
      Client: new (o: { connectionString: string }) => {
        connect(): Promise<void>;
        query(sql: string, params?: unknown[]): Promise<{ rowCount: number | null }>;
        end(): Promise<void>;
      };
    };
    const admin = new Client({ connectionString: base });
    await admin.connect();
    try {
      for (const url of [urls.shopify, urls.woocommerce]) {
        if (!url || url === base) continue;
        const name = new URL(url).pathname.slice(1);
        const found = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
        if (!found.rowCount) {
          say(`  creando la base de datos ${name}…`);
          await admin.query(`CREATE DATABASE "${name}"`);
        }
      }
    } finally {
      await admin.end();
    }
  }
  return urls;
}

/** PostgreSQL needs a configured key; locally one is generated once and kept in .data. */
function localEncryptionKey(usingPostgres: boolean): string | undefined {
  if (process.env.APP_ENCRYPTION_KEY?.trim()) return process.env.APP_ENCRYPTION_KEY.trim();
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
    say("Servicios detenidos. Los datos quedan en .data/.");
  }
  process.exit(exitCode);
}
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

async function main(): Promise<void> {
  say(
    firstRun
      ? "Primera ejecución: se preparan las bases de datos embebidas en .data/ (tarda un poco más)."
      : "Iniciando PagoEfectivo local (datos en .data/).",
  );
  const databaseUrls = await postgresUrls();
  if (databaseUrls) say("  PostgreSQL: una base de datos por app (DATABASE_URL).");
  const encryptionKey = localEncryptionKey(Boolean(databaseUrls));
  const services = localServices({
    dataDir: root,
    ...(databaseUrls ? { databaseUrls } : {}),
    ...(encryptionKey ? { encryptionKey } : {}),
  });

  const busy = [];
  for (const s of services) if (!(await portFree(s.port))) busy.push(`${s.port} (${s.name})`);
  if (busy.length) {
    say(`Puertos ocupados: ${busy.join(", ")}. ¿Ya hay otro "pnpm start" corriendo?`);
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
          `últimas líneas en .data/logs/${s.id}.log`,
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
  say(`\nListo en ${elapsed()}. Ctrl-C para detener. Registros: .data/logs/\n`);
  for (const [name, url, what] of rows) say(`  ${name.padEnd(w0)}  ${url.padEnd(w1)}  ${what}`);
  say("");
}

main().catch(async (error: unknown) => {
  say(`\nNo se pudo iniciar: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll(1);
});
