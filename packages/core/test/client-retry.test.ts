import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { fixedClock } from "../src/clock";
import { UnavailableError } from "../src/errors";
import { jsonDecimal } from "../src/pagoefectivo-json";
import {
  CipCreationOutcomeUnknownError,
  PagoEfectivoAuthError,
  PagoEfectivoConflictError,
  PagoEfectivoNotFoundError,
  PagoEfectivoRejectedError,
  PagoEfectivoUnavailableError,
  PagoEfectivoValidationError,
} from "../src/pagoefectivo-client";
import { BASE_URL, T0, fakeAuthorizer, ok, testClient } from "./support/pagoefectivo-fake";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const cipBody = () => ({
  currency: "PEN",
  amount: jsonDecimal(15050),
  transactionCode: "1001",
  userEmail: "rosa.quispe@example.pe",
  dateExpiry: "2026-11-24T10:15:30-05:00",
});
const created = {
  cip: 2495383,
  currency: "PEN",
  amount: 150.5,
  transactionCode: "1001",
  dateExpiry: "2026-11-24T10:15:30-05:00",
  cipUrl: "https://pre1a.payment.pagoefectivo.pe/6f0e4c1a.html",
};

/** Answers the scripted responses in order, then `rest` forever; counts calls. */
function scripted(
  method: "get" | "post" | "patch" | "delete",
  path: string,
  script: Array<() => Response | Promise<Response>>,
  rest: () => Response | Promise<Response>,
) {
  const calls = { n: 0 };
  const handler = http[method](`${BASE_URL}${path}`, () => {
    const step = script[calls.n++] ?? rest;
    return step();
  });
  return { handler, calls };
}

const status = (s: number, body: Record<string, unknown> = { code: s, message: `HTTP ${s}` }) =>
  HttpResponse.json(body, { status: s });

function setup(overrides: Parameters<typeof testClient>[1] = {}) {
  const clock = fixedClock(T0);
  const auth = fakeAuthorizer(clock);
  server.use(auth.handler);
  return { clock, auth, ...testClient(clock, overrides) };
}

