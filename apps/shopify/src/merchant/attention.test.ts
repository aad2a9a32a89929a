import { NOTE_MAX, parseResolution } from "./attention";

describe("parseResolution", () => {
  it("takes one of the offered actions and an optional note, on one line", () => {
    expect(parseResolution({ resolution: "fulfilled" })).toEqual({
      ok: true,
      action: "fulfilled",
      note: "",
    });
    expect(parseResolution({ resolution: " refunded ", note: "Yape\r\n\t 12\u0000 34 " })).toEqual({
      ok: true,
      action: "refunded",
      note: "Yape 12 34",
    });
  });

  it("refuses a missing or unknown action, keeping what was typed", () => {
    expect(parseResolution(undefined)).toEqual({
      ok: false,
      form: { resolution: "", note: "" },
      errors: { resolution: "missing" },
    });
    expect(parseResolution({ resolution: ["refunded"], note: "n" })).toMatchObject({
      ok: false,
      errors: { resolution: "missing" },
    });
    expect(parseResolution({ resolution: "deleted", note: "n" })).toEqual({
      ok: false,
      form: { resolution: "deleted", note: "n" },
      errors: { resolution: "missing" },
    });
  });

  it("asks for a note with 'other', and caps its length in characters, not bytes", () => {
    expect(parseResolution({ resolution: "other", note: " \n " })).toMatchObject({
      ok: false,
      errors: { note: "required" },
    });
    expect(parseResolution({ resolution: "other", note: "Cambié el pedido" })).toMatchObject({
      ok: true,
      action: "other",
    });
    const accents = "ñ".repeat(NOTE_MAX);
    expect(parseResolution({ resolution: "refunded", note: accents })).toMatchObject({ ok: true });
    const emoji = "💸".repeat(NOTE_MAX);
    expect(parseResolution({ resolution: "refunded", note: emoji })).toMatchObject({ ok: true });
    expect(parseResolution({ resolution: "refunded", note: `${emoji}x` })).toMatchObject({
      ok: false,
      errors: { note: "too_long" },
    });
  });
});
