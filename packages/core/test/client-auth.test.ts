import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { fixedClock } from "../src/clock";
import { PagoEfectivoAuthError } from "../src/pagoefectivo-client";
import {
  BASE_URL,
  CREDENTIALS,
  T0,
  TWO_HOURS,
  fakeAuthorizer,
  ok,
  testClient,
} from "./support/pagoefectivo-fake";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const searchItem = {
  cip: 2495383,
  transactionCode: "1001",
  amount: 150.5,
  currency: "PEN",
  status: 22,
  statusName: "Generado",
  dateCreation: "2026-11-22T10:15:31-05:00",
  dateExpiry: "2026-11-24T10:15:30-05:00",
  datePayment: "1900-01-01T00:00:00-05:00",
  dateRemoval: "1900-01-01T00:00:00-05:00",
};

function setup(lifetimeMs = TWO_HOURS) {
  const clock = fixedClock(T0);
  const auth = fakeAuthorizer(clock, { lifetimeMs });
  const seen: Request[] = [];
  let searchCalls = 0;
  server.use(
    auth.handler,
    http.post(`${BASE_URL}/v1/cips/search`, ({ request }) => {
      searchCalls++;
      seen.push(request.clone());
      if (!auth.isAuthorized(request)) {
        return HttpResponse.json({ code: 401, message: "Token inválido." }, { status: 401 });
      }
      return ok([searchItem]);
    }),
  );
  return { clock, auth, seen, searchCalls: () => searchCalls, ...testClient(clock) };
}

describe("PagoEfectivo client authorization", () => {
  it("sends a valid hashString and the common headers", async () => {
    const { client, auth, seen } = setup();
    await client.searchCips(["2495383"]);
    expect(auth.state.authCalls).toBe(1);
    const req = seen[0]!;
    expect(req.headers.get("authorization")).toBe(`Bearer ${auth.state.issued[0]}`);
    expect(req.headers.get("content-type")).toBe("application/json");
    expect(req.headers.get("accept-language")).toBe("es-PE");
    expect(req.headers.get("origin")).toBe("web");
    expect(await req.text()).toBe('{"data":[{"cip":2495383}]}');
  });

  it("honours acceptLanguage", async () => {
    const clock = fixedClock(T0);
    const auth = fakeAuthorizer(clock);
    let lang: string | null = null;
    server.use(
      auth.handler,
      http.post(`${BASE_URL}/v1/cips/search`, ({ request }) => {
        lang = request.headers.get("accept-language");
        return ok([]);
      }),
    );
    await testClient(clock, { acceptLanguage: "en-US" }).client.searchCips(["1"]);
    expect(lang).toBe("en-US");
  });

  it("reuses the token across calls", async () => {
    const { client, auth } = setup();
    for (let i = 0; i < 5; i++) await client.searchCips(["2495383"]);
    expect(auth.state.authCalls).toBe(1);
  });

  it("shares one authorization between concurrent callers (single flight)", async () => {
    const { client, auth, searchCalls } = setup();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => client.searchCips(["2495383"])),
    );
    expect(results).toHaveLength(20);
    expect(auth.state.authCalls).toBe(1);
    expect(searchCalls()).toBe(20);
  });

  it("refreshes shortly before tokenExpires, not after", async () => {
    const { client, auth, clock } = setup();
    await client.searchCips(["2495383"]);
    clock.advance(TWO_HOURS - 61_000); // still outside the 60 s skew
    await client.searchCips(["2495383"]);
    expect(auth.state.authCalls).toBe(1);
    clock.advance(2_000); // now 59 s before expiry: inside the skew window
    await client.searchCips(["2495383"]);
    expect(auth.state.authCalls).toBe(2);
    await client.searchCips(["2495383"]);
    expect(auth.state.authCalls).toBe(2);
  });

  it("uses a configurable skew", async () => {
    const clock = fixedClock(T0);
    const auth = fakeAuthorizer(clock);
    server.use(
      auth.handler,
      http.post(`${BASE_URL}/v1/cips/search`, () => ok([])),
    );
    const { client } = testClient(clock, { tokenSkewMs: 10 * 60_000 });
    await client.searchCips(["1"]);
    clock.advance(TWO_HOURS - 11 * 60_000);
    await client.searchCips(["1"]);
    expect(auth.state.authCalls).toBe(1);
    clock.advance(2 * 60_000);
    await client.searchCips(["1"]);
    expect(auth.state.authCalls).toBe(2);
  });

  it("on 401 re-authorizes once and retries once", async () => {
    const { client, auth, searchCalls } = setup();
    await client.searchCips(["2495383"]);
    auth.revokeAll(); // PagoEfectivo invalidated the token early
    const result = await client.searchCips(["2495383"]);
    expect(result[0]!.cip).toBe("2495383");
    expect(auth.state.authCalls).toBe(2);
    expect(searchCalls()).toBe(3);
  });

  it("concurrent 401s share a single re-authorization", async () => {
    const { client, auth } = setup();
    await client.searchCips(["2495383"]);
    auth.revokeAll();
    await Promise.all(Array.from({ length: 10 }, () => client.searchCips(["2495383"])));
    expect(auth.state.authCalls).toBe(2);
  });

  it("a second 401 after re-authorizing is an auth error, with no further attempts", async () => {
    const clock = fixedClock(T0);
    const auth = fakeAuthorizer(clock);
    let calls = 0;
    server.use(
      auth.handler,
      http.post(`${BASE_URL}/v1/cips/search`, () => {
        calls++;
        return HttpResponse.json({ code: 401, message: "No autorizado." }, { status: 401 });
      }),
    );
    const { client, sleeps } = testClient(clock);
    const error = await client.searchCips(["2495383"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagoEfectivoAuthError);
    expect((error as PagoEfectivoAuthError).pagoEfectivo).toMatchObject({
      status: 401,
      code: "401",
      message: "No autorizado.",
    });
    expect(calls).toBe(2);
    expect(auth.state.authCalls).toBe(2);
    expect(sleeps).toEqual([]);
  });

  it("refused credentials are an auth error and are not retried", async () => {
    const clock = fixedClock(T0);
    const auth = fakeAuthorizer(clock, {
      secrets: { ...CREDENTIALS, secretKey: "sk_other_secret_value_0000000000000000" },
    });
    server.use(auth.handler);
    const { client, sleeps } = testClient(clock);
    const error = await client.searchCips(["2495383"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagoEfectivoAuthError);
    expect((error as PagoEfectivoAuthError).retryable).toBe(false);
    expect((error as Error).message).toContain("Credenciales inválidas.");
    expect(auth.state.authCalls).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it("after a failed authorization the next call tries again", async () => {
    const clock = fixedClock(T0);
    const auth = fakeAuthorizer(clock);
    let fail = true;
    server.use(
      http.post(`${BASE_URL}/v1/authorizations`, () =>
        fail ? HttpResponse.json({ code: 400, message: "Error" }, { status: 400 }) : undefined,
      ),
      auth.handler,
      http.post(`${BASE_URL}/v1/cips/search`, () => ok([])),
    );
    const { client } = testClient(clock);
    await expect(client.searchCips(["1"])).rejects.toBeInstanceOf(PagoEfectivoAuthError);
    fail = false;
    await expect(client.searchCips(["1"])).resolves.toEqual([]);
  });

  it("a token whose lifetime is inside the skew is still used by the call that fetched it", async () => {
    const { client, auth } = setup(30_000);
    await client.searchCips(["2495383"]);
    await client.searchCips(["2495383"]);
    // Each call re-authorizes (the token is always "about to expire") but never loops.
    expect(auth.state.authCalls).toBe(2);
  });
});
