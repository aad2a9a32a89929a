import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { fixedClock } from "../src/clock";
import { jsonDecimal } from "../src/pagoefectivo-json";
import {
  CipCreationOutcomeUnknownError,
  PagoEfectivoMalformedResponseError,
} from "../src/pagoefectivo-client";
import { BASE_URL, T0, fakeAuthorizer, rawJson, testClient } from "./support/pagoefectivo-fake";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function setup() {
  const clock = fixedClock(T0);
  const auth = fakeAuthorizer(clock);
  server.use(auth.handler);
  return { clock, auth, ...testClient(clock) };
}

const cipBody = { currency: "PEN", amount: jsonDecimal(15050), transactionCode: "1001" };
const url = '"cipUrl":"https://x.example/a.html"';

describe("malformed 2xx answers to createCip → outcome unknown (a CIP may exist)", () => {
  it.each([
    ["bad JSON", '{"code":100,"data":{"cip":2495383', "body is not valid JSON"],
    ["HTML", "<html>OK</html>", "body is not valid JSON"],
    ["missing data", '{"code":100,"message":"Solicitud exitosa."}', "data"],
    ["missing cip", `{"code":100,"data":{${url}}}`, "data.cip"],
    ["missing cipUrl", '{"code":100,"data":{"cip":2495383}}', "data.cipUrl"],
    ["cip as float", `{"code":100,"data":{"cip":2495383.5,${url}}}`, "data.cip"],
    ["cip with letters", `{"code":100,"data":{"cip":"24953A3",${url}}}`, "data.cip"],
    ["negative cip", `{"code":100,"data":{"cip":-2495383,${url}}}`, "data.cip"],
    [
      "amount with 3 decimals",
      `{"code":100,"data":{"cip":1,"amount":150.505,${url}}}`,
      "data.amount",
    ],
    [
      "amount in exponent form",
      `{"code":100,"data":{"cip":1,"amount":1.5e2,${url}}}`,
      "data.amount",
    ],
    ["unknown currency", `{"code":100,"data":{"cip":1,"currency":"EUR",${url}}}`, "data.currency"],
    [
      "unparseable dateExpiry",
      `{"code":100,"data":{"cip":1,"dateExpiry":"mañana",${url}}}`,
      "data.dateExpiry",
    ],
  ])("%s", async (_name, text, problem) => {
    const { client } = setup();
    server.use(http.post(`${BASE_URL}/v1/cips`, () => rawJson(text, 201)));
    const error = await client.createCip(cipBody).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CipCreationOutcomeUnknownError);
    const e = error as CipCreationOutcomeUnknownError;
    expect(e.reason).toBe("malformed_success");
    expect(e.transactionCode).toBe("1001");
    expect(e.cause).toBeInstanceOf(PagoEfectivoMalformedResponseError);
    const cause = e.cause as PagoEfectivoMalformedResponseError;
    expect(cause.problems.join("\n")).toContain(problem);
  });
});

describe("malformed answers to other calls → PagoEfectivoMalformedResponseError", () => {
  const item = (over: Record<string, unknown>) =>
    JSON.stringify({
      code: 502,
      data: [{ cip: 1, amount: 10, currency: "PEN", status: 22, ...over }],
    });

  it.each([
    ["bad JSON", "{", "body is not valid JSON"],
    ["data not an array", '{"code":502,"data":{"cip":1}}', "data"],
    [
      "cip as float",
      '{"code":502,"data":[{"cip":2495383.5,"amount":10,"currency":"PEN","status":22}]}',
      "data.0.cip",
    ],
    [
      "amount with 3 decimals",
      '{"code":502,"data":[{"cip":1,"amount":10.125,"currency":"PEN","status":22}]}',
      "data.0.amount",
    ],
    ["missing status", item({ status: undefined }), "data.0.status"],
    ["missing amount", item({ amount: undefined }), "data.0.amount"],
    ["bad date", item({ datePayment: "23/11/2026" }), "data.0.datePayment"],
  ])("search: %s", async (_name, text, problem) => {
    const { client } = setup();
    server.use(http.post(`${BASE_URL}/v1/cips/search`, () => rawJson(text)));
    const error = await client.searchCips(["1"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagoEfectivoMalformedResponseError);
    expect((error as PagoEfectivoMalformedResponseError).retryable).toBe(false);
    expect((error as PagoEfectivoMalformedResponseError).problems.join("\n")).toContain(problem);
  });

  it("a malformed answer is not retried", async () => {
    const { client, sleeps } = setup();
    let calls = 0;
    server.use(
      http.get(`${BASE_URL}/v2/refunds/rf_1`, () => {
        calls++;
        return HttpResponse.json({ code: 100, data: { refundId: "rf_1" } });
      }),
    );
    await expect(client.getRefund("rf_1")).rejects.toBeInstanceOf(
      PagoEfectivoMalformedResponseError,
    );
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it("an authorization answer without tokenExpires is malformed", async () => {
    const clock = fixedClock(T0);
    server.use(
      http.post(`${BASE_URL}/v1/authorizations`, () =>
        HttpResponse.json({ code: 100, data: { token: "tok_abcdefghijklmnop" } }, { status: 201 }),
      ),
    );
    const { client } = testClient(clock);
    const error = await client.searchCips(["1"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagoEfectivoMalformedResponseError);
    expect((error as Error).message).toContain("tokenExpires");
    expect((error as Error).message).not.toContain("tok_abcdefghijklmnop");
  });
});
