import { parseControlBody, parseJsonBody } from "./json-body";
import { PeApiError } from "./errors";
import { toWireJson, amount } from "./wire-json";

const buf = (s: string) => Buffer.from(s, "utf8");

describe("raw JSON bodies", () => {
  it("keeps the literal text of numbers for amount checks", () => {
    const p = parseJsonBody(buf('{"amount":150.500,"n":{"amount":1e2}}'));
    const v = p.value as { amount: number; n: object };
    expect(v.amount).toBe(150.5);
    expect(p.numberSource(v, "amount")).toBe("150.500");
    expect(p.numberSource(v.n, "amount")).toBe("1e2");
    expect(p.numberSource(v, "missing")).toBeUndefined();
  });

  it.each(["", "   ", "{", "nul", "\xff"])("refuses %j with the 111 envelope", (text) => {
    try {
      parseJsonBody(text === "\xff" ? Buffer.from([0xff, 0xfe]) : buf(text));
      throw new Error("should have thrown");
    } catch (e) {
      expect(e).toBeInstanceOf(PeApiError);
      expect((e as PeApiError).envelope()).toMatchObject({ code: 111, data: [{ field: "body" }] });
      expect((e as PeApiError).httpStatus).toBe(400);
    }
  });

  it("reads form posts and empty control bodies", () => {
    expect(parseControlBody(buf("a=1&lang=en"), "application/x-www-form-urlencoded").value).toEqual(
      { a: "1", lang: "en" },
    );
    expect(parseControlBody(undefined, "application/json").value).toEqual({});
  });

  it("writes signed amounts as bare numbers", () => {
    expect(toWireJson({ a: amount(15050), b: amount(-4025), c: [amount(0)], s: "-1.00" })).toBe(
      '{"a":150.50,"b":-40.25,"c":[0.00],"s":"-1.00"}',
    );
  });
});