describe("retries of idempotent calls", () => {
  it("retries 5xx with exponential backoff and full jitter, then succeeds", async () => {
    const { client, sleeps, audits } = setup({
      retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 },
      random: () => 0.999,
    });
    const s = scripted(
      "post",
      "/v1/cips/search",
      [() => status(500), () => status(503), () => status(502)],
      () => ok([]),
    );
    server.use(s.handler);
    await expect(client.searchCips(["2495383"])).resolves.toEqual([]);
    expect(s.calls.n).toBe(4);
    // ceilings 100, 200, min(400, 250): full jitter picks in [0, ceiling)
    expect(sleeps).toEqual([99, 199, 249]);
    expect(
      audits.filter((a) => a.path === "/v1/cips/search").map((a) => [a.attempt, a.status]),
    ).toEqual([
      [1, 500],
      [2, 503],
      [3, 502],
      [4, 200],
    ]);
  });

  it("jitter uses the injected random source", async () => {
    const { client, sleeps } = setup({ random: () => 0 });
    const s = scripted("post", "/v1/cips/search", [() => status(500)], () => ok([]));
    server.use(s.handler);
    await client.searchCips(["1"]);
    expect(sleeps).toEqual([0]);
  });

  it("gives up after maxAttempts with an unavailable error carrying PagoEfectivo's answer", async () => {
    const { client, sleeps } = setup();
    const s = scripted("post", "/v1/cips/search", [], () =>
      status(503, { code: 999, message: "Servicio no disponible." }),
    );
    server.use(s.handler);
    const error = await client.searchCips(["1"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagoEfectivoUnavailableError);
    expect(error).toBeInstanceOf(UnavailableError);
    const e = error as PagoEfectivoUnavailableError;
    expect(e.retryable).toBe(true);
    expect(e.reason).toBe("http_5xx");
    expect(e.attempts).toBe(3);
    expect(e.pagoEfectivo).toMatchObject({
      status: 503,
      code: "999",
      message: "Servicio no disponible.",
    });
    expect(s.calls.n).toBe(3);
    expect(sleeps).toHaveLength(2);
  });

  it("retries network errors", async () => {
    const { client } = setup();
    const s = scripted("post", "/v1/cips/search", [() => HttpResponse.error()], () => ok([]));
    server.use(s.handler);
    await expect(client.searchCips(["1"])).resolves.toEqual([]);
    expect(s.calls.n).toBe(2);
  });

  it("network errors on every attempt → unavailable (network)", async () => {
    const { client } = setup();
    server.use(http.get(`${BASE_URL}/v2/refunds/rf_1`, () => HttpResponse.error()));
    const error = await client.getRefund("rf_1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagoEfectivoUnavailableError);
    expect((error as PagoEfectivoUnavailableError).reason).toBe("network");
  });

  it("retries 429 and the authorization call itself", async () => {
    const { client, auth } = setup();
    const flaky = scripted(
      "post",
      "/v1/authorizations",
      [() => status(503), () => status(429)],
      () =>
        // fall through to the real fake authorizer
        undefined as unknown as Response,
    );
    server.use(flaky.handler);
    server.use(http.post(`${BASE_URL}/v1/cips/search`, () => ok([])));
    await expect(client.searchCips(["1"])).resolves.toEqual([]);
    expect(flaky.calls.n).toBe(3);
    expect(auth.state.authCalls).toBe(1);
  });

  it.each([
    ["extendCip", "patch", "/v1/cips/2495383"],
    ["deleteCip", "delete", "/v1/cips/2495383"],
    ["getRefund", "get", "/v2/refunds/rf_1"],
    ["getSettlement", "get", "/v1/settlements"],
  ] as const)("%s is retried on 5xx", async (name, method, path) => {
    const { client } = setup();
    const s = scripted(method, path, [() => status(500)], () => ok({ cip: 2495383 }));
    server.use(s.handler);
    const call: Record<string, () => Promise<unknown>> = {
      extendCip: () => client.extendCip("2495383", new Date("2026-11-26T15:00:00Z")),
      deleteCip: () => client.deleteCip("2495383"),
      getRefund: () => client.getRefund("rf_1"),
      getSettlement: () => client.getSettlement("2026-11-22"),
    };
    await call[name]!().catch(() => undefined); // success body shapes are tested elsewhere
    expect(s.calls.n).toBe(2);
  });
});

describe("timeouts", () => {
  it("a slow answer times out, is retried, and finally reports a timeout", async () => {
    const { client, audits } = setup({ timeoutMs: 50 });
    const s = scripted("post", "/v1/cips/search", [], async () => {
      await delay(400);
      return ok([]);
    });
    server.use(s.handler);
    const error = await client.searchCips(["1"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagoEfectivoUnavailableError);
    expect((error as PagoEfectivoUnavailableError).reason).toBe("timeout");
    expect(s.calls.n).toBe(3);
    const searchAudits = audits.filter((a) => a.path === "/v1/cips/search");
    expect(searchAudits.map((a) => [a.outcome, a.status])).toEqual([
      ["timeout", null],
      ["timeout", null],
      ["timeout", null],
    ]);
  });

  it("a timeout followed by a fast answer succeeds", async () => {
    const { client } = setup({ timeoutMs: 50 });
    const s = scripted(
      "post",
      "/v1/cips/search",
      [
        async () => {
          await delay(400);
          return ok([]);
        },
      ],
      () => ok([]),
    );
    server.use(s.handler);
    await expect(client.searchCips(["1"])).resolves.toEqual([]);
  });

  it("bounds an injected fetch that ignores its abort signal", async () => {
    const clock = fixedClock(T0);
    const { client } = testClient(clock, {
      timeoutMs: 30,
      retry: { maxAttempts: 1 },
      fetch: () => new Promise<Response>(() => undefined),
    });
    const error = await client.searchCips(["1"]).catch((e: unknown) => e);
    expect((error as PagoEfectivoUnavailableError).reason).toBe("timeout");
  });
});

describe("createCip is never blindly repeated", () => {
  it.each([
    ["500", () => status(500), "http_5xx"],
    ["503", () => status(503), "http_5xx"],
    ["network error", () => HttpResponse.error(), "network"],
  ] as const)(
    "%s → CipCreationOutcomeUnknownError, one attempt only",
    async (_n, answer, reason) => {
      const { client, sleeps } = setup();
      const s = scripted("post", "/v1/cips", [], answer);
      server.use(s.handler);
      const error = await client.createCip(cipBody()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CipCreationOutcomeUnknownError);
      // Deliberately not an UnavailableError: generic retry handlers must not re-create.
      expect(error).not.toBeInstanceOf(UnavailableError);
      const e = error as CipCreationOutcomeUnknownError;
      expect(e.transactionCode).toBe("1001");
      expect(e.reason).toBe(reason);
      expect(e.retryable).toBe(true);
      expect(e.toJSON()).toMatchObject({
        code: "cip_creation_outcome_unknown",
        transactionCode: "1001",
      });
      expect(s.calls.n).toBe(1);
      expect(sleeps).toEqual([]);
    },
  );

  it("a timeout → outcome unknown, one attempt only", async () => {
    const { client } = setup({ timeoutMs: 50 });
    const s = scripted("post", "/v1/cips", [], async () => {
      await delay(400);
      return ok(created, 201);
    });
    server.use(s.handler);
    const error = await client.createCip(cipBody()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CipCreationOutcomeUnknownError);
    expect((error as CipCreationOutcomeUnknownError).reason).toBe("timeout");
    expect(s.calls.n).toBe(1);
  });

  it("401 is safe to resend: one re-authorization then success", async () => {
    const { client, auth } = setup();
    server.use(
      http.post(`${BASE_URL}/v1/cips`, ({ request }) =>
        auth.isAuthorized(request) ? ok(created, 201) : status(401),
      ),
    );
    const first = await client.createCip(cipBody());
    auth.revokeAll();
    const second = await client.createCip(cipBody());
    expect(first.cip).toBe("2495383");
    expect(second.cip).toBe("2495383");
    expect(auth.state.authCalls).toBe(2);
  });

  it("429 proves nothing was created: backoff and resend, then give up as plain unavailable", async () => {
    const { client, sleeps } = setup();
    const s = scripted("post", "/v1/cips", [() => status(429)], () => ok(created, 201));
    server.use(s.handler);
    await expect(client.createCip(cipBody())).resolves.toMatchObject({ cip: "2495383" });
    expect(sleeps).toHaveLength(1);

    const always = scripted("post", "/v1/cips", [], () => status(429));
    server.use(always.handler);
    const error = await client.createCip(cipBody()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagoEfectivoUnavailableError);
    expect((error as PagoEfectivoUnavailableError).reason).toBe("rate_limited");
    expect(always.calls.n).toBe(3);
  });

  it("a refused connection never reached PagoEfectivo, so it is retried", async () => {
    const clock = fixedClock(T0);
    const auth = fakeAuthorizer(clock);
    server.use(auth.handler);
    let cipCalls = 0;
    const refused = Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
    });
    const { client } = testClient(clock, {
      fetch: async (url, init) => {
        if (url.endsWith("/v1/cips") && cipCalls++ === 0) throw refused;
        return fetch(url, init);
      },
    });
    server.use(http.post(`${BASE_URL}/v1/cips`, () => ok(created, 201)));
    await expect(client.createCip(cipBody())).resolves.toMatchObject({ cip: "2495383" });
    expect(cipCalls).toBe(2);
  });

  it("a 400 validation answer is a definite failure with PagoEfectivo's field list", async () => {
    const { client } = setup();
    const s = scripted("post", "/v1/cips", [], () =>
      status(400, {
        code: 111,
        message: "Error de validación.",
        data: [
          { code: 313, field: "userEmail", message: "El email es requerido." },
          { code: 305, field: "amount", message: "El monto es inválido." },
        ],
      }),
    );
    server.use(s.handler);
    const error = await client.createCip(cipBody()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagoEfectivoValidationError);
    const e = error as PagoEfectivoValidationError;
    expect(e.retryable).toBe(false);
    expect(e.issues).toEqual([
      { code: "313", field: "userEmail", message: "El email es requerido." },
      { code: "305", field: "amount", message: "El monto es inválido." },
    ]);
    expect(e.pagoEfectivo).toMatchObject({
      status: 400,
      code: "111",
      message: "Error de validación.",
    });
    expect(e.message).toContain("userEmail");
    expect(s.calls.n).toBe(1);
  });
});

