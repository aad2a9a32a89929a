/**
 * The WooCommerce bench's outside world in a process of its own (not a bench file itself): the
 * PagoEfectivo sandbox and a minimal WooCommerce REST stand-in. Both timestamps of the
 * paid → order-update figure are taken here, on one monotonic clock: t0 when the sandbox sends
 * cip.paid to the bridge, t1 when the stand-in receives the bridge's `PUT {status: processing}`.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startSandbox, type RunningSandbox } from "../apps/sandbox/src/index";
import { cpuMsSince, serveParent } from "./engine-bench-support";

let sandbox: RunningSandbox | undefined;
let woo: Server | undefined;
let window0 = process.cpuUsage();
/** CIP → when its paid notification left the sandbox. */
const notifiedAt = new Map<string, number>();
/** Order id → when the processing PUT arrived. */
const putAt = new Map<number, number>();
const requests = { total: 0, byRoute: new Map<string, number>() };

function fakeWoo(): Server {
  const orders = new Map<number, Record<string, unknown>>();
  const order = (id: number) =>
    orders.get(id) ?? {
      id,
      status: "on-hold",
      currency: "PEN",
      total: "100.30",
      number: String(id),
      payment_method: "pagoefectivo",
      transaction_id: "",
      meta_data: [],
      refunds: [],
    };
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = performance.now();
      const path = new URL(req.url ?? "/", "http://x").pathname.replace("/wp-json/wc/v3", "");
      const route = `${req.method} ${path.replace(/\d+/g, ":id")}`;
      requests.total += 1;
      requests.byRoute.set(route, (requests.byRoute.get(route) ?? 0) + 1);
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(json));
      };
      if (req.method === "DELETE" && /^\/webhooks\/\d+$/.test(path))
        return send(200, { id: Number(path.split("/")[2]), status: "active" });
      const m = /^\/orders\/(\d+)(\/notes)?$/.exec(path);
      if (!m) return send(404, { code: "rest_no_route", message: "", data: { status: 404 } });
      const id = Number(m[1]);
      if (m[2]) return send(201, { id: 1, note: "", customer_note: false });
      const o = order(id);
      if (req.method === "PUT") {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
        Object.assign(o, { status: body.status, transaction_id: body.transaction_id ?? "" });
        orders.set(id, o);
        if (body.status === "processing" && !putAt.has(id)) putAt.set(id, at);
      }
      send(200, o);
    });
  });
}

serveParent({
  async start() {
    sandbox = await startSandbox({
      port: 0,
      expirySweepMs: 0,
      fetch: (input, init) => {
        const body = typeof init?.body === "string" ? init.body : "";
        const cip = /"cip":\s*"?(\d+)/.exec(body)?.[1];
        if (cip && body.includes("cip.paid") && !notifiedAt.has(cip))
          notifiedAt.set(cip, performance.now());
        return fetch(input, init);
      },
    });
    woo = fakeWoo();
    await new Promise<void>((r) => woo!.listen(0, "127.0.0.1", r));
    return {
      sandboxUrl: sandbox.url,
      wooUrl: `http://127.0.0.1:${(woo.address() as AddressInfo).port}`,
    };
  },
  /** ms from the paid notification of `cip` leaving the sandbox to order `orderId`'s PUT; null if none yet. */
  lag(args: { cip: string; orderId: number }) {
    const t0 = notifiedAt.get(args.cip);
    const t1 = putAt.get(args.orderId);
    return t0 === undefined || t1 === undefined ? null : t1 - t0;
  },
  startWindow() {
    window0 = process.cpuUsage();
    requests.total = 0;
    requests.byRoute.clear();
    return {};
  },
  endWindow() {
    return { cpuMs: cpuMsSince(window0), wooRequests: Object.fromEntries(requests.byRoute) };
  },
  async close() {
    if (woo) {
      woo.closeAllConnections();
      await new Promise<void>((r) => woo!.close(() => r()));
    }
    await sandbox?.close();
    return {};
  },
});

process.on("SIGTERM", () => process.exit(0));
process.on("disconnect", () => process.exit(0));
