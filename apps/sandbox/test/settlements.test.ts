import { harness, refundBody, type Harness } from "./helpers";

let h: Harness;
let token: string;

beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

async function pay(cip: number, body: Record<string, unknown> = {}) {
  const r = await h.call("POST", `/_sandbox/cips/${cip}/pay`, { body });
  expect(r.status).toBe(200);
}

it("builds one settlement per Lima day and currency, with per-merchant fee, refunds and CSV", async () => {
  await h.call("POST", "/_sandbox/reset");
  h.clock.set("2026-11-22T15:00:00Z"); // 10:00 Lima
  await h.call("PUT", "/_sandbox/merchants/1234", { body: { feePercent: 2.5 } });
  token = await h.token();
  await h.createCip(token, { transactionCode: "A" }); // 2495383 150.50
  await h.createCip(token, { transactionCode: "B,quoted", amount: 99.99 }); // 2495384
  await h.createCip(token, { transactionCode: "C", amount: 20, currency: "USD" }); // 2495385
  await h.createCip(token, { transactionCode: "D", amount: 10 }); // 2495386
  await pay(2495383, { channel: "BCP-agente" });
  await pay(2495385);
  h.clock.set("2026-11-23T04:59:59Z"); // still the 22nd in Lima (23:59:59)
  await pay(2495384, { channel: "Kasnet", amount: "99.00" }); // wrong amount paid
  h.clock.set("2026-11-23T05:00:00Z"); // the 23rd in Lima
  await pay(2495386);
  token = await h.token();
  const ref = await h.refund(
    token,
    refundBody({ transactionId: "2495383", amount: "50.00", reference: "r1" }),
  );
  await h.call("POST", `/_sandbox/refunds/${ref.json.data.refundId}/complete`, { body: {} });
  const pending = await h.refund(
    token,
    refundBody({ transactionId: "2495383", amount: "1.00", reference: "r2" }),
  );
  expect(pending.status).toBe(200);

  const d22 = await h.call("GET", "/v1/settlements?date=2026-11-22", { token });
  expect(d22.status).toBe(200);
  expect(d22.json.data).toMatchObject({
    settlementId: "STL-1234-20261122-PEN",
    date: "2026-11-22",
    currency: "PEN",
    payoutDate: "2026-11-24",
    grossAmount: 249.5,
    feeAmount: 6.24, // 3.76 + 2.48 (2.475 rounds half up)
    refundAmount: 0,
    netAmount: 243.26,
  });
  expect(d22.text).toContain('"refundAmount":0.00');
  expect(d22.json.data.items).toEqual([
    {
      type: "payment",
      cip: 2495383,
      transactionCode: "A",
      channel: "BCP-agente",
      operationDate: "2026-11-22T10:00:00-05:00",
      amount: 150.5,
      feeAmount: 3.76,
      netAmount: 146.74,
    },
    {
      type: "payment",
      cip: 2495384,
      transactionCode: "B,quoted",
      channel: "Kasnet",
      operationDate: "2026-11-22T23:59:59-05:00",
      amount: 99,
      feeAmount: 2.48,
      netAmount: 96.52,
    },
  ]);

  const usd = await h.call("GET", "/v1/settlements?date=2026-11-22&currency=USD", { token });
  expect(usd.json.data).toMatchObject({
    settlementId: "STL-1234-20261122-USD",
    grossAmount: 20,
    feeAmount: 0.5,
    netAmount: 19.5,
  });

  const d23 = await h.call("GET", "/v1/settlements?date=2026-11-23", { token });
  expect(d23.json.data).toMatchObject({
    grossAmount: 10,
    feeAmount: 0.25,
    refundAmount: 50,
    netAmount: -40.25,
  });
  expect(d23.text).toContain('"netAmount":-40.25');
  expect(d23.json.data.items.find((i: { type: string }) => i.type === "refund")).toMatchObject({
    type: "refund",
    cip: 2495383,
    refundId: ref.json.data.refundId,
    amount: 50,
    feeAmount: 0,
    netAmount: -50,
  });

  const csv = await h.call("GET", `/v1/settlements/${d22.json.data.settlementId}.csv`, { token });
  expect(csv.status).toBe(200);
  expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  expect(csv.text).toBe(
    [
      "type,cip,transactionCode,refundId,channel,operationDate,amount,feeAmount,netAmount",
      "payment,2495383,A,,BCP-agente,2026-11-22T10:00:00-05:00,150.50,3.76,146.74",
      'payment,2495384,"B,quoted",,Kasnet,2026-11-22T23:59:59-05:00,99.00,2.48,96.52',
      "",
    ].join("\r\n"),
  );
  const csv23 = await h.call("GET", "/v1/settlements/STL-1234-20261123-PEN.csv", { token });
  const lines = csv23.text.trim().split("\r\n").slice(1);
  const net = lines.reduce((s, l) => s + Math.round(Number(l.split(",").at(-1)) * 100), 0);
  expect(net).toBe(-4025);
});

it("validates the date and scopes CSV ids to the merchant", async () => {
  token = await h.token();
  for (const q of ["", "?date=2026-02-30", "?date=22-11-2026", "?date=2026-11-22&currency=EUR"]) {
    const r = await h.call("GET", `/v1/settlements${q}`, { token });
    expect(r.status).toBe(400);
    expect(r.json.code).toBe(111);
  }
  expect((await h.call("GET", "/v1/settlements/STL-777-20261122-PEN.csv", { token })).status).toBe(
    404,
  );
  expect((await h.call("GET", "/v1/settlements/whatever.csv", { token })).status).toBe(404);
  expect((await h.call("GET", "/v1/settlements/STL-1234-20261122-PEN.csv")).status).toBe(401);
  const empty = await h.call("GET", "/v1/settlements?date=2020-01-01", { token });
  expect(empty.json.data).toMatchObject({ grossAmount: 0, netAmount: 0, items: [] });
});
