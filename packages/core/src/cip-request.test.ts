import fc from "fast-check";
import {
  buildCipRequest,
  CIP_FIELD_LIMITS,
  serializeCipRequest,
  type CipCharge,
  type CipCustomer,
} from "./cip-request";
import { ValidationError } from "./errors";
import { money } from "./money";
import { isWellFormedText } from "./text";

const NOW = new Date("2026-11-22T15:15:30.000Z"); // 10:15:30 in Lima

function charge(
  overrides: Partial<CipCharge> = {},
  customer: Partial<CipCustomer> = {},
): CipCharge {
  return {
    transactionCode: "1001",
    amount: money(15050, "PEN"),
    adminEmail: "pagos@tienda.example.pe",
    dateExpiry: new Date("2026-11-24T15:15:30.000Z"),
    paymentConcept: "Pedido #1001",
    additionalData: "shop=pe-demo",
    ...overrides,
    customer: {
      email: "rosa.quispe@example.pe",
      id: "c-77",
      firstName: "Rosa",
      lastName: "Quispe",
      ubigeo: "150115",
      documentType: "DNI",
      documentNumber: "45879632",
      phone: "987654321",
      ...customer,
    },
  };
}

function issuesOf(c: CipCharge, now = NOW) {
  try {
    buildCipRequest(c, now);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).issues;
  }
  throw new Error("expected a ValidationError");
}

const fieldsOf = (c: CipCharge) =>
  issuesOf(c)
    .map((i) => i.field)
    .sort();

