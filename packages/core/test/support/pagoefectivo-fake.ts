/**
 * Test helpers for the PagoEfectivo client (not exported from the package): an msw fake of the
 * authorization endpoint that really checks the hash and tracks issued tokens, and a client
 * factory that records backoff sleeps and audit entries instead of waiting.
 */
import { http, HttpResponse } from "msw";
import { toLimaIso, type fixedClock } from "../../src/clock";
import { authorizationHash } from "../../src/signatures";
import type { PagoEfectivoAuditEntry } from "../../src/pagoefectivo-client/transport";
import {
  createPagoEfectivoClient,
  type PagoEfectivoClientOptions,
} from "../../src/pagoefectivo-client/client";

export const BASE_URL = "https://pe.test";
export const CREDENTIALS = {
  idService: 1234,
  accessKey: "AK9X2M7Q4T8W1Z5R3P6N",
  secretKey: "sk_demo_4f1c2a9b7e6d5c3b2a1f0e9d8c7b6a5f",
};
export const T0 = "2026-11-22T15:15:30Z";
export const TWO_HOURS = 2 * 3600_000;

export type TestClock = ReturnType<typeof fixedClock>;

export function fakeAuthorizer(
  clock: TestClock,
  opts: { lifetimeMs?: number; secrets?: typeof CREDENTIALS } = {},
) {
  const creds = opts.secrets ?? CREDENTIALS;
  const state = {
    authCalls: 0,
    issued: [] as string[],
    valid: new Set<string>(),
    lifetimeMs: opts.lifetimeMs ?? TWO_HOURS,
  };
  const handler = http.post(`${BASE_URL}/v1/authorizations`, async ({ request }) => {
    state.authCalls++;
    const body = (await request.json()) as Record<string, unknown>;
    const expected = authorizationHash({
      idService: creds.idService,
      accessKey: creds.accessKey,
      secretKey: creds.secretKey,
      dateRequest: String(body.dateRequest),
    });
    if (
      body.hashString !== expected ||
      body.accessKey !== creds.accessKey ||
      body.idService !== creds.idService
    ) {
      return HttpResponse.json(
        { code: 401, message: "Credenciales inválidas.", data: [] },
        { status: 401 },
      );
    }
    const token = `eyJ.tok${state.authCalls}.${Math.random().toString(36).slice(2)}x`;
    state.issued.push(token);
    state.valid.add(token);
    const now = clock.now();
    return HttpResponse.json(
      {
        code: 100,
        message: "Solicitud exitosa.",
        data: {
          token,
          codeService: "ABC",
          tokenStart: toLimaIso(now),
          tokenExpires: toLimaIso(new Date(now.getTime() + state.lifetimeMs)),
        },
      },
      { status: 201 },
    );
  });
  const bearer = (request: Request) =>
    (request.headers.get("authorization") ?? "").replace(/^Bearer /, "");
  return {
    state,
    handler,
    bearer,
    /** True when the request carries a token this fake issued and has not revoked. */
    isAuthorized: (request: Request) => state.valid.has(bearer(request)),
    revokeAll: () => state.valid.clear(),
  };
}

export function testClient(clock: TestClock, overrides: Partial<PagoEfectivoClientOptions> = {}) {
  const sleeps: number[] = [];
  const audits: PagoEfectivoAuditEntry[] = [];
  const client = createPagoEfectivoClient({
    baseUrl: BASE_URL,
    ...CREDENTIALS,
    clock,
    timeoutMs: 2_000,
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    onAudit: (e) => audits.push(e),
    ...overrides,
  });
  return { client, sleeps, audits };
}

export const ok = (data: unknown, status = 200) =>
  HttpResponse.json({ code: 100, message: "Solicitud exitosa.", data }, { status });

/** A 2xx whose body is given verbatim (for exact-number and malformed cases). */
export const rawJson = (text: string, status = 200) =>
  new HttpResponse(text, { status, headers: { "Content-Type": "application/json" } });
