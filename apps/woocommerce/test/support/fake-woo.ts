import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fixtureJson } from "./woo-fakes";

/**
 * A tiny WooCommerce REST v3 stand-in over real HTTP, for the bridge's integration tests:
 * orders (GET/PUT/list), notes, refund deletion and webhook creation. Authentication is not
 * checked (the client's OAuth/Basic handling is covered by the msw contract tests). Every
 * request is recorded so tests can assert on exactly what the bridge sent.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export type FakeOrder = Record<string, unknown> & { id: number; status: string };

export interface FakeWoo {
  url: string;
  orders: Map<number, FakeOrder>;
  requests: RecordedRequest[];
  notes(orderId: number): string[];
  addOrder(id: number, over?: Partial<FakeOrder>): FakeOrder;
  /** Make the next N requests matching `method path` answer this status. */
  failNext(method: string, pathPrefix: string, status: number, times?: number): void;
  close(): Promise<void>;
}

const gmt = (d = new Date()) => d.toISOString().slice(0, 19);

export async function startFakeWoo(): Promise<FakeWoo> {
  const orders = new Map<number, FakeOrder>();
  const notes = new Map<number, string[]>();
  const requests: RecordedRequest[] = [];
  const failures: Array<{ method: string; prefix: string; status: number; left: number }> = [];
  let nextId = 9000;

  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    try {
      return text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      return text;
    }
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const path = url.pathname.replace(/^\/wp-json\/wc\/v3/, "");
      const body = await readBody(req);
      const method = req.method ?? "GET";
      requests.push({ method, path, query: url.searchParams, body });
      const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "Content-Type": "application/json", ...headers });
        res.end(JSON.stringify(json));
      };
      const fail = failures.find(
        (f) => f.method === method && path.startsWith(f.prefix) && f.left > 0,
      );
      if (fail) {
        fail.left -= 1;
        return send(fail.status, {
          code: "fake_failure",
          message: "fake",
          data: { status: fail.status },
        });
      }
      let m: RegExpExecArray | null;
      if (method === "GET" && path === "/orders") {
        const after = url.searchParams.get("modified_after");
        const list = [...orders.values()]
          .filter((o) => !after || String(o.date_modified_gmt) > after)
          .sort((a, b) => String(a.date_modified_gmt).localeCompare(String(b.date_modified_gmt)));
        return send(200, list, { "X-WP-Total": String(list.length), "X-WP-TotalPages": "1" });
      }
      if ((m = /^\/orders\/(\d+)$/.exec(path))) {
        const order = orders.get(Number(m[1]));
        if (!order) {
          return send(method === "GET" ? 404 : 400, {
            code: "woocommerce_rest_shop_order_invalid_id",
            message: "ID inválido.",
            data: { status: method === "GET" ? 404 : 400 },
          });
        }
        if (method === "PUT") {
          const b = body as Record<string, unknown>;
          if (typeof b.status === "string") order.status = b.status;
          if (typeof b.transaction_id === "string") order.transaction_id = b.transaction_id;
          order.date_modified_gmt = gmt();
        }
        return send(200, order);
      }
      if ((m = /^\/orders\/(\d+)\/notes$/.exec(path)) && method === "POST") {
        const id = Number(m[1]);
        const list = notes.get(id) ?? [];
        const note = String((body as { note?: unknown }).note);
        list.push(note);
        notes.set(id, list);
        return send(201, { id: nextId++, note, customer_note: false, author: "WooCommerce" });
      }
      if ((m = /^\/orders\/(\d+)\/refunds\/(\d+)$/.exec(path)) && method === "DELETE") {
        return send(200, { id: Number(m[2]), amount: "10.00", reason: "" });
      }
      if (path === "/webhooks" && method === "POST") {
        return send(201, { id: nextId++, status: "active", topic: "order.updated" });
      }
      send(404, { code: "rest_no_route", message: "No route", data: { status: 404 } });
    })();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const template = fixtureJson<FakeOrder>("order.json");

  return {
    url,
    orders,
    requests,
    notes: (id) => notes.get(id) ?? [],
    addOrder(id, over = {}) {
      const order: FakeOrder = {
        ...structuredClone(template),
        id,
        number: String(id),
        status: "on-hold",
        transaction_id: "",
        date_modified_gmt: gmt(),
        ...over,
      };
      orders.set(id, order);
      return order;
    },
    failNext(method, prefix, status, times = 1) {
      failures.push({ method, prefix, status, left: times });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
