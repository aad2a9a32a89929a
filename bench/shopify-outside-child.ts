/**
 * What the Shopify app talks to besides PagoEfectivo, in a process of its own for
 * bench/shopify.bench.ts (not a bench file itself): a stand-in for Shopify's Payments Apps
 * GraphQL endpoint (every mutation succeeds) and an SMTP sink that accepts every message.
 */
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { cpuMsSince, serveParent } from "./engine-bench-support";

let http: Server | undefined;
let smtp: TcpServer | undefined;
let window0 = process.cpuUsage();
const sockets = new Set<Socket>();
const counts = { mutations: 0, mails: 0 };
/** paymentSessionResolve arrival by session gid, on the epoch clock the app child stamps with. */
const resolvedAt = new Map<string, number>();

function graphql(): Server {
  return createHttpServer((req, res) => {
    const at = performance.timeOrigin + performance.now();
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      counts.mutations += 1;
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        query: string;
        variables: { id?: string };
      };
      const name = /mutation\s+(\w+)/.exec(body.query)?.[1] ?? "";
      const field = name.charAt(0).toLowerCase() + name.slice(1);
      const gid = body.variables.id;
      if (field === "paymentSessionResolve" && gid && !resolvedAt.has(gid)) resolvedAt.set(gid, at);
      // Shaped like Shopify's answers (test/fixtures/graphql): the session with its next action
      // (the thank-you page the app records for the voucher page) and the query cost.
      const session = gid?.startsWith("gid://shopify/PaymentSession/")
        ? {
            paymentSession: {
              id: gid,
              nextAction: {
                action: "REDIRECT",
                context: {
                  redirectUrl: `https://bench-shop.myshopify.com/checkouts/cn/${gid.slice(29)}/thank-you`,
                },
              },
            },
          }
        : {};
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          data: { [field]: { ...session, userErrors: [] } },
          extensions: {
            cost: {
              requestedQueryCost: 11,
              actualQueryCost: 11,
              throttleStatus: {
                maximumAvailable: 1000000,
                currentlyAvailable: 999989,
                restoreRate: 50000,
              },
            },
          },
        }),
      );
    });
  });
}

/** Just enough SMTP (RFC 5321, no extensions) for nodemailer to hand over a message. */
function smtpSink(): TcpServer {
  return createTcpServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.setEncoding("utf8");
    let buffer = "";
    let inData = false;
    socket.write("220 sink ESMTP\r\n");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) return;
          buffer = buffer.slice(end + 5);
          inData = false;
          counts.mails += 1;
          socket.write("250 queued\r\n");
          continue;
        }
        const eol = buffer.indexOf("\r\n");
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO") socket.write("250-sink\r\n250 8BITMIME\r\n");
        else if (verb === "DATA") {
          inData = true;
          socket.write("354 go ahead\r\n");
        } else if (verb === "QUIT") socket.end("221 bye\r\n");
        else socket.write("250 ok\r\n");
      }
    });
    socket.on("error", () => socket.destroy());
  });
}

const listen = (s: Server | TcpServer) =>
  new Promise<number>((r) => s.listen(0, "127.0.0.1", () => r((s.address() as AddressInfo).port)));

serveParent({
  async start() {
    http = graphql();
    smtp = smtpSink();
    const [h, m] = [await listen(http), await listen(smtp)];
    return { shopifyOrigin: `http://127.0.0.1:${h}`, smtpUrl: `smtp://127.0.0.1:${m}` };
  },
  startWindow() {
    window0 = process.cpuUsage();
    counts.mutations = 0;
    counts.mails = 0;
    return {};
  },
  resolvedAt(args: { gid: string }) {
    return resolvedAt.get(args.gid) ?? null;
  },
  counts() {
    return { ...counts };
  },
  endWindow() {
    return { cpuMs: cpuMsSince(window0), ...counts };
  },
  async close() {
    http?.closeAllConnections();
    await new Promise<void>((r) => (http ? http.close(() => r()) : r()));
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
    return {};
  },
});

process.on("SIGTERM", () => process.exit(0));
process.on("disconnect", () => process.exit(0));
