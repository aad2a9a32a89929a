import { clockAt, sampleInput } from "../test/fixtures";
import { buildVoucherViewModel, renderVoucherStatusJson } from "./index";

describe("renderVoucherStatusJson", () => {
  it("answers the effective status and the deadline, nothing personal, never cached", () => {
    const vm = buildVoucherViewModel(sampleInput(), { clock: clockAt() });
    const res = renderVoucherStatusJson(vm);
    expect(JSON.parse(res.body)).toEqual({
      status: "pending",
      expiresAt: "2026-11-24T10:15:00-05:00",
    });
    expect(res.headers["Cache-Control"]).toBe("no-store");
    const late = buildVoucherViewModel(sampleInput(), { clock: clockAt("2026-11-25T00:00:00Z") });
    expect(JSON.parse(renderVoucherStatusJson(late).body).status).toBe("expired");
  });
});
