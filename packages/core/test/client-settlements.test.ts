import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { fixedClock } from "../src/clock";
import { ValidationError } from "../src/errors";
import {
  PagoEfectivoMalformedResponseError,
  PagoEfectivoNotFoundError,
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

const settlementJson =
  '{"code":100,"data":{"settlementId":"STL-1234-20261122-PEN","date":"2026-11-22","currency":"PEN",' +
  '"payoutDate":"2026-11-24","grossAmount":150.50,"feeAmount":4.52,"refundAmount":50.00,' +
  '"netAmount":95.98,"items":[' +
  '{"type":"payment","cip":2495383,"transactionCode":"1001","channel":"BCP-agente",' +
  '"operationDate":"2026-11-22T10:15:30-05:00","amount":150.50,"feeAmount":4.52,"netAmount":145.98},' +
  '{"type":"refund","cip":2495380,"transactionCode":"998","refundId":"rf_01J","channel":"",' +
  '"operationDate":"2026-11-22T12:00:00-05:00","amount":50.00,"feeAmount":0.00,"netAmount":-50.00}]}}';

describe("getSettlement", () => {
  it("asks for the Lima day and parses signed amounts into minor units", async () => {
    const { client } = setup();
    let query: string | null = null;
    server.use(
      http.get(`${BASE_URL}/v1/settlements`, ({ request }) => {
        query = new URL(request.url).searchParams.get("date");
        return rawJson(settlementJson);
      }),
    );
    // 03:00 UTC on the 23rd is still the 22nd in Lima.
    const s = await client.getSettlement(new Date("2026-11-23T03:00:00Z"));
    expect(query).toBe("2026-11-22");
    expect(s).toMatchObject({
      settlementId: "STL-1234-20261122-PEN",
      date: "2026-11-22",
      currency: "PEN",
      payoutDate: "2026-11-24",
      grossMinor: 15050,
      feeMinor: 452,
      refundMinor: 5000,
      netMinor: 9598,
    });
    expect(s.items).toEqual([
      {
        type: "payment",
        cip: "2495383",
        transactionCode: "1001",
        refundId: null,
        channel: "BCP-agente",
        operationDate: new Date("2026-11-22T15:15:30Z"),
        amountMinor: 15050,
        feeMinor: 452,
        netMinor: 14598,
      },
      {
        type: "refund",
        cip: "2495380",
        transactionCode: "998",
        refundId: "rf_01J",
        channel: "",
        operationDate: new Date("2026-11-22T17:00:00Z"),
        amountMinor: 5000,
        feeMinor: 0,
        netMinor: -5000,
      },
    ]);
  });

  it("refuses a malformed day locally and maps 404", async () => {
    const { client } = setup();
    await expect(client.getSettlement("2026-02-30")).rejects.toBeInstanceOf(ValidationError);
    await expect(client.getSettlement("22/11/2026")).rejects.toBeInstanceOf(ValidationError);
    server.use(
      http.get(`${BASE_URL}/v1/settlements`, () =>
        HttpResponse.json({ code: 404, message: "No hay liquidación." }, { status: 404 }),
      ),
    );
    await expect(client.getSettlement("2026-11-22")).rejects.toBeInstanceOf(
      PagoEfectivoNotFoundError,
    );
  });
});

describe("getSettlementCsv", () => {
  const csv =
    "type,cip,transactionCode,refundId,channel,operationDate,amount,feeAmount,netAmount\r\n" +
    "payment,2495383,1001,,BCP-agente,2026-11-22T10:15:30-05:00,150.50,4.52,145.98\r\n" +
    'refund,2495380,"99,8",rf_01J,"Agente ""Tambo+""",2026-11-22T12:00:00-05:00,50.00,0.00,-50.00\r\n';

  it("returns the raw text, raw rows and parsed items", async () => {
    const { client } = setup();
    let accept: string | null = null;
    server.use(
      http.get(`${BASE_URL}/v1/settlements/STL-1234-20261122-PEN.csv`, ({ request }) => {
        accept = request.headers.get("accept");
        return new HttpResponse(csv, { headers: { "Content-Type": "text/csv; charset=utf-8" } });
      }),
    );
    const result = await client.getSettlementCsv("STL-1234-20261122-PEN");
    expect(accept).toBe("text/csv");
    expect(result.text).toBe(csv);
    expect(result.columns).toHaveLength(9);
    expect(result.rows[1]).toMatchObject({ transactionCode: "99,8", channel: 'Agente "Tambo+"' });
    expect(result.items.map((i) => [i.type, i.cip, i.refundId, i.amountMinor, i.netMinor])).toEqual(
      [
        ["payment", "2495383", null, 15050, 14598],
        ["refund", "2495380", "rf_01J", 5000, -5000],
      ],
    );
  });

  it.each([
    ["unterminated quote", 'type,cip,amount\npayment,"1,150.50\n'],
    ["row wider than header", "type,cip,amount\npayment,1,150.50,x\n"],
    ["amount with 3 decimals", "type,cip,amount\npayment,1,150.505\n"],
    ["float cip", "type,cip,amount\npayment,2495383.5,150.50\n"],
    ["empty body", ""],
  ])("%s → malformed response", async (_n, text) => {
    const { client } = setup();
    server.use(http.get(`${BASE_URL}/v1/settlements/STL-1.csv`, () => new HttpResponse(text)));
    await expect(client.getSettlementCsv("STL-1")).rejects.toBeInstanceOf(
      PagoEfectivoMalformedResponseError,
    );
  });
});
