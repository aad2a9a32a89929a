import { authorizationHash, toLimaIso } from "@pe-pay/core";
import { DEMO, OTHER, harness, type Harness } from "./helpers";

let h: Harness;
let token: string;

beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());
beforeEach(async () => {
  await h.call("POST", "/_sandbox/reset");
  h.clock.set("2026-11-22T15:00:00Z");
  token = await h.token();
});

describe("POST /v1/authorizations", () => {
  const body = (over: Record<string, unknown> = {}) => {
    const dateRequest = toLimaIso(h.clock.now());
    return {
      accessKey: DEMO.accessKey,
      idService: DEMO.idService,
      dateRequest,
      hashString: authorizationHash({ ...DEMO, dateRequest }),
      ...over,
    };
  };

  it("issues a 2-hour opaque token with 201", async () => {
    const r = await h.call("POST", "/v1/authorizations", { body: body() });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({
      code: 100,
      message: "Solicitud exitosa.",
      data: {
        codeService: "DEM",
        tokenStart: "2026-11-22T10:00:00-05:00",
        tokenExpires: "2026-11-22T12:00:00-05:00",
      },
    });
    expect(r.json.data.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("refuses a wrong hash, an unknown merchant and another merchant's key with 401", async () => {
    for (const b of [
      body({ hashString: "0".repeat(64) }),
      body({ idService: 999 }),
      body({ accessKey: OTHER.accessKey }),
    ]) {
      const r = await h.call("POST", "/v1/authorizations", { body: b });
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ code: 120, message: "Credenciales inválidas.", data: [] });
    }
  });

  it("refuses a dateRequest more than 5 minutes away from the sandbox clock", async () => {
    const stale = toLimaIso(new Date(h.clock.now().getTime() - 6 * 60_000));
    const r = await h.call("POST", "/v1/authorizations", {
      body: body({
        dateRequest: stale,
        hashString: authorizationHash({ ...DEMO, dateRequest: stale }),
      }),
    });
    expect(r.status).toBe(401);
    expect(r.json.code).toBe(121);
    const nearFuture = toLimaIso(new Date(h.clock.now().getTime() + 4 * 60_000));
    const ok = await h.call("POST", "/v1/authorizations", {
      body: body({
        dateRequest: nearFuture,
        hashString: authorizationHash({ ...DEMO, dateRequest: nearFuture }),
      }),
    });
    expect(ok.status).toBe(201);
  });

  it("lists every missing field in the validation envelope", async () => {
    const r = await h.call("POST", "/v1/authorizations", { body: {} });
    expect(r.status).toBe(400);
    expect(r.json.code).toBe(111);
    expect(r.json.data.map((d: { field: string }) => d.field)).toEqual([
      "accessKey",
      "idService",
      "dateRequest",
      "hashString",
    ]);
  });

  it("answers 401 on a missing, unknown or expired bearer token", async () => {
    expect((await h.call("POST", "/v1/cips/search", { body: { data: [{ cip: 1 }] } })).status).toBe(
      401,
    );
    expect(
      (await h.call("POST", "/v1/cips/search", { token: "nope", body: { data: [{ cip: 1 }] } }))
        .status,
    ).toBe(401);
    expect(
      (await h.call("POST", "/v1/cips/search", { token, body: { data: [{ cip: 1 }] } })).status,
    ).toBe(200);
    h.clock.advance(2 * 3600_000 - 1000);
    expect(
      (await h.call("POST", "/v1/cips/search", { token, body: { data: [{ cip: 1 }] } })).status,
    ).toBe(200);
    h.clock.advance(1000);
    const r = await h.call("POST", "/v1/cips/search", { token, body: { data: [{ cip: 1 }] } });
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ code: 130, message: "Token inválido o expirado.", data: [] });
    expect(r.headers.get("www-authenticate")).toContain("Bearer");
  });
});

