import { harness, type Harness } from "./helpers";

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());
beforeEach(() => h.call("POST", "/_sandbox/reset"));

it("creates and updates merchants without ever echoing the secret", async () => {
  const created = await h.call("PUT", "/_sandbox/merchants/4321", {
    body: {
      accessKey: "QQ9X2M7Q4T8W1Z5R3P6N",
      secretKey: "sk_new_0123456789abcdef0123456789abcdef",
      feePercent: 1.25,
      notificationUrl: "http://127.0.0.1:9/x",
    },
  });
  expect(created.status).toBe(200);
  expect(created.json.data).toEqual({
    idService: 4321,
    accessKey: "QQ9X2M7Q4T8W1Z5R3P6N",
    codeService: "SBX",
    notificationUrl: "http://127.0.0.1:9/x",
    feePercent: 1.25,
  });
  expect(created.text).not.toContain("sk_new");
  const tok = await h.token({
    idService: 4321,
    accessKey: "QQ9X2M7Q4T8W1Z5R3P6N",
    secretKey: "sk_new_0123456789abcdef0123456789abcdef",
  });
  expect(tok).toEqual(expect.any(String));
  const upd = await h.call("PUT", "/_sandbox/merchants/4321", { body: { notificationUrl: null } });
  expect(upd.json.data.notificationUrl).toBeNull();
  expect(
    (await h.call("GET", "/_sandbox/merchants")).json.data
      .map((m: { idService: number }) => m.idService)
      .sort((a: number, b: number) => a - b),
  ).toEqual([777, 1234, 4321]);
});

it.each([
  ["/_sandbox/merchants/5555", {}],
  ["/_sandbox/merchants/5555", { accessKey: "short", secretKey: "x" }],
  ["/_sandbox/merchants/abc", { feePercent: 1 }],
  ["/_sandbox/merchants/1234", { feePercent: 101 }],
  ["/_sandbox/merchants/1234", { notificationUrl: "ftp://x" }],
  ["/_sandbox/merchants/1234", { unknown: true }],
  ["/_sandbox/clock", { offsetMs: 1.5 }],
  ["/_sandbox/clock", { offsetMs: "10" }],
  ["/_sandbox/clock", {}],
])("PUT %s %j → 400 in the envelope", async (path, body) => {
  const before = h.running.sandbox.state.snapshot();
  const r = await h.call("PUT", path, { body });
  expect(r.status).toBe(400);
  expect(r.json.code).toBe(111);
  expect(h.running.sandbox.state.snapshot()).toEqual(before);
});

it("pays with a wrong amount, refuses bad pay input, lists CIPs and resets", async () => {
  const token = await h.token();
  await h.createCip(token);
  await h.createCip(token, { transactionCode: "2" });
  for (const body of [
    { amount: 1.234 },
    { amount: "abc" },
    { channel: "<script>" },
    { force: "yes" },
  ]) {
    expect((await h.call("POST", "/_sandbox/cips/2495383/pay", { body })).status).toBe(400);
  }
  expect((await h.call("POST", "/_sandbox/cips/1/pay", { body: {} })).status).toBe(404);
  const paid = await h.call("POST", "/_sandbox/cips/2495383/pay", {
    body: { amount: 100.5, channel: "Tambo+" },
  });
  expect(paid.json.data).toMatchObject({
    status: 23,
    paidAmount: 100.5,
    amount: 150.5,
    channel: "Tambo+",
  });
  await h.call("POST", "/_sandbox/cips/2495384/expire", { body: {} });
  expect((await h.call("POST", "/_sandbox/cips/2495384/pay", { body: {} })).json.code).toBe(143);
  const forced = await h.call("POST", "/_sandbox/cips/2495384/pay", { body: { force: true } });
  expect(forced.json.data.status).toBe(23);
  const list = await h.call("GET", "/_sandbox/cips");
  expect(list.json.data.map((c: { cip: number }) => c.cip)).toEqual([2495383, 2495384]);
  expect((await h.call("POST", "/_sandbox/reset")).status).toBe(200);
  expect((await h.call("GET", "/_sandbox/cips")).json.data).toEqual([]);
  expect((await h.createCip(await h.token())).json.data.cip).toBe(2495383);
});

it("answers /healthz even while API faults are injected", async () => {
  await h.call("PUT", "/_sandbox/faults", { body: { api: { errorRate: 1 } } });
  const health = await h.call("GET", "/healthz");
  expect(health.status).toBe(200);
  expect(health.json).toEqual({ status: "ok" });
  await h.call("PUT", "/_sandbox/faults", { body: {} });
});
