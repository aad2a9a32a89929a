/**
 * The processes the local product runs (`pnpm start`, the e2e tests and the e2e bench), with the
 * environment that points them at each other, and a small child-process runner: start, wait for
 * `/healthz`, stop on request. Ports, data directory and extra env are parameters so tests can run
 * a second copy on free ports next to a running `pnpm start`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";

export type ServiceId = "sandbox" | "shopify" | "woocommerce" | "demoStore";

export interface LocalService {
  id: ServiceId;
  name: string;
  /** Entry file relative to the repository root. */
  entry: string;
  port: number;
  healthPath: string;
  /** What a newcomer should do first with this service. */
  hint: string;
  /** Where to open it in a browser. */
  url: string;
  env: Record<string, string>;
}

export type ServicePorts = Record<ServiceId, number>;

export const DEFAULT_PORTS: ServicePorts = {
  sandbox: 4010,
  demoStore: 4020,
  shopify: 4030,
  woocommerce: 4040,
};

/** The demo store's built-in Shopify app credentials (local only, not secrets). */
export const DEMO_SHOPIFY_API_KEY = "demo-pagoefectivo-app";
export const DEMO_SHOPIFY_API_SECRET = "demo-shopify-secret-no-usar-en-produccion";
export const DEMO_SHOP = "demo-tienda.myshopify.com";

/**
 * PagoEfectivo sandbox merchants. The Shopify app and the WooCommerce bridge each get their own,
 * so the sandbox sends each one's notifications to that app's notification URL.
 */
export const SANDBOX_MERCHANTS = {
  shopify: {
    idService: 1234,
    accessKey: "AK9X2M7Q4T8W1Z5R3P6N",
    secretKey: "sk_demo_4f1c2a9b7e6d5c3b2a1f0e9d8c7b6a5f",
  },
  woocommerce: {
    idService: 1235,
    accessKey: "AKWOO7Q4T8W1Z5R3P6NX",
    secretKey: "sk_demo_woo_7d3e9a1c5b2f8e4d6a0c9b7e5f3a1d2c",
  },
} as const;

export interface ServiceOptions {
  ports?: Partial<ServicePorts>;
  /**
   * Base directory of the apps' embedded databases and generated keys: each app keeps its
   * files in `<dataDir>/.data/<app>`. `pnpm start` passes the repository root.
   */
  dataDir: string;
  /** Per-service variables on top of the defaults (tests: short scheduler intervals). */
  extraEnv?: Partial<Record<ServiceId, Record<string, string>>>;
  /**
   * PostgreSQL per app (`DATABASE_URL` of each process); absent = embedded PGlite. Each app
   * needs its own database: both run the engine's schedulers and outbox over every tenant.
   */
  databaseUrls?: Partial<Record<"shopify" | "woocommerce", string>>;
  /** Required by the apps with PostgreSQL; locally generated when absent (see start.ts). */
  encryptionKey?: string;
}

export function localServices(opts: ServiceOptions): LocalService[] {
  const p: ServicePorts = { ...DEFAULT_PORTS, ...opts.ports };
  const origin = (port: number) => `http://127.0.0.1:${port}`;
  const sandboxUrl = origin(p.sandbox);
  const demoUrl = origin(p.demoStore);
  const shopifyUrl = origin(p.shopify);
  const wooUrl = origin(p.woocommerce);
  const common = (app: "shopify" | "woocommerce"): Record<string, string> => ({
    DATA_DIR: opts.dataDir,
    PE_API_BASE_URL: sandboxUrl,
    HOST: "127.0.0.1",
    ...(opts.databaseUrls?.[app] ? { DATABASE_URL: opts.databaseUrls[app]! } : {}),
    ...(opts.encryptionKey ? { APP_ENCRYPTION_KEY: opts.encryptionKey } : {}),
  });
  const services: LocalService[] = [
    {
      id: "sandbox",
      name: "PagoEfectivo sandbox",
      entry: "apps/sandbox/src/main.ts",
      port: p.sandbox,
      healthPath: "/healthz",
      hint: "agente simulado: pagar o vencer un CIP",
      url: `${sandboxUrl}/`,
      env: { PE_SANDBOX_PORT: String(p.sandbox), PE_SANDBOX_HOST: "127.0.0.1" },
    },
    {
      id: "shopify",
      name: "App de Shopify",
      entry: "apps/shopify/src/main.ts",
      port: p.shopify,
      healthPath: "/healthz",
      hint: "configuración del comercio (se abre tras instalar)",
      url: `${shopifyUrl}/settings`,
      env: {
        ...common("shopify"),
        PORT: String(p.shopify),
        // Direct mTLS is off locally; keep its port away from the defaults of a second copy.
        MTLS_PORT: String(p.shopify + 1),
        APP_URL: shopifyUrl,
        SHOPIFY_API_KEY: DEMO_SHOPIFY_API_KEY,
        SHOPIFY_API_SECRET: DEMO_SHOPIFY_API_SECRET,
        SHOPIFY_API_ORIGIN: demoUrl,
        MTLS_MODE: "off",
        MAIL_CAPTURE_URL: `${demoUrl}/mail/messages`,
      },
    },
    {
      id: "woocommerce",
      name: "Puente WooCommerce",
      entry: "apps/woocommerce/src/main.ts",
      port: p.woocommerce,
      healthPath: "/healthz",
      hint: "servicio del plugin (sin página propia)",
      url: `${wooUrl}/healthz`,
      env: {
        ...common("woocommerce"),
        PORT: String(p.woocommerce),
        PUBLIC_URL: wooUrl,
        WC_AUTH_ALLOW_HTTP_LOOPBACK: "1",
      },
    },
    {
      id: "demoStore",
      name: "Tienda demo",
      entry: "apps/demo-store/src/main.ts",
      port: p.demoStore,
      healthPath: "/healthz",
      hint: "empiece aquí: compre en /shopify o /woo",
      url: `${demoUrl}/`,
      env: {
        DEMO_STORE_PORT: String(p.demoStore),
        DEMO_STORE_HOST: "127.0.0.1",
        SHOPIFY_APP_URL: shopifyUrl,
        WOO_BRIDGE_URL: wooUrl,
        SHOPIFY_API_KEY: DEMO_SHOPIFY_API_KEY,
        SHOPIFY_API_SECRET: DEMO_SHOPIFY_API_SECRET,
      },
    },
  ];
  for (const s of services) Object.assign(s.env, opts.extraEnv?.[s.id]);
  return services;
}

