import { groupCipForDictation } from "./cip";

describe("groupCipForDictation", () => {
  it.each([
    ["2495383", "249 53 83"],
    ["123456789", "123 456 789"],
    ["12345678", "123 456 78"],
    ["1234567890", "123 456 78 90"],
    ["123456", "123 456"],
    ["12345", "123 45"],
    ["1234", "1234"],
  ])("%s → %s", (cip, grouped) => {
    expect(groupCipForDictation(cip)).toBe(grouped);
  });

  it("never leaves a lone digit and never makes a group longer than three", () => {
    for (let n = 5; n <= 20; n++) {
      const groups = groupCipForDictation("7".repeat(n)).split(" ");
      expect(groups.join("")).toHaveLength(n);
      for (const g of groups) expect(g.length === 2 || g.length === 3).toBe(true);
    }
  });
});
