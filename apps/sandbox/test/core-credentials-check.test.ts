/**
 * @pe-pay/core's credential check against the real sandbox over HTTP on loopback. It lives here,
 * not in packages/core, because the sandbox depends on core (a core test importing the sandbox
 * made a workspace dependency cycle).
 */
import { systemClock, checkPagoEfectivoCredentials } from "@pe-pay/core";
import { startSandbox, type RunningSandbox } from "../src";
import { DEMO } from "./helpers";

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, expirySweepMs: 0 });
});
afterAll(() => sandbox.close());

it("accepts the sandbox's demo merchant", async () => {
  await expect(
    checkPagoEfectivoCredentials({ baseUrl: sandbox.url, clock: systemClock, ...DEMO }),
  ).resolves.toEqual({ ok: true });
});

it("reports PagoEfectivo's own refusal without echoing the keys", async () => {
  const secretKey = "sk_wrong_0000000000000000000000000000000";
  const result = await checkPagoEfectivoCredentials({
    baseUrl: sandbox.url,
    clock: systemClock,
    ...DEMO,
    secretKey,
  });
  expect(result).toMatchObject({ ok: false, reason: "rejected" });
  if (result.ok) throw new Error("unreachable");
  expect(result.message).toMatch(/HTTP 401/);
  expect(result.message).not.toContain(secretKey);
  expect(result.message).not.toContain(DEMO.accessKey);
});

it("says when PagoEfectivo cannot be reached", async () => {
  const result = await checkPagoEfectivoCredentials({
    baseUrl: "http://127.0.0.1:9",
    clock: systemClock,
    timeoutMs: 2000,
    ...DEMO,
  });
  expect(result).toMatchObject({ ok: false, reason: "unreachable" });
});
