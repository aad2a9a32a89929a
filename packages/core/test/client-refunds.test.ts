import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { fixedClock } from "../src/clock";
import { ValidationError } from "../src/errors";
import { checkRefundRequestSignature } from "../src/signatures";
import { PagoEfectivoConflictError, PagoEfectivoValidationError } from "../src/pagoefectivo-client";
import {
  BASE_URL,
  CREDENTIALS,
  T0,
  fakeAuthorizer,
  rawJson,
  testClient,
} from "./support/pagoefectivo-fake";

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

const input = {
  transactionId: "2495383",
  amount: { minor: 5000, currency: "PEN" as const },
  reason: "Producto devuelto",
  reference: "shopify-refund-8c1f",
  invoiceNumber: "FC01-00000123",
};

const refundAnswer =
  '{"code":100,"message":"Solicitud exitosa.","data":{"refundId":"rf_01J","status":"pending",' +
  '"transactionId":"2495383","amount":50.00,"currency":"PEN","reference":"shopify-refund-8c1f",' +
  '"createdAt":"2026-11-22T10:15:30-05:00"}}';

interface Captured {
  raw: Buffer;
  timestamp: string | null;
  signature: string | null;
  authorized: boolean;
}

function captureRefunds(
  auth: ReturnType<typeof fakeAuthorizer>,
  answer: () => Response = () => rawJson(refundAnswer),
) {
  const captured: Captured[] = [];
  server.use(
    http.post(`${BASE_URL}/v2/refunds`, async ({ request }) => {
      captured.push({
        raw: Buffer.from(await request.arrayBuffer()),
        timestamp: request.headers.get("pe-timestamp"),
        signature: request.headers.get("pe-signature"),
        authorized: auth.isAuthorized(request),
      });
      return answer();
    }),
  );
  return captured;
}

