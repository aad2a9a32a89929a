import { http } from "msw";
import { setupServer } from "msw/node";
import { fixedClock } from "../src/clock";
import { BASE_URL, T0, fakeAuthorizer, rawJson, testClient } from "./support/pagoefectivo-fake";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("the acknowledgement of a DELETE or PATCH", () => {
  it("reads the echoed CIP when asked, once", async () => {
    const clock = fixedClock(T0);
    server.use(fakeAuthorizer(clock).handler);
    const { client } = testClient(clock);
    server.use(
      http.delete(`${BASE_URL}/v1/cips/2495383`, () =>
        rawJson(
          '{"code":100,"message":"Solicitud exitosa.","data":{"cip":2495383,"amount":150.50,' +
            '"currency":"PEN","status":25,"transactionCode":"1001",' +
            '"dateRemoval":"2026-11-22T10:15:30-05:00"}}',
        ),
      ),
    );
    const ack = await client.deleteCip("2495383");
    expect(ack).toEqual({
      code: "100",
      message: "Solicitud exitosa.",
      cip: expect.objectContaining({
        cip: "2495383",
        amount: { minor: 15050, currency: "PEN" },
        status: 25,
        dateRemoval: new Date("2026-11-22T15:15:30Z"),
      }),
    });
    expect(ack.cip).toBe(ack.cip);
  });

  it("an echo that is not a search item is no CIP, not an error", async () => {
    const clock = fixedClock(T0);
    server.use(fakeAuthorizer(clock).handler);
    const { client } = testClient(clock);
    server.use(
      http.delete(`${BASE_URL}/v1/cips/2495383`, () =>
        rawJson('{"code":100,"message":"Solicitud exitosa.","data":{"cip":"x","amount":1.505}}'),
      ),
    );
    const ack = await client.deleteCip("2495383");
    expect(ack.cip).toBeNull();
    expect(JSON.parse(JSON.stringify(ack))).toEqual({
      code: "100",
      message: "Solicitud exitosa.",
      cip: null,
    });
  });
});
