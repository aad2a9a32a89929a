import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { authorizationHash, fixedClock, signRefundRequest, toLimaIso } from "@pe-pay/core";
import { startSandbox, type RunningSandbox, type StartOptions } from "../src/index";

export const DEMO = {
  idService: 1234,
  accessKey: "AK9X2M7Q4T8W1Z5R3P6N",
  secretKey: "sk_demo_4f1c2a9b7e6d5c3b2a1f0e9d8c7b6a5f",
};
export const OTHER = {
  idService: 777,
  accessKey: "ZZ9X2M7Q4T8W1Z5R3P6N",
  secretKey: "sk_other_0123456789abcdef0123456789abcdef",
};

export const T0 = "2026-11-22T15:00:00Z"; // 10:00 in Lima

export type Clock = ReturnType<typeof fixedClock>;

export interface Harness {
  running: RunningSandbox;
  url: string;
  clock: Clock;
  call(method: string, path: string, opts?: CallOptions): Promise<Reply>;
  token(merchant?: typeof DEMO): Promise<string>;
  createCip(token: string, overrides?: Record<string, unknown>): Promise<Reply>;
  refund(
    token: string,
    body: string | Record<string, unknown>,
    opts?: { secret?: string; timestamp?: string; signature?: string },
  ): Promise<Reply>;
  close(): Promise<void>;
}

export interface CallOptions {
  token?: string;
  body?: string | Record<string, unknown> | Uint8Array;
  headers?: Record<string, string>;
}

export interface Reply {
  status: number;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
}

export async function harness(options: StartOptions = {}): Promise<Harness> {
  const clock = fixedClock(T0);
  const running = await startSandbox({
    port: 0,
    clock,
    expirySweepMs: 0,
    merchants: [OTHER],
    notificationRetry: { baseDelayMs: 5, maxAttempts: 3, timeoutMs: 2000 },
    ...options,
  });
  const call = async (method: string, path: string, opts: CallOptions = {}): Promise<Reply> => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    let body: string | Uint8Array | undefined;
    if (opts.body !== undefined) {
      body =
        typeof opts.body === "string" || opts.body instanceof Uint8Array
          ? opts.body
          : JSON.stringify(opts.body);
      headers["Content-Type"] ??= "application/json";
    }
    const res = await fetch(`${running.url}${path}`, {
      method,
      headers,
      body: body as BodyInit | undefined,
      redirect: "manual",
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json, headers: res.headers };
  };
  const token = async (m = DEMO) => {
    const dateRequest = toLimaIso(clock.now());
    const r = await call("POST", "/v1/authorizations", {
      body: {
        accessKey: m.accessKey,
        idService: m.idService,
        dateRequest,
        hashString: authorizationHash({ ...m, dateRequest }),
      },
    });
    if (r.status !== 201) throw new Error(`authorization failed: ${r.text}`);
    return r.json.data.token as string;
  };
  const createCip = (tok: string, overrides: Record<string, unknown> = {}) => {
    const body = {
      currency: "PEN",
      amount: "__AMOUNT__",
      transactionCode: "1001",
      userEmail: "rosa.quispe@example.pe",
      dateExpiry: toLimaIso(new Date(clock.now().getTime() + 48 * 3600_000)),
      ...overrides,
    };
    const amount = "amount" in overrides ? JSON.stringify(overrides.amount) : "150.50";
    const text = JSON.stringify(body).replace('"__AMOUNT__"', amount);
    return call("POST", "/v1/cips", { token: tok, body: text });
  };
  const refund = (
    tok: string,
    body: string | Record<string, unknown>,
    opts: { secret?: string; timestamp?: string; signature?: string } = {},
  ) => {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    const timestamp = opts.timestamp ?? toLimaIso(clock.now());
    const signature =
      opts.signature ?? signRefundRequest(timestamp, text, opts.secret ?? DEMO.secretKey);
    return call("POST", "/v2/refunds", {
      token: tok,
      body: text,
      headers: { "PE-Timestamp": timestamp, "PE-Signature": signature },
    });
  };
  return {
    running,
    url: running.url,
    clock,
    call,
    token,
    createCip,
    refund,
    close: () => running.close(),
  };
}

/** Refund body with the amount written as a JSON number with two decimals. */
export function refundBody(fields: {
  transactionId: string;
  amount: string;
  reference: string;
  invoiceNumber?: string;
  currency?: string;
  reason?: string;
}): string {
  const { amount, ...rest } = fields;
  const obj = {
    currency: "PEN",
    reason: "Producto devuelto",
    invoiceNumber: "FC01-00000123",
    ...rest,
    amount: "__A__",
  };
  return JSON.stringify(obj).replace('"__A__"', amount);
}

export interface Received {
  body: Buffer;
  headers: IncomingMessage["headers"];
}

/** A local merchant endpoint; `statuses` are answered in order (then 200). */
export async function receiver(statuses: number[] = []): Promise<{
  url: string;
  received: Received[];
  server: Server;
  close(): Promise<void>;
  waitFor(n: number): Promise<void>;
}> {
  const received: Received[] = [];
  const queue = statuses; // by reference: tests may push more statuses later
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ body: Buffer.concat(chunks), headers: req.headers });
      res.statusCode = queue.shift() ?? 200;
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/pagoefectivo`;
  return {
    url,
    received,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
    async waitFor(n) {
      while (received.length < n) await new Promise((r) => setTimeout(r, 5));
    },
  };
}
