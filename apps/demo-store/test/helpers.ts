import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { startDemoStore, type RunningDemoStore, type StartDemoStoreOptions } from "../src";
import type { WooApiKey } from "../src/woo/state";

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Receiver {
  url: string;
  requests: Recorded[];
  reply: (req: Recorded) => { status: number; body?: unknown; headers?: Record<string, string> };
  close(): Promise<void>;
}

/** A tiny fake app/bridge: records every request, answers with `reply` (changeable per test). */
export async function startReceiver(
  reply: Receiver["reply"] = () => ({ status: 200, body: {} }),
): Promise<Receiver> {
  const receiver = { requests: [] as Recorded[], reply } as Receiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rec: Recorded = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      receiver.requests.push(rec);
      const out = receiver.reply(rec);
      const payload =
        out.body === undefined
          ? ""
          : typeof out.body === "string"
            ? out.body
            : JSON.stringify(out.body);
      res.writeHead(out.status, { "Content-Type": "application/json", ...out.headers });
      res.end(payload);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  return receiver;
}

export async function startStore(
  overrides: Partial<StartDemoStoreOptions> = {},
): Promise<RunningDemoStore> {
  return startDemoStore({
    port: 0,
    shopifyAppUrl: "http://127.0.0.1:9",
    wooBridgeUrl: "http://127.0.0.1:9",
    settings: { outboundTimeoutMs: 5000 },
    ...overrides,
  });
}

/** A zod schema with exactly the fixture's keys and value types (strict objects). */
export function schemaFromExample(value: unknown): z.ZodTypeAny {
  if (value === null) return z.null();
  if (Array.isArray(value))
    return z.array(value.length ? schemaFromExample(value[0]) : z.unknown());
  switch (typeof value) {
    case "string":
      return z.string();
    case "number":
      return z.number();
    case "boolean":
      return z.boolean();
    case "object":
      return z
        .object(
          Object.fromEntries(
            Object.entries(value as Record<string, unknown>).map(([k, v]) => [
              k,
              schemaFromExample(v),
            ]),
          ),
        )
        .strict();
    default:
      return z.unknown();
  }
}

export function addKey(
  running: RunningDemoStore,
  permissions: WooApiKey["permissions"] = "read_write",
): WooApiKey {
  const woo = running.store.woo;
  const key: WooApiKey = {
    keyId: woo.keyId(),
    userId: 1,
    description: "test",
    permissions,
    consumerKey: `ck_${"a".repeat(39)}${woo.keys.size}`,
    consumerSecret: `cs_${"b".repeat(39)}${woo.keys.size}`,
    nonces: new Map(),
  };
  woo.keys.set(key.keyId, key);
  return key;
}

export function basic(key: WooApiKey): Record<string, string> {
  return {
    Authorization: `Basic ${Buffer.from(`${key.consumerKey}:${key.consumerSecret}`).toString("base64")}`,
  };
}

export function form(data: Record<string, string>): RequestInit {
  return {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(data).toString(),
    redirect: "manual",
  };
}
