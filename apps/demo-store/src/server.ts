import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createDemoStore, type DemoStore, type DemoStoreOptions } from "./app";

export interface StartDemoStoreOptions extends DemoStoreOptions {
  /** 0 picks a free port (tests); the CLI defaults to 4020. */
  port?: number;
  host?: string;
}

export interface RunningDemoStore {
  url: string;
  port: number;
  store: DemoStore;
  close(): Promise<void>;
}

export async function startDemoStore(options: StartDemoStoreOptions): Promise<RunningDemoStore> {
  const store = createDemoStore(options);
  const server = createServer(store.app);
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
  if (!options.publicUrl) store.setPublicUrl(url);
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    store,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