describe("POST /v1/cips", () => {
  it("creates sequential CIPs with a voucher URL served by the sandbox", async () => {
    const a = await h.createCip(token, { transactionCode: "1001" });
    expect(a.status).toBe(201);
    expect(a.text).toContain('"amount":150.50');
    expect(a.json.data).toMatchObject({
      cip: 2495383,
      currency: "PEN",
      transactionCode: "1001",
      dateExpiry: "2026-11-24T10:00:00-05:00",
    });
    expect(a.json.data.cipUrl).toMatch(new RegExp(`^${h.url}/cip/[0-9a-f-]{36}\\.html$`));
    const b = await h.createCip(token, { transactionCode: "1002", amount: 7 });
    expect(b.json.data.cip).toBe(2495384);
    expect(b.text).toContain('"amount":7.00');
    const page = await fetch(a.json.data.cipUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("CIP 2495383");
    expect(html).toContain("S/ 150.50");
    expect((await fetch(`${h.url}/cip/00000000-0000-0000-0000-000000000000.html`)).status).toBe(
      404,
    );
  });

  it("reports every invalid field at once with code 111", async () => {
    const r = await h.call("POST", "/v1/cips", {
      token,
      body: '{"currency":"EUR","amount":150.505,"userEmail":"not-an-email","dateExpiry":"2026-11-22T09:00:00-05:00","userDocumentType":"XX","userUbigeo":"15"}',
    });
    expect(r.status).toBe(400);
    expect(r.json.code).toBe(111);
    expect(r.json.message).toBe("Error de validación.");
    const fields = r.json.data.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(
      [
        "amount",
        "currency",
        "dateExpiry",
        "transactionCode",
        "userDocumentType",
        "userEmail",
        "userUbigeo",
      ].sort(),
    );
    for (const d of r.json.data)
      expect(d).toEqual({
        code: expect.any(Number),
        field: expect.any(String),
        message: expect.any(String),
      });
    const missing = await h.call("POST", "/v1/cips", {
      token,
      body: {
        currency: "PEN",
        amount: 10,
        transactionCode: "x",
        dateExpiry: "2030-01-01T00:00:00-05:00",
      },
    });
    expect(missing.json.data).toEqual([
      { code: 313, field: "userEmail", message: "El email es requerido." },
    ]);
  });

  it.each([
    ["150.500", "trailing third decimal"],
    ["1.5e2", "exponent"],
    ["-5.00", "negative"],
    ["0", "zero"],
    ['"150.50"', "string"],
    ["1000000.01", "above maximum"],
  ])("refuses amount %s (%s) on its literal text", async (literal) => {
    const r = await h.call("POST", "/v1/cips", {
      token,
      body: `{"currency":"PEN","amount":${literal},"transactionCode":"1","userEmail":"a@b.pe","dateExpiry":"2030-01-01T00:00:00-05:00"}`,
    });
    expect(r.status).toBe(400);
    expect(r.json.data).toEqual([expect.objectContaining({ code: 311, field: "amount" })]);
    expect(h.running.sandbox.state.cips.size).toBe(0);
  });

  it("answers malformed JSON and non-object bodies with the envelope", async () => {
    for (const body of ["{", "[]", "42", "", '"x"']) {
      const r = await h.call("POST", "/v1/cips", { token, body: body || new Uint8Array() });
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ code: 111, data: [{ field: "body" }] });
    }
  });

  it("answers an oversize body with 413 in the envelope", async () => {
    const r = await h.call("POST", "/v1/cips", { token, body: `{"x":"${"a".repeat(70_000)}"}` });
    expect(r.status).toBe(413);
    expect(r.json).toEqual({ code: 113, message: "La solicitud es demasiado grande.", data: [] });
  });
});