describe("buildCipRequest + serializeCipRequest", () => {
  it("produces exactly the contract's example body, in the contract's key order", () => {
    const text = serializeCipRequest(buildCipRequest(charge(), NOW));
    expect(text).toBe(
      JSON.stringify({
        currency: "PEN",
        amount: "__AMOUNT__",
        transactionCode: "1001",
        adminEmail: "pagos@tienda.example.pe",
        dateExpiry: "2026-11-24T10:15:30-05:00",
        paymentConcept: "Pedido #1001",
        additionalData: "shop=pe-demo",
        userEmail: "rosa.quispe@example.pe",
        userId: "c-77",
        userName: "Rosa",
        userLastName: "Quispe",
        userUbigeo: "150115",
        userCountry: "PERU",
        userDocumentType: "DNI",
        userDocumentNumber: "45879632",
        userCodeCountry: "+51",
        userPhone: "987654321",
      }).replace('"__AMOUNT__"', "150.50"),
    );
  });

  it("writes amounts with two decimals, never through a float", () => {
    const amounts: [number, string][] = [
      [1, "0.01"],
      [10, "0.10"],
      [15050, "150.50"],
      [100_000_000, "1000000.00"],
    ];
    for (const [minor, text] of amounts) {
      const body = buildCipRequest(charge({ amount: money(minor, "USD") }), NOW);
      const json = serializeCipRequest(body);
      expect(json).toContain(`"currency":"USD","amount":${text},`);
      expect(JSON.parse(json).amount).toBe(Number(text));
    }
  });

  it("omits optional fields that are absent or blank, keeping userCountry", () => {
    const minimal: CipCharge = {
      transactionCode: "A-1_b",
      amount: money(990, "PEN"),
      adminEmail: "pagos@tienda.example.pe",
      dateExpiry: new Date("2026-11-23T15:15:30Z"),
      paymentConcept: "Pedido",
      customer: { email: "x@example.com", phone: "  ", firstName: "", lastName: " \n " },
    };
    expect(JSON.parse(serializeCipRequest(buildCipRequest(minimal, NOW)))).toEqual({
      currency: "PEN",
      amount: 9.9,
      transactionCode: "A-1_b",
      adminEmail: "pagos@tienda.example.pe",
      dateExpiry: "2026-11-23T10:15:30-05:00",
      paymentConcept: "Pedido",
      userEmail: "x@example.com",
      userCountry: "PERU",
    });
  });

  it("normalises phones, documents, emails and text", () => {
    const body = buildCipRequest(
      charge(
        { paymentConcept: "  Pedido\n#1001\u0000  ", additionalData: "\u202E" },
        {
          phone: "+1 415 555 2671",
          documentType: "pas",
          documentNumber: " ab123456 ",
          email: "  Rosa@Example.PE ",
          firstName: "Jose\u0301",
        },
      ),
      NOW,
    );
    expect(body).toMatchObject({
      paymentConcept: "Pedido #1001",
      userCodeCountry: "+1",
      userPhone: "4155552671",
      userDocumentType: "PAS",
      userDocumentNumber: "AB123456",
      userEmail: "Rosa@Example.PE",
      userName: "José",
    });
    expect(body).not.toHaveProperty("additionalData");
    expect(buildCipRequest(charge({}, { phone: "(01) 234-5678" }), NOW)).toMatchObject({
      userCodeCountry: "+51",
      userPhone: "12345678",
    });
  });

  it("accepts NAN without a number, and CE numbers", () => {
    const nan = buildCipRequest(charge({}, { documentType: "NAN", documentNumber: "" }), NOW);
    expect(nan.userDocumentType).toBe("NAN");
    expect(nan).not.toHaveProperty("userDocumentNumber");
    const ce = buildCipRequest(
      charge({}, { documentType: "CE", documentNumber: "001234567" }),
      NOW,
    );
    expect(ce).toMatchObject({ userDocumentType: "CE", userDocumentNumber: "001234567" });
  });

  it("truncates free text on grapheme boundaries instead of refusing it", () => {
    const concept = `Pedido ${"é".repeat(200)}`;
    const name = "👩‍👩‍👧‍👦".repeat(10); // 11 code units each
    const body = buildCipRequest(
      charge(
        { paymentConcept: concept, additionalData: "d".repeat(500) },
        { firstName: name, lastName: `${"a".repeat(49)}😀` },
      ),
      NOW,
    );
    expect(body.paymentConcept).toHaveLength(CIP_FIELD_LIMITS.paymentConcept.maxLength);
    expect(body.additionalData).toHaveLength(CIP_FIELD_LIMITS.additionalData.maxLength);
    expect(body.userName).toBe("👩‍👩‍👧‍👦".repeat(4));
    expect(body.userLastName).toBe("a".repeat(49));
  });

  it("never sends free text over its limit or with a broken code point (property)", () => {
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
    const text = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 300 }),
      fc.string({ unit: codeUnit, maxLength: 300 }),
    );
    fc.assert(
      fc.property(text, text, text, text, (concept, extra, first, last) => {
        let body;
        try {
          body = buildCipRequest(
            charge(
              { paymentConcept: `P ${concept}`, additionalData: extra },
              { firstName: first, lastName: last },
            ),
            NOW,
          );
        } catch (e) {
          // Only a concept that cleans down to nothing may be refused.
          expect((e as ValidationError).issues.map((i) => i.field)).toEqual(["paymentConcept"]);
          return;
        }
        const checks: [string | undefined, number][] = [
          [body.paymentConcept, CIP_FIELD_LIMITS.paymentConcept.maxLength],
          [body.additionalData, CIP_FIELD_LIMITS.additionalData.maxLength],
          [body.userName, CIP_FIELD_LIMITS.userName.maxLength],
          [body.userLastName, CIP_FIELD_LIMITS.userLastName.maxLength],
        ];
        for (const [value, max] of checks) {
          if (value === undefined) continue;
          expect(value.length).toBeLessThanOrEqual(max);
          expect(value.length).toBeGreaterThan(0);
          expect(isWellFormedText(value)).toBe(true);
          expect(value).not.toMatch(/\p{Cc}/u);
        }
        // The serialised body is valid JSON that round-trips the text.
        expect(JSON.parse(serializeCipRequest(body)).paymentConcept).toBe(body.paymentConcept);
      }),
      { numRuns: 300 },
    );
  });
});

