import { limaShort } from "./html";

test("dates in the stand-in's pages are Lima time, day first", () => {
  // 23:58 UTC is 18:58 in Lima (UTC−5, no daylight saving); 03:00 UTC is still the day before.
  expect(limaShort(new Date("2026-11-25T23:58:00Z"))).toBe("25/11/2026 18:58");
  expect(limaShort(new Date("2026-11-26T03:00:00Z"))).toBe("25/11/2026 22:00");
});