describe("search, extend and delete", () => {
  it("searches with data/cip or Data/Cip and reports the sentinel dates", async () => {
    await h.createCip(token);
    for (const body of [
      { data: [{ cip: 2495383 }, { cip: 999 }] },
      { Data: [{ Cip: "2495383" }] },
    ]) {
      const r = await h.call("POST", "/v1/cips/search", { token, body });
      expect(r.status).toBe(200);
      expect(r.json.code).toBe(502);
      expect(r.json.message).toBe("Consulta exitosa.");
      expect(r.json.data).toEqual([
        {
          cip: 2495383,
          transactionCode: "1001",
          amount: 150.5,
          currency: "PEN",
          status: 22,
          statusName: "Generado",
          dateCreation: "2026-11-22T10:00:00-05:00",
          dateExpiry: "2026-11-24T10:00:00-05:00",
          datePayment: "1900-01-01T00:00:00-05:00",
          dateRemoval: "1900-01-01T00:00:00-05:00",
        },
      ]);
    }
    const bad = await h.call("POST", "/v1/cips/search", {
      token,
      body: { data: [{ cip: "abc" }, {}] },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.data.map((d: { field: string }) => d.field)).toEqual([
      "data[0].cip",
      "data[1].cip",
    ]);
  });

  it("keeps merchants apart: another merchant's CIP is not found", async () => {
    await h.createCip(token);
    const other = await h.token(OTHER);
    const r = await h.call("POST", "/v1/cips/search", {
      token: other,
      body: { data: [{ cip: 2495383 }] },
    });
    expect(r.json.data).toEqual([]);
    expect((await h.call("DELETE", "/v1/cips/2495383", { token: other })).status).toBe(404);
    expect(
      (
        await h.call("PATCH", "/v1/cips/2495383", {
          token: other,
          body: { dateExpiry: "2030-01-01T00:00:00-05:00" },
        })
      ).status,
    ).toBe(404);
  });

  it("expires lazily on read and an extension makes an expired CIP payable again", async () => {
    await h.createCip(token);
    h.clock.advance(49 * 3600_000);
    token = await h.token();
    const s = await h.call("POST", "/v1/cips/search", {
      token,
      body: { data: [{ cip: 2495383 }] },
    });
    expect(s.json.data[0]).toMatchObject({ status: 21, statusName: "Expirado" });
    const past = await h.call("PATCH", "/v1/cips/2495383", {
      token,
      body: { dateExpiry: "2026-11-20T00:00:00-05:00" },
    });
    expect(past.status).toBe(400);
    const p = await h.call("PATCH", "/v1/cips/2495383", {
      token,
      body: { dateExpiry: "2026-11-30T10:00:00-05:00" },
    });
    expect(p.status).toBe(200);
    expect(p.json.data).toMatchObject({ status: 22, dateExpiry: "2026-11-30T10:00:00-05:00" });
    expect((await h.call("POST", "/_sandbox/cips/2495383/pay", { body: {} })).status).toBe(200);
  });

  it("deletes only while unpaid; a paid CIP answers 409 and stays paid", async () => {
    await h.createCip(token);
    await h.createCip(token, { transactionCode: "1002" });
    const d = await h.call("DELETE", "/v1/cips/2495383", { token });
    expect(d.status).toBe(200);
    expect(d.json.data).toMatchObject({
      status: 25,
      statusName: "Eliminado",
      dateRemoval: "2026-11-22T10:00:00-05:00",
    });
    expect((await h.call("DELETE", "/v1/cips/2495383", { token })).json.code).toBe(142);
    expect((await h.call("POST", "/_sandbox/cips/2495383/pay", { body: {} })).status).toBe(409);
    await h.call("POST", "/_sandbox/cips/2495384/pay", { body: {} });
    const paid = await h.call("DELETE", "/v1/cips/2495384", { token });
    expect(paid.status).toBe(409);
    expect(paid.json).toEqual({ code: 141, message: "El CIP ya fue pagado.", data: [] });
    const ext = await h.call("PATCH", "/v1/cips/2495384", {
      token,
      body: { dateExpiry: "2030-01-01T00:00:00-05:00" },
    });
    expect(ext.status).toBe(409);
    expect(h.running.sandbox.state.cips.get(2495384)?.state).toBe("paid");
  });

  it("answers unknown CIPs, bad CIP numbers and unknown routes with the envelope", async () => {
    expect((await h.call("DELETE", "/v1/cips/9999999", { token })).json).toEqual({
      code: 140,
      message: "CIP no encontrado.",
      data: [],
    });
    expect((await h.call("DELETE", "/v1/cips/abc", { token })).status).toBe(400);
    const nf = await h.call("GET", "/v1/nothing", { token });
    expect(nf.status).toBe(404);
    expect(nf.json.code).toBe(180);
  });
});

describe("agent page", () => {
  it("lists CIPs in Spanish with Pagar/Vencer forms, English with ?lang=en, and pays via a form post", async () => {
    await h.createCip(token);
    const es = await h.call("GET", "/");
    expect(es.headers.get("content-type")).toContain("text/html");
    expect(es.text).toContain("Pagar");
    expect(es.text).toContain("Vencer");
    expect(es.text).toContain('action="/_sandbox/cips/2495383/pay"');
    const en = await h.call("GET", "/?lang=en");
    expect(en.text).toContain(">Pay<");
    const post = await h.call("POST", "/_sandbox/cips/2495383/pay", {
      body: "lang=en&channel=Kasnet&amount=",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(post.status).toBe(303);
    expect(post.headers.get("location")).toBe("/?lang=en");
    expect(h.running.sandbox.state.cips.get(2495383)).toMatchObject({
      state: "paid",
      channel: "Kasnet",
      paidAmountMinor: 15050,
    });
    const again = await h.call("POST", "/_sandbox/cips/2495383/pay", {
      body: "lang=es",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(again.status).toBe(409);
    expect(again.text).toContain("El CIP ya fue pagado.");
  });
});
