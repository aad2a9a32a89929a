import { limaShort, pluginDeadline } from "./html";

test("dates in the stand-in's pages are Lima time, day first", () => {
  // 23:58 UTC is 18:58 in Lima (UTC−5, no daylight saving); 03:00 UTC is still the day before.
  expect(limaShort(new Date("2026-11-25T23:58:00Z"))).toBe("25/11/2026 18:58");
  expect(limaShort(new Date("2026-11-26T03:00:00Z"))).toBe("25/11/2026 22:00");
});

describe("pluginDeadline", () => {
  it("shows a CIP deadline in Lima time as the plugin does, whatever the offset it came in", () => {
    expect(pluginDeadline("2026-11-27T06:11:31.000Z")).toBe("27/11/2026 01:11 (hora de Lima)");
    expect(pluginDeadline("2026-11-27T01:11:31-05:00")).toBe("27/11/2026 01:11 (hora de Lima)");
  });

  it("leaves text that is not a date as it is", () => {
    expect(pluginDeadline("")).toBe("");
    expect(pluginDeadline("mañana")).toBe("mañana");
  });
});