describe("error mapping", () => {
  it.each([
    [404, PagoEfectivoNotFoundError],
    [409, PagoEfectivoConflictError],
    [422, PagoEfectivoValidationError],
    [403, PagoEfectivoAuthError],
    [410, PagoEfectivoRejectedError],
  ] as const)("HTTP %s → %p, not retried", async (code, cls) => {
    const { client, sleeps } = setup();
    const s = scripted("get", "/v2/refunds/rf_1", [], () =>
      status(code, { code: 777, message: "Mensaje de PagoEfectivo", field: "refundId" }),
    );
    server.use(s.handler);
    const error = await client.getRefund("rf_1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(cls);
    expect((error as { pagoEfectivo: unknown }).pagoEfectivo).toMatchObject({
      status: code,
      code: "777",
      message: "Mensaje de PagoEfectivo",
      field: "refundId",
    });
    expect(s.calls.n).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it("an error answer that is not JSON is still typed", async () => {
    const { client } = setup();
    server.use(
      http.delete(
        `${BASE_URL}/v1/cips/2495383`,
        () => new HttpResponse("<html>Conflict</html>", { status: 409 }),
      ),
    );
    const error = await client.deleteCip("2495383").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagoEfectivoConflictError);
    expect((error as PagoEfectivoConflictError).pagoEfectivo.code).toBeUndefined();
  });
});
