import fc from "fast-check";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { fixedClock } from "../src/clock";
import { AppError, ValidationError } from "../src/errors";
import { jsonDecimal } from "../src/pagoefectivo-json";
import {
  REDACTED,
  createPagoEfectivoClient,
  redactPagoEfectivoPayload,
  type PagoEfectivoAuditEntry,
} from "../src/pagoefectivo-client";
import { BASE_URL, T0, fakeAuthorizer, ok } from "./support/pagoefectivo-fake";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_";
const secretString = (length: number) =>
  fc
    .array(fc.constantFrom(...ALNUM.split("")), { minLength: length, maxLength: length })
    .map((chars) => chars.join(""));

const personal = {
  userEmail: "rosa.quispe@example.pe",
  userName: "Rosa",
  userLastName: "Quispe-Ccahuana",
  userPhone: "987654321",
  userDocumentNumber: "45879632",
};

type Scenario =
  | "auth_refused_echo"
  | "server_error_echo"
  | "validation_echo"
  | "malformed_echo"
  | "success_echo"
  | "refund_conflict_echo";

/** Everything an error exposes that could end up in a log line or an API answer. */
function exposed(error: unknown): string {
  if (!(error instanceof AppError)) return String(error);
  const e = error as AppError & { pagoEfectivo?: unknown; issues?: unknown; problems?: unknown };
  return JSON.stringify({
    message: e.message,
    merchant: e.merchantMessage,
    shopper: e.shopperMessage,
    json: e.toJSON(),
    info: e.pagoEfectivo,
    issues: e.issues,
    problems: e.problems,
    stack: e.stack,
    cause: e.cause instanceof Error ? e.cause.message : undefined,
  });
}

async function run(scenario: Scenario, accessKey: string, secretKey: string) {
  const clock = fixedClock(T0);
  const creds = { idService: 1234, accessKey, secretKey };
  const auth = fakeAuthorizer(clock, {
    secrets: scenario === "auth_refused_echo" ? { ...creds, secretKey: `${secretKey}x` } : creds,
  });
  // PagoEfectivo may echo what a request carried: secrets anywhere (defence in depth), the
  // shopper's data in answers to the CIP and refund calls that sent it.
  const echo = (withPersonal = true) =>
    `eco ${accessKey} / ${secretKey} / ${auth.state.issued.join(" ")}` +
    (withPersonal ? ` / ${personal.userEmail} ${personal.userName}` : "");
  server.resetHandlers();
  server.use(
    http.post(`${BASE_URL}/v1/authorizations`, () =>
      scenario === "auth_refused_echo"
        ? HttpResponse.json({ code: 401, message: echo(false) }, { status: 401 })
        : undefined,
    ),
    auth.handler,
    http.post(`${BASE_URL}/v1/cips`, () => {
      if (scenario === "server_error_echo") {
        return HttpResponse.json({ code: 500, message: echo() }, { status: 500 });
      }
      if (scenario === "validation_echo") {
        return HttpResponse.json(
          {
            code: 111,
            message: echo(),
            data: [{ code: 313, field: `userEmail ${secretKey}`, message: echo() }],
          },
          { status: 400 },
        );
      }
      if (scenario === "malformed_echo") {
        return ok({ cip: echo(), cipUrl: "https://x.example/a", token: echo() });
      }
      return ok({ cip: 2495383, cipUrl: "https://x.example/a", ...personal, note: echo() });
    }),
    http.post(`${BASE_URL}/v2/refunds`, () =>
      HttpResponse.json({ code: 409, message: echo(false) }, { status: 409 }),
    ),
  );
  const audits: PagoEfectivoAuditEntry[] = [];
  const client = createPagoEfectivoClient({
    baseUrl: BASE_URL,
    ...creds,
    clock,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    sleep: async () => undefined,
    onAudit: (e) => audits.push(e),
  });
  let error: unknown;
  try {
    if (scenario === "refund_conflict_echo") {
      await client.createRefund({
        transactionId: "2495383",
        amount: { minor: 100, currency: "PEN" },
        reason: "motivo",
        reference: "ref-1",
        invoiceNumber: "FC01-00000123",
      });
    } else {
      await client.createCip({
        currency: "PEN",
        amount: jsonDecimal(15050),
        transactionCode: "1001",
        ...personal,
      });
    }
  } catch (e) {
    error = e;
  }
  return { error, audits, tokens: auth.state.issued };
}

