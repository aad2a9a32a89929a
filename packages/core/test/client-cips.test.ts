import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { fixedClock } from "../src/clock";
import { ValidationError } from "../src/errors";
import { jsonDecimal } from "../src/pagoefectivo-json";
import { PagoEfectivoConflictError } from "../src/pagoefectivo-client";
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

const body = {
  currency: "PEN",
  amount: jsonDecimal(15050),
  transactionCode: "1001",
  adminEmail: "pagos@tienda.example.pe",
  dateExpiry: "2026-11-24T10:15:30-05:00",
  paymentConcept: "Pedido #1001",
  userEmail: "rosa.quispe@example.pe",
  userName: "Rosa",
  userLastName: "Quispe",
};

describe("createCip", () => {
  it("sends the body with amount 150.50 verbatim and returns the CIP as a digit string", async () => {
    const { client, auth } = setup();
    let sent = "";
    server.use(
      http.post(`${BASE_URL}/v1/cips`, async ({ request }) => {
        expect(auth.isAuthorized(request)).toBe(true);
        sent = await request.text();
        return rawJson(
          '{"code":100,"message":"Solicitud exitosa.","data":{"cip":2495383,"currency":"PEN",' +
            '"amount":150.50,"transactionCode":"1001","dateExpiry":"2026-11-24T10:15:30-05:00",' +
            '"cipUrl":"https://pre1a.payment.pagoefectivo.pe/6f0e.html","unknownField":{"x":1}}}',
          201,
        );
      }),
    );
    const result = await client.createCip(body);
    expect(sent).toContain('"amount":150.50,');
    expect(JSON.parse(sent)).toMatchObject({
      transactionCode: "1001",
      userEmail: "rosa.quispe@example.pe",
    });
    expect(result).toEqual({
      cip: "2495383",
      transactionCode: "1001",
      amount: { minor: 15050, currency: "PEN" },
      dateExpiry: new Date("2026-11-24T15:15:30Z"),
      cipUrl: "https://pre1a.payment.pagoefectivo.pe/6f0e.html",
    });
  });

  it("accepts PascalCase envelopes (Data/Cip/CipUrl) and a string cip", async () => {
    const { client } = setup();
    server.use(
      http.post(`${BASE_URL}/v1/cips`, () =>
        HttpResponse.json({
          Code: 100,
          Message: "Solicitud exitosa.",
          Data: {
            Cip: "249538300",
            Currency: "USD",
            Amount: "25.00",
            CipUrl: "https://x.example/a.html",
          },
        }),
      ),
    );
    const result = await client.createCip({ ...body, currency: "USD" });
    expect(result.cip).toBe("249538300");
    expect(result.amount).toEqual({ minor: 2500, currency: "USD" });
    expect(result.transactionCode).toBe("1001");
    expect(result.dateExpiry).toBeNull();
  });

  it("keeps a CIP beyond 2^53 exact", async () => {
    const { client } = setup();
    server.use(
      http.post(`${BASE_URL}/v1/cips`, () =>
        rawJson('{"code":100,"data":{"cip":12345678901234567890,"cipUrl":"https://x.example/a"}}'),
      ),
    );
    expect((await client.createCip(body)).cip).toBe("12345678901234567890");
  });

  it("refuses a float amount or a missing transactionCode before sending anything", async () => {
    const { client, audits } = setup();
    const error = await client
      .createCip({ ...body, amount: 150.5 as never, transactionCode: " " })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.field)).toEqual([
      "transactionCode",
      "amount",
    ]);
    expect(audits).toEqual([]);
  });
});