/** Variables of the parent that must not leak into a child (each child gets its own). */
const PER_SERVICE_VARS = [
  "PORT",
  "HOST",
  "DATA_DIR",
  "DATABASE_URL",
  "SHOPIFY_DATABASE_URL",
  "WOO_DATABASE_URL",
  "APP_ENCRYPTION_KEY",
  "PUBLIC_URL",
  "APP_URL",
  "SHOPIFY_API_KEY",
  "SHOPIFY_API_SECRET",
  "SHOPIFY_API_ORIGIN",
  "SHOPIFY_APP_URL",
  "WOO_BRIDGE_URL",
  "PE_API_BASE_URL",
  "MAIL_CAPTURE_URL",
  "MTLS_MODE",
  "MTLS_PORT",
  "PE_SANDBOX_PORT",
  "PE_SANDBOX_HOST",
  "DEMO_STORE_PORT",
  "DEMO_STORE_HOST",
  "SHOPIFY_PORT",
  "WOO_PORT",
  "NODE_ENV",
];

export interface RunnerOptions {
  root: string;
  /** Each output line of a child, already prefixed with its name. */
  onOutput?: (service: LocalService, line: string, stream: "stdout" | "stderr") => void;
  /** A child ended while not being stopped. */
  onUnexpectedExit?: (service: LocalService, code: number | null, signal: string | null) => void;
  healthTimeoutMs?: number;
  /** The parent environment the children inherit (minus the per-service variables). */
  baseEnv?: NodeJS.ProcessEnv;
}

export interface RunningServices {
  services: LocalService[];
  url(id: ServiceId): string;
  /** The last lines a child printed (for failure messages). */
  recentOutput(id: ServiceId, lines?: number): string;
  /** SIGTERM to each child, SIGKILL after `graceMs`; resolves when every child has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts every service at once (they only need each other once traffic flows) and resolves when
 * each one answers its health check; rejects — after stopping the others — if one exits or does
 * not become healthy in time, with its last output in the message.
 */
export async function startServices(
  services: LocalService[],
  opts: RunnerOptions & { onHealthy?: (service: LocalService, ms: number) => void },
): Promise<RunningServices> {
  const started = Date.now();
  const children = new Map<ServiceId, ChildProcess>();
  const output = new Map<ServiceId, string[]>();
  let stopping = false;
  const baseEnv = { ...(opts.baseEnv ?? process.env) };
  for (const k of PER_SERVICE_VARS) delete baseEnv[k];

  const exited = new Map<ServiceId, Promise<void>>();
  for (const service of services) {
    const child = spawn(process.execPath, ["--import", "tsx", resolve(opts.root, service.entry)], {
      cwd: opts.root,
      env: { ...baseEnv, ...service.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.set(service.id, child);
    output.set(service.id, []);
    const forward = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
      const buf = output.get(service.id)!;
      for (const line of chunk.toString().split("\n")) {
        if (!line.trim()) continue;
        buf.push(line);
        if (buf.length > 200) buf.shift();
        opts.onOutput?.(service, line, stream);
      }
    };
    child.stdout?.on("data", forward("stdout"));
    child.stderr?.on("data", forward("stderr"));
    exited.set(
      service.id,
      new Promise<void>((done) =>
        child.once("exit", (code, signal) => {
          if (!stopping) opts.onUnexpectedExit?.(service, code, signal);
          done();
        }),
      ),
    );
  }

  const running: RunningServices = {
    services,
    url: (id) => `http://127.0.0.1:${services.find((s) => s.id === id)!.port}`,
    recentOutput: (id, lines = 30) => (output.get(id) ?? []).slice(-lines).join("\n"),
    async stop(graceMs = 10_000) {
      stopping = true;
      await Promise.all(
        services.map(async (s) => {
          const child = children.get(s.id)!;
          if (child.exitCode === null && child.signalCode === null) {
            const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
            child.kill("SIGTERM");
            await exited.get(s.id);
            clearTimeout(timer);
          }
        }),
      );
    },
  };

  try {
    await Promise.all(
      services.map(async (s) => {
        await waitForHealth(s, children.get(s.id)!, opts.healthTimeoutMs ?? 60_000, () =>
          running.recentOutput(s.id),
        );
        opts.onHealthy?.(s, Date.now() - started);
      }),
    );
  } catch (error) {
    await running.stop(3000);
    throw error;
  }
  return running;
}

async function waitForHealth(
  service: LocalService,
  child: ChildProcess,
  timeoutMs: number,
  recent: () => string,
): Promise<void> {
  const url = `http://127.0.0.1:${service.port}${service.healthPath}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${service.name} exited (code ${child.exitCode ?? "-"}) before becoming healthy; last output:\n${recent()}`,
      );
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(
    `${service.name} did not answer ${url} within ${timeoutMs / 1000} s; last output:\n${recent()}`,
  );
}
