import fc from "fast-check";
import { ValidationError } from "./errors";
import { normalizePeruPhone, parsePeruPhone, PERU_AREA_CODES } from "./peru-phone";

const peru = (number: string) => ({ countryCode: "+51", number });

describe("parsePeruPhone", () => {
  it.each([
    // mobiles
    ["987654321", peru("987654321")],
    ["+51 987 654 321", peru("987654321")],
    ["+51987654321", peru("987654321")],
    ["51987654321", peru("987654321")],
    ["0051 987-654-321", peru("987654321")],
    ["(+51) 987.654.321", peru("987654321")],
    ["  987 654 321  ", peru("987654321")],
    ["987\u00A0654\u00A0321", peru("987654321")],
    // Lima landlines
    ["(01) 234-5678", peru("12345678")],
    ["01 2345678", peru("12345678")],
    ["12345678", peru("12345678")],
    ["234-5678", peru("12345678")],
    ["+51 1 234 5678", peru("12345678")],
    ["+51 (01) 234-5678", peru("12345678")],
    ["5112345678", peru("12345678")],
    // provincial landlines (Trujillo 044, Arequipa 054, Cusco 084)
    ["(044) 234567", peru("44234567")],
    ["054-234567", peru("54234567")],
    ["+51 84 234567", peru("84234567")],
    ["84234567", peru("84234567")],
    // a Puno landline that starts with 51 is not mistaken for a country code
    ["51234567", peru("51234567")],
    // foreign numbers keep their own calling code
    ["+1 415 555 2671", { countryCode: "+1", number: "4155552671" }],
    ["+34 612 345 678", { countryCode: "+34", number: "612345678" }],
    ["0034612345678", { countryCode: "+34", number: "612345678" }],
    ["+593 99 123 4567", { countryCode: "+593", number: "991234567" }],
    ["+56 9 8765 4321", { countryCode: "+56", number: "987654321" }],
    ["+7 912 345 67 89", { countryCode: "+7", number: "9123456789" }],
    ["+86 138 0013 8000", { countryCode: "+86", number: "13800138000" }],
  ])("%p → %p", (input, phone) => {
    expect(parsePeruPhone(input)).toEqual({ ok: true, phone });
  });

  it.each([
    ["", "required"],
    ["   ", "required"],
    [undefined, "required"],
    [987654321, "required"],
    ["98765432", "invalid_format"], // 8 digits starting with 9: no such landline area
    ["9876543210", "invalid_format"], // 10 digits
    ["887654321", "invalid_format"], // 9 digits not starting with 9
    ["+51 887 654 321", "invalid_format"],
    ["+51 234 5678", "invalid_format"], // Lima without its area code after +51
    ["(099) 234567", "invalid_format"], // 99 is no area code
    ["(01) 034-5678", "invalid_format"], // subscriber numbers never start with 0
    ["1234567", "invalid_format"],
    ["987654321 ext 12", "invalid_format"],
    ["987654321 / 912345678", "invalid_format"],
    ["+1 555", "invalid_format"], // too short
    ["+1234567890123456", "invalid_format"], // over 15 digits
    ["+0 123 456 789", "invalid_format"],
    ["++51987654321", "invalid_format"],
    ["98765432１", "invalid_format"], // full-width digit
    ["4155552671", "invalid_format"], // foreign without +
  ])("%p is refused with %s on userPhone", (input, code) => {
    expect(parsePeruPhone(input)).toEqual({
      ok: false,
      issue: expect.objectContaining({ field: "userPhone", code }),
    });
  });

  it("reports on the field it is given", () => {
    expect(parsePeruPhone("x", "billing.phone")).toMatchObject({
      ok: false,
      issue: { field: "billing.phone" },
    });
  });

  it("accepts every Peruvian mobile in any common spelling (property)", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^9\d{8}$/),
        fc.constantFrom("", "+51", "51", "+51 ", "0051 ", "(+51) "),
        fc.constantFrom(" ", "-", "", "."),
        (mobile, prefix, sep) => {
          const spelled = `${prefix}${mobile.slice(0, 3)}${sep}${mobile.slice(3, 6)}${sep}${mobile.slice(6)}`;
          expect(parsePeruPhone(spelled)).toEqual({ ok: true, phone: peru(mobile) });
        },
      ),
    );
  });

  it("accepts provincial landlines with and without the trunk 0 (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PERU_AREA_CODES),
        fc.stringMatching(/^[2-9]\d{5}$/),
        fc.constantFrom(
          (a: string, s: string) => `(0${a}) ${s}`,
          (a: string, s: string) => `+51 ${a} ${s}`,
        ),
        (area, subscriber, spell) => {
          expect(parsePeruPhone(spell(area, subscriber))).toEqual({
            ok: true,
            phone: peru(`${area}${subscriber}`),
          });
        },
      ),
    );
  });

  it("never throws and always returns digits only on success (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 25 }), (input) => {
        const r = parsePeruPhone(input);
        if (r.ok) {
          expect(r.phone.number).toMatch(/^\d+$/);
          expect(r.phone.countryCode).toMatch(/^\+[1-9]\d{0,2}$/);
        } else {
          expect(r.issue.field).toBe("userPhone");
        }
      }),
    );
  });
});

describe("normalizePeruPhone", () => {
  it("returns the phone or throws a ValidationError on userPhone", () => {
    expect(normalizePeruPhone("+51 987 654 321")).toEqual(peru("987654321"));
    expect(() => normalizePeruPhone("abc")).toThrow(ValidationError);
    try {
      normalizePeruPhone("abc");
    } catch (e) {
      expect((e as ValidationError).issues).toEqual([
        expect.objectContaining({ field: "userPhone", code: "invalid_format" }),
      ]);
    }
  });
});