describe("searchCips", () => {
  it("sends camelCase cips as numbers and parses dates, sentinel → null", async () => {
    const { client } = setup();
    let sent = "";
    server.use(
      http.post(`${BASE_URL}/v1/cips/search`, async ({ request }) => {
        sent = await request.text();
        return HttpResponse.json({
          code: 502,
          message: "Consulta exitosa.",
          data: [
            {
              cip: 2495383,
              transactionCode: "1001",
              amount: 150.5,
              currency: "PEN",
              status: 23,
              statusName: "Pagado",
              dateCreation: "2026-11-22T10:15:31-05:00",
              dateExpiry: "2026-11-24T10:15:30-05:00",
              datePayment: "2026-11-23T09:00:00-05:00",
              dateRemoval: "1900-01-01T00:00:00-05:00",
              somethingNew: true,
            },
          ],
        });
      }),
    );
    const result = await client.searchCips(["2495383", "2495384"]);
    expect(sent).toBe('{"data":[{"cip":2495383},{"cip":2495384}]}');
    expect(result).toEqual([
      {
        cip: "2495383",
        transactionCode: "1001",
        amount: { minor: 15050, currency: "PEN" },
        status: 23,
        statusName: "Pagado",
        dateCreation: new Date("2026-11-22T15:15:31Z"),
        dateExpiry: new Date("2026-11-24T15:15:30Z"),
        datePayment: new Date("2026-11-23T14:00:00Z"),
        dateRemoval: null,
      },
    ]);
  });

  it("accepts the C# demo's casing (Data/Cip/Status…) and dates without offset as Lima time", async () => {
    const { client } = setup();
    server.use(
      http.post(`${BASE_URL}/v1/cips/search`, () =>
        HttpResponse.json({
          Code: "502",
          Data: [
            {
              Cip: "2495384",
              TransactionCode: 1002,
              Amount: 18.5,
              Currency: "PEN",
              Status: "22",
              StatusName: "Generado",
              DateExpiry: "2026-11-24T10:15:30",
              DatePayment: null,
              DateRemoval: "1900-01-01T00:00:00",
            },
          ],
        }),
      ),
    );
    const [item] = await client.searchCips(["2495384"]);
    expect(item).toMatchObject({
      cip: "2495384",
      transactionCode: "1002",
      amount: { minor: 1850, currency: "PEN" },
      status: "22",
      dateExpiry: new Date("2026-11-24T15:15:30Z"),
      datePayment: null,
      dateRemoval: null,
      dateCreation: null,
    });
  });

  it("returns [] for no CIPs without calling PagoEfectivo, and refuses non-digit CIPs", async () => {
    const { client, audits } = setup();
    await expect(client.searchCips([])).resolves.toEqual([]);
    const error = await client.searchCips(["123", "12a", "1.5"]).catch((e: unknown) => e);
    expect((error as ValidationError).issues[0]!.field).toBe("cips[1]");
    expect(audits).toEqual([]);
  });
});

describe("extendCip and deleteCip", () => {
  it("PATCHes the new expiry in Lima time", async () => {
    const { client } = setup();
    let sent: unknown;
    server.use(
      http.patch(`${BASE_URL}/v1/cips/2495383`, async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json({
          code: 100,
          message: "Solicitud exitosa.",
          data: { cip: 2495383 },
        });
      }),
    );
    const result = await client.extendCip("2495383", new Date("2026-11-26T15:15:30Z"));
    expect(sent).toEqual({ dateExpiry: "2026-11-26T10:15:30-05:00" });
    expect(result).toEqual({ code: "100", message: "Solicitud exitosa.", cip: null });
  });

  it("DELETEs, accepting an empty 204", async () => {
    const { client } = setup();
    server.use(
      http.delete(`${BASE_URL}/v1/cips/2495383`, () => new HttpResponse(null, { status: 204 })),
    );
    await expect(client.deleteCip("2495383")).resolves.toEqual({
      code: undefined,
      message: undefined,
      cip: null,
    });
  });

  it("delete of a paid CIP surfaces PagoEfectivo's refusal", async () => {
    const { client } = setup();
    server.use(
      http.delete(`${BASE_URL}/v1/cips/2495383`, () =>
        HttpResponse.json({ code: 405, message: "El CIP ya fue pagado." }, { status: 409 }),
      ),
    );
    const error = await client.deleteCip("2495383").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagoEfectivoConflictError);
    expect((error as Error).message).toContain("El CIP ya fue pagado.");
  });

  it("refuses a CIP that could inject a path and an invalid date", async () => {
    const { client } = setup();
    await expect(client.deleteCip("../v2/refunds")).rejects.toBeInstanceOf(ValidationError);
    await expect(client.extendCip("1", new Date("nope"))).rejects.toBeInstanceOf(ValidationError);
  });
});