describe("buildCipRequest validation", () => {
  it("reports every invalid field at once, with PagoEfectivo field names", () => {
    const bad: CipCharge = {
      transactionCode: "#1001",
      amount: { minor: 0, currency: "EUR" as "PEN" },
      adminEmail: "not-an-email",
      dateExpiry: new Date("2026-11-22T15:15:30.999Z"), // same second as now
      paymentConcept: " \u0000 ",
      customer: {
        email: "",
        id: "has space",
        phone: "12",
        documentType: "DNI",
        documentNumber: "1234567",
        ubigeo: "15011",
      },
    };
    expect(fieldsOf(bad)).toEqual(
      [
        "currency",
        "amount",
        "transactionCode",
        "adminEmail",
        "userEmail",
        "dateExpiry",
        "paymentConcept",
        "userId",
        "userUbigeo",
        "userDocumentNumber",
        "userPhone",
      ].sort(),
    );
  });

  it("puts every issue in the error message for the merchant, without echoing values", () => {
    try {
      buildCipRequest(charge({}, { email: "rosa@", documentNumber: "45879" }), NOW);
      throw new Error("should have thrown");
    } catch (e) {
      const err = e as ValidationError;
      expect(err.httpStatus).toBe(400);
      expect(err.merchantMessage).toContain("userEmail");
      expect(err.merchantMessage).toContain("userDocumentNumber");
      expect(err.message).not.toContain("rosa@");
      expect(err.message).not.toContain("45879");
      expect(JSON.stringify(err.toJSON())).not.toContain("45879");
    }
  });

  // Each entry corrupts exactly one field; any combination must report exactly those fields.
  const corruptions: Record<string, (c: CipCharge) => void> = {
    transactionCode: (c) => (c.transactionCode = "x".repeat(65)),
    amount: (c) => (c.amount = { minor: 100_000_001, currency: "PEN" }),
    currency: (c) => (c.amount = { minor: c.amount.minor, currency: "BTC" as "PEN" }),
    adminEmail: (c) => (c.adminEmail = "pagos@tienda"),
    userEmail: (c) => (c.customer.email = `${"a".repeat(95)}@x.pe`),
    dateExpiry: (c) => (c.dateExpiry = new Date("2026-11-22T15:00:00Z")),
    paymentConcept: (c) => (c.paymentConcept = "\n\t"),
    userId: (c) => (c.customer.id = "x".repeat(65)),
    userUbigeo: (c) => (c.customer.ubigeo = "15O115"),
    userDocumentType: (c) => (c.customer.documentType = "RUC"),
    userPhone: (c) => (c.customer.phone = "+51 123"),
  };

  it("reports exactly the corrupted fields for any combination (property)", () => {
    const names = Object.keys(corruptions);
    fc.assert(
      fc.property(fc.subarray(names, { minLength: 1 }), (picked) => {
        const c = charge();
        for (const name of picked) corruptions[name]!(c);
        expect(fieldsOf(c)).toEqual([...picked].sort());
      }),
    );
  });

  it.each([
    ["a@b.pe", true],
    ["rosa.quispe+tienda@mail.example.com.pe", true],
    ["o'brien@example.io", true],
    ["rosa", false],
    ["rosa@", false],
    ["@example.pe", false],
    ["rosa@example", false],
    ["rosa..q@example.pe", false],
    [".rosa@example.pe", false],
    ["rosa.@example.pe", false],
    ["rosa quispe@example.pe", false],
    ["rosa@-example.pe", false],
    ["rosa@example.p", false],
    ["rosa@exa_mple.pe", false],
    ["rosá@example.pe", false],
    [`${"a".repeat(65)}@example.pe`, false],
  ])("email %p valid: %p", (email, valid) => {
    const attempt = () => buildCipRequest(charge({}, { email }), NOW);
    if (valid) expect(attempt().userEmail).toBe(email);
    else expect(issuesOf(charge({}, { email })).map((i) => i.field)).toEqual(["userEmail"]);
  });

  it("accepts an email of exactly 100 characters and refuses 101", () => {
    const at100 = `${"a".repeat(64)}@${"b".repeat(31)}.com`;
    expect(at100).toHaveLength(100);
    expect(buildCipRequest(charge({ adminEmail: at100 }), NOW).adminEmail).toBe(at100);
    expect(issuesOf(charge({ adminEmail: `${at100}x` }))).toEqual([
      expect.objectContaining({ field: "adminEmail", code: "too_long" }),
    ]);
  });

  it.each([
    ["1001", true],
    ["shopify-5550001234_2", true],
    ["x".repeat(64), true],
    ["x".repeat(65), false],
    ["", false],
    ["#1001", false],
    [" 1001", false],
    ["pedido 1001", false],
    ["pedido/1001", false],
    ["ñandú", false],
  ])("transactionCode %p valid: %p (validated, never trimmed or truncated)", (code, valid) => {
    const c = charge({ transactionCode: code });
    if (valid) expect(buildCipRequest(c, NOW).transactionCode).toBe(code);
    else expect(issuesOf(c).map((i) => i.field)).toEqual(["transactionCode"]);
  });

  it.each([
    ["DNI", "45879632", true],
    ["DNI", "4587963", false],
    ["DNI", "458796321", false],
    ["DNI", "4587963A", false],
    ["CE", "001234567", true],
    ["CE", "X12345678901", true],
    ["CE", "12345678", false],
    ["CE", "1234567890123", false],
    ["PAS", "AB1234", true],
    ["PAS", "AB123", false],
    ["PAS", "AB-12345", false],
    ["LMI", "1234567890", true],
    ["PAR", "P0001234", true],
    ["PAR", "1".repeat(16), false],
  ])("%s %p valid: %p", (documentType, documentNumber, valid) => {
    const c = charge({}, { documentType, documentNumber });
    if (valid) expect(buildCipRequest(c, NOW).userDocumentNumber).toBe(documentNumber);
    else
      expect(issuesOf(c)).toEqual([
        expect.objectContaining({ field: "userDocumentNumber", code: "invalid_format" }),
      ]);
  });

  it("checks document type and number together", () => {
    expect(issuesOf(charge({}, { documentType: undefined, documentNumber: "45879632" }))).toEqual([
      expect.objectContaining({ field: "userDocumentType", code: "required" }),
    ]);
    expect(issuesOf(charge({}, { documentType: "DNI", documentNumber: undefined }))).toEqual([
      expect.objectContaining({ field: "userDocumentNumber", code: "required" }),
    ]);
    expect(issuesOf(charge({}, { documentType: "NAN", documentNumber: "45879632" }))).toEqual([
      expect.objectContaining({ field: "userDocumentNumber", code: "not_allowed" }),
    ]);
    expect(issuesOf(charge({}, { documentType: "RUC" }))).toEqual([
      expect.objectContaining({ field: "userDocumentType", code: "unsupported" }),
    ]);
    const none = buildCipRequest(charge({}, { documentType: "", documentNumber: " " }), NOW);
    expect(none).not.toHaveProperty("userDocumentType");
    expect(none).not.toHaveProperty("userDocumentNumber");
  });

  it.each(["150115", " 150115 ", "010101"])("accepts ubigeo %p", (ubigeo) => {
    expect(buildCipRequest(charge({}, { ubigeo }), NOW).userUbigeo).toBe(ubigeo.trim());
  });

  it.each(["15011", "1501150", "15-01-15", "abcdef"])("refuses ubigeo %p", (ubigeo) => {
    expect(issuesOf(charge({}, { ubigeo }))).toEqual([
      expect.objectContaining({ field: "userUbigeo", code: "invalid_format" }),
    ]);
  });

  describe("dateExpiry relative to now", () => {
    it("must be at least one whole second after now", () => {
      expect(issuesOf(charge({ dateExpiry: new Date(NOW.getTime() + 999) }))).toEqual([
        expect.objectContaining({ field: "dateExpiry", code: "in_past" }),
      ]);
      expect(
        buildCipRequest(charge({ dateExpiry: new Date(NOW.getTime() + 1000) }), NOW),
      ).toMatchObject({ dateExpiry: "2026-11-22T10:15:31-05:00" });
    });

    it("is refused in the past, invalid, or absurdly far ahead", () => {
      expect(issuesOf(charge({ dateExpiry: new Date("2026-01-01T00:00:00Z") }))[0]).toMatchObject({
        field: "dateExpiry",
        code: "in_past",
      });
      expect(issuesOf(charge({ dateExpiry: new Date("nope") }))[0]).toMatchObject({
        field: "dateExpiry",
        code: "required",
      });
      const days = CIP_FIELD_LIMITS.dateExpiry.maxDaysAhead;
      const edge = new Date(NOW.getTime() + days * 86_400_000);
      expect(buildCipRequest(charge({ dateExpiry: edge }), NOW).dateExpiry).toBeDefined();
      expect(issuesOf(charge({ dateExpiry: new Date(edge.getTime() + 1000) }))[0]).toMatchObject({
        field: "dateExpiry",
        code: "too_far",
      });
    });

    it("uses the now it is given, not the system clock", () => {
      const c = charge({ dateExpiry: new Date("2020-01-02T00:00:00Z") });
      expect(buildCipRequest(c, new Date("2020-01-01T00:00:00Z")).dateExpiry).toBe(
        "2020-01-01T19:00:00-05:00",
      );
    });

    it("throws a RangeError for an invalid now (a programming error, not input)", () => {
      expect(() => buildCipRequest(charge(), new Date(Number.NaN))).toThrow(RangeError);
    });
  });

  it("refuses non-integer, negative and zero amounts", () => {
    for (const minor of [0, -100, 1.5, Number.NaN]) {
      expect(issuesOf(charge({ amount: { minor, currency: "PEN" } })).map((i) => i.field)).toEqual([
        "amount",
      ]);
    }
  });

  it("survives untyped input (e.g. straight from a webhook payload) with issues, not crashes", () => {
    const junk = {
      transactionCode: 1001,
      amount: "150.50",
      adminEmail: null,
      dateExpiry: "2026-11-24",
      paymentConcept: 7,
      additionalData: {},
      customer: { email: 3, firstName: [], phone: 987654321, id: 77, ubigeo: 150115 },
    } as unknown as CipCharge;
    expect(fieldsOf(junk)).toEqual(
      [
        "currency",
        "amount",
        "transactionCode",
        "adminEmail",
        "userEmail",
        "dateExpiry",
        "paymentConcept",
        "additionalData",
        "userName",
        "userId",
        "userUbigeo",
        "userPhone",
      ].sort(),
    );
    expect(fieldsOf({ transactionCode: "1" } as unknown as CipCharge).includes("userEmail")).toBe(
      true,
    );
  });
});
