import { channelGroupsOf, findShownVoucher } from "./lookup";

const TOKEN = "a".repeat(24);

describe("findShownVoucher", () => {
  const find = (voucher: { status: string; cip?: string | null } | null) =>
    jest.fn(async () => voucher);

  it("maps each engine status to what the page shows", async () => {
    const cases: Array<[string, string | null]> = [
      ["created", null],
      ["pending", "pending"],
      ["paid", "paid"],
      ["partially_refunded", "paid"],
      ["refunded", "paid"],
      ["expired", "expired"],
      ["cancelled", "cancelled"],
      ["something_new", null],
    ];
    for (const [status, display] of cases) {
      const found = await findShownVoucher(TOKEN, find({ status, cip: "123" }));
      expect(found?.display ?? null).toBe(display);
    }
  });

  it("refuses a malformed token without a lookup, and a voucher without a CIP", async () => {
    const lookup = find({ status: "pending", cip: "123" });
    expect(await findShownVoucher("short", lookup)).toBeNull();
    expect(await findShownVoucher(`${TOKEN}/..`, lookup)).toBeNull();
    expect(lookup).not.toHaveBeenCalled();
    expect(await findShownVoucher(TOKEN, find({ status: "pending", cip: null }))).toBeNull();
    expect(await findShownVoucher(TOKEN, find(null))).toBeNull();
  });

  it("returns the voucher it found", async () => {
    const voucher = { status: "pending", cip: "123", id: "v1" };
    expect(await findShownVoucher(TOKEN, find(voucher))).toEqual({ voucher, display: "pending" });
  });
});

describe("channelGroupsOf", () => {
  it("maps channels to groups once each and drops unknown ones", () => {
    expect(channelGroupsOf(["online_banking", "online", "agents", "wallet"])).toEqual([
      "online",
      "agents",
    ]);
    expect(channelGroupsOf([])).toEqual([]);
  });
});
