import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { systemClock } from "@pe-pay/core";
import type { Database } from "../db/database";
import { auditedPagoEfectivoClients } from "./process-context";

describe("auditedPagoEfectivoClients", () => {
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    // Every call is refused: enough for the client to produce an audit entry.
    server = createServer((_req, res) => {
      res.writeHead(401, { "Content-Type": "application/json" });
      res.end('{"code":"401","message":"Unauthorized"}');
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const client = (db: Database, warn: jest.Mock) =>
    auditedPagoEfectivoClients({
      db,
      clock: systemClock,
      logger: { warn } as never,
      retry: { maxAttempts: 1 },
    })({
      credentials: { idService: 1, accessKey: "ak", secretKey: "sk" } as never,
      environment: "sandbox",
      baseUrl,
      tenantId: "00000000-0000-4000-8000-000000000001",
    });

  it("writes each outbound call to the audit log under the tenant, without secrets", async () => {
    const inserts: unknown[][] = [];
    const db = {
      query: jest.fn(async (_sql: string, params: unknown[]) => {
        inserts.push(params);
        return { rows: [{ id: 1 }], rowCount: 1 };
      }),
    } as unknown as Database;
    await expect(client(db, jest.fn()).searchCips(["123"])).rejects.toThrow();
    await new Promise((r) => setImmediate(r));
    expect(inserts.length).toBeGreaterThan(0);
    expect(inserts[0]).toContain("00000000-0000-4000-8000-000000000001");
    expect(inserts[0]).toContain("outbound");
    expect(JSON.stringify(inserts)).not.toContain('"sk"');
  });

  it("a failed audit insert is logged and does not change the call's outcome", async () => {
    const db = {
      query: jest.fn(async () => {
        throw new Error("db down");
      }),
    } as unknown as Database;
    const warn = jest.fn();
    const error = await client(db, warn)
      .searchCips(["123"])
      .catch((e: unknown) => e);
    await new Promise((r) => setImmediate(r));
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toContain("db down");
    expect(warn).toHaveBeenCalledWith({ err: "db down" }, "audit insert failed");
  });
});
