import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createSandbox, type Sandbox, type SandboxOptions } from "./app";

export interface StartOptions extends SandboxOptions {
  /** 0 picks a free port (tests); the CLI defaults to 4010. */
  port?: number;
  host?: string;
}

export interface RunningSandbox {
  url: string;
  port: number;
  sandbox: Sandbox;
  close(): Promise<void>;
}

export async function startSandbox(options: StartOptions = {}): Promise<RunningSandbox> {
  const sandbox = createSandbox(options);
  const server = createServer(sandbox.handler);
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  const url = `http://${shownHost}:${port}`;
  if (!options.publicUrl) sandbox.setPublicUrl(url);
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    sandbox,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        sandbox.stop();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
