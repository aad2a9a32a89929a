import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Route {
  status?: number;
  headers: Record<string, string>;
  body: string;
}

/** A plain node:http server on 127.0.0.1:0; `handler` picks the answer per path. */
export async function startServer(
  handler: (path: string, url: URL) => Route | undefined,
): Promise<{ origin: string; close(): Promise<void>; server: Server }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const route = handler(url.pathname, url);
    if (!route) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(route.status ?? 200, route.headers).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