describe("secrets and personal data never leak", () => {
  it("no secret in any error or audit entry; no personal field in any audit entry (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        secretString(20),
        secretString(40),
        fc.constantFrom<Scenario>(
          "auth_refused_echo",
          "server_error_echo",
          "validation_echo",
          "malformed_echo",
          "success_echo",
          "refund_conflict_echo",
        ),
        async (accessKey, secretKey, scenario) => {
          const { error, audits, tokens } = await run(scenario, accessKey, secretKey);
          if (scenario !== "success_echo") expect(error).toBeInstanceOf(AppError);
          const texts = [exposed(error), JSON.stringify(audits)];
          for (const text of texts) {
            expect(text).not.toContain(secretKey);
            expect(text).not.toContain(accessKey);
            for (const token of tokens) expect(text).not.toContain(token);
          }
          const auditText = JSON.stringify(audits);
          for (const value of Object.values(personal)) expect(auditText).not.toContain(value);
          expect(audits.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("audit entries carry method, path, status, duration and redacted bodies", async () => {
    const { audits } = await run(
      "success_echo",
      "AK9X2M7Q4T8W1Z5R3P6N",
      "sk_demo_secret_value_1234567890abcdef",
    );
    const [authEntry, cipEntry] = audits;
    expect(authEntry).toMatchObject({
      method: "POST",
      path: "/v1/authorizations",
      status: 201,
      attempt: 1,
    });
    expect(authEntry!.requestBody).toMatchObject({
      accessKey: REDACTED,
      hashString: REDACTED,
      idService: 1234,
    });
    expect((authEntry!.responseBody as { data: { token: string } }).data.token).toBe(REDACTED);
    expect(cipEntry).toMatchObject({
      method: "POST",
      path: "/v1/cips",
      status: 200,
      outcome: "response",
    });
    expect(typeof cipEntry!.durationMs).toBe("number");
    expect(cipEntry!.requestBody).toMatchObject({
      transactionCode: "1001",
      amount: 150.5,
      userEmail: REDACTED,
      userPhone: REDACTED,
    });
  });

  it("options errors do not echo the values", () => {
    const secretKey = "sk_demo_secret_value_1234567890abcdef";
    const attempt = () =>
      createPagoEfectivoClient({
        baseUrl: "not a url",
        idService: 1.5,
        accessKey: "",
        secretKey,
      });
    expect(attempt).toThrow(ValidationError);
    try {
      attempt();
    } catch (e) {
      expect(exposed(e)).not.toContain(secretKey);
      expect((e as { issues: { field: string }[] }).issues.map((i) => i.field)).toEqual([
        "baseUrl",
        "idService",
        "accessKey",
      ]);
    }
  });
});

describe("redactPagoEfectivoPayload", () => {
  it("redacts nested secret and personal keys in any casing, and scrubs known secret values", () => {
    const out = redactPagoEfectivoPayload(
      {
        Data: [{ UserEmail: "a@b.pe", Token: "t", note: "the key is sk_very_secret_value" }],
        accessKey: "AK",
        keep: 1,
        userName: null,
      },
      ["sk_very_secret_value"],
    );
    expect(out).toEqual({
      Data: [{ UserEmail: REDACTED, Token: REDACTED, note: `the key is ${REDACTED}` }],
      accessKey: REDACTED,
      keep: 1,
      userName: null,
    });
  });
});
