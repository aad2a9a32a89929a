import { firstPostIdAt, WooState } from "./state";

describe("order (post) ids across restarts", () => {
  it("a store started later begins after every id an earlier run could have used", () => {
    const first = new WooState(firstPostIdAt(new Date("2026-11-26T05:00:00Z")));
    const used = [first.postId(), first.postId(), first.postId()];
    // Restarted ten seconds later: the bridge still has vouchers for the first run's orders.
    const second = new WooState(firstPostIdAt(new Date("2026-11-26T05:00:10Z")));
    const next = second.postId();
    expect(Math.min(...used.map((id) => next - id))).toBeGreaterThan(0);
    expect(used).toEqual([used[0], used[0]! + 1, used[0]! + 2]);
  });

  it("keeps WordPress-like ids for a clock before 2026 (test clocks)", () => {
    expect(firstPostIdAt(new Date("2025-03-15T12:00:00Z"))).toBe(4821);
    expect(new WooState().postId()).toBe(4821);
  });
});
