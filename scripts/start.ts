/**
 * `pnpm start`: runs the whole product locally. Starts each service in scripts/services.ts as a
 * child process, waits for its health check, prints one table of URLs and stops everything
 * cleanly on Ctrl-C. Data lives in .data/ and survives restarts; DATABASE_URL switches the apps
 * from embedded PGlite to PostgreSQL.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { localServices, type LocalService } from "./services";

const root = process.cwd();
const dataDir = resolve(root, ".data");
mkdirSync(dataDir, { recursive: true });

const children: ChildProcess[] = [];
let stopping = false;

function startService(service: LocalService): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", resolve(root, service.entry)], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, ...service.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const prefix = `[${service.name}] `;
  const forward = (stream: NodeJS.WritableStream) => (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n"))
      if (line.trim()) stream.write(prefix + line + "\n");
  };
  child.stdout?.on("data", forward(process.stdout));
  child.stderr?.on("data", forward(process.stderr));
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`${prefix}stopped unexpectedly (code ${code ?? "-"}, signal ${signal ?? "-"})`);
      void stopAll(1);
    }
  });
  children.push(child);
  return child;
}

async function waitForHealth(service: LocalService, timeoutMs = 60_000): Promise<void> {
  const url = `http://127.0.0.1:${service.port}${service.healthPath}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${service.name} did not become healthy at ${url} within ${timeoutMs / 1000} s`);
}

async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log("\nDeteniendo servicios…");
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
          child.once("exit", () => {
            clearTimeout(timer);
            done();
          });
          child.kill("SIGTERM");
        }),
    ),
  );
  process.exit(exitCode);
}

process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

const started = Date.now();
for (const service of localServices) {
  process.stdout.write(`Iniciando ${service.name} en el puerto ${service.port}…\n`);
  startService(service);
  try {
    await waitForHealth(service);
  } catch (error) {
    console.error(String(error));
    await stopAll(1);
  }
}

const width = Math.max(...localServices.map((s) => s.name.length));
console.log(`\nListo en ${((Date.now() - started) / 1000).toFixed(1)} s. Ctrl-C para detener.\n`);
for (const s of localServices) {
  console.log(`  ${s.name.padEnd(width)}  http://127.0.0.1:${s.port}  ${s.hint}`);
}
console.log("");