describe("createRefund", () => {
  it("signs the exact bytes sent; the server-side check accepts them", async () => {
    const { client, auth, clock } = setup();
    const captured = captureRefunds(auth);
    const refund = await client.createRefund(input);
    const [req] = captured;
    expect(req!.raw.toString("utf8")).toBe(
      '{"transactionId":"2495383","amount":50.00,"currency":"PEN","reason":"Producto devuelto",' +
        '"reference":"shopify-refund-8c1f","invoiceNumber":"FC01-00000123"}',
    );
    expect(req!.timestamp).toBe("2026-11-22T10:15:30-05:00");
    expect(req!.authorized).toBe(true);
    expect(
      checkRefundRequestSignature({
        timestamp: req!.timestamp ?? undefined,
        signature: req!.signature ?? undefined,
        rawBody: req!.raw,
        secretKey: CREDENTIALS.secretKey,
        now: clock.now(),
      }),
    ).toEqual({ ok: true });
    // A different secret or a tampered body is refused by the same check.
    expect(
      checkRefundRequestSignature({
        timestamp: req!.timestamp ?? undefined,
        signature: req!.signature ?? undefined,
        rawBody: Buffer.from(req!.raw.toString().replace("50.00", "60.00")),
        secretKey: CREDENTIALS.secretKey,
        now: clock.now(),
      }).ok,
    ).toBe(false);
    expect(refund).toEqual({
      refundId: "rf_01J",
      status: "pending",
      transactionId: "2495383",
      amount: { minor: 5000, currency: "PEN" },
      reference: "shopify-refund-8c1f",
      createdAt: new Date("2026-11-22T15:15:30Z"),
      processedDate: null,
      reasonCode: null,
    });
  });

  it("signs non-ASCII text over its UTF-8 bytes", async () => {
    const { client, auth, clock } = setup();
    const captured = captureRefunds(auth);
    await client.createRefund({ ...input, reason: "Devolución — talla pequeña ñ 🧾" });
    const req = captured[0]!;
    expect(req.raw.toString("utf8")).toContain("Devolución — talla pequeña ñ 🧾");
    expect(
      checkRefundRequestSignature({
        timestamp: req.timestamp ?? undefined,
        signature: req.signature ?? undefined,
        rawBody: req.raw,
        secretKey: CREDENTIALS.secretKey,
        now: clock.now(),
      }),
    ).toEqual({ ok: true });
  });

  it("is retried on 5xx with the same bytes (same reference) and a fresh timestamp", async () => {
    const { client, auth, clock } = setup();
    let n = 0;
    const captured = captureRefunds(auth, () => {
      clock.advance(90_000);
      return n++ === 0 ? HttpResponse.json({}, { status: 503 }) : rawJson(refundAnswer);
    });
    await client.createRefund(input);
    expect(captured).toHaveLength(2);
    expect(captured[1]!.raw.equals(captured[0]!.raw)).toBe(true);
    expect(captured[1]!.timestamp).not.toBe(captured[0]!.timestamp);
    for (const req of captured) {
      expect(
        checkRefundRequestSignature({
          timestamp: req.timestamp ?? undefined,
          signature: req.signature ?? undefined,
          rawBody: req.raw,
          secretKey: CREDENTIALS.secretKey,
          now: new Date(Date.parse(req.timestamp!)),
        }),
      ).toEqual({ ok: true });
    }
  });

  it("409 (same reference, other body) → conflict with PagoEfectivo's message", async () => {
    const { client, auth } = setup();
    captureRefunds(auth, () =>
      HttpResponse.json(
        { code: 409, message: "La referencia ya existe con otros datos." },
        { status: 409 },
      ),
    );
    const error = await client.createRefund(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagoEfectivoConflictError);
    expect((error as PagoEfectivoConflictError).pagoEfectivo.message).toBe(
      "La referencia ya existe con otros datos.",
    );
  });

  it("a refusal (e.g. above refundable balance) keeps PagoEfectivo's code and field", async () => {
    const { client, auth } = setup();
    captureRefunds(auth, () =>
      HttpResponse.json(
        {
          code: 111,
          message: "Error de validación.",
          data: [{ code: 604, field: "amount", message: "Monto mayor al saldo reembolsable." }],
        },
        { status: 400 },
      ),
    );
    const error = await client.createRefund(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagoEfectivoValidationError);
    expect((error as PagoEfectivoValidationError).issues).toEqual([
      { code: "604", field: "amount", message: "Monto mayor al saldo reembolsable." },
    ]);
  });

  it("validates every field locally before signing anything", async () => {
    const { client, audits } = setup();
    const error = await client
      .createRefund({
        transactionId: "24x",
        amount: { minor: 0, currency: "EUR" as never },
        reason: "",
        reference: "  ",
        invoiceNumber: "00000123",
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.field)).toEqual([
      "transactionId",
      "amount",
      "currency",
      "reason",
      "reference",
      "invoiceNumber",
    ]);
    expect(audits).toEqual([]);
  });
});

describe("getRefund", () => {
  it("parses a completed refund", async () => {
    const { client } = setup();
    server.use(
      http.get(`${BASE_URL}/v2/refunds/rf_01J`, () =>
        HttpResponse.json({
          code: 100,
          data: {
            refundId: "rf_01J",
            status: "completed",
            transactionId: 2495383,
            amount: "50.00",
            currency: "PEN",
            reference: "shopify-refund-8c1f",
            processedDate: "2026-11-25T11:00:00-05:00",
            reasonCode: 0,
          },
        }),
      ),
    );
    await expect(client.getRefund("rf_01J")).resolves.toMatchObject({
      refundId: "rf_01J",
      status: "completed",
      transactionId: "2495383",
      amount: { minor: 5000, currency: "PEN" },
      processedDate: new Date("2026-11-25T16:00:00Z"),
      createdAt: null,
      reasonCode: "0",
    });
  });

  it("refuses an id that could change the path", async () => {
    const { client } = setup();
    await expect(client.getRefund("../v1/cips")).rejects.toBeInstanceOf(ValidationError);
  });
});
