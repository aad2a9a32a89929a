import { RevokedSessions, type MerchantSession } from "./session";

const at = (ms: number) => new Date(ms);
const session = (sid: string, exp: number): MerchantSession => ({
  shop: "s.myshopify.com",
  sid,
  exp,
});

describe("RevokedSessions", () => {
  it("refuses a logged-out session id and no other", () => {
    const revoked = new RevokedSessions();
    revoked.revoke(session("a", 1_000), at(0));
    expect(revoked.has(session("a", 1_000))).toBe(true);
    expect(revoked.has(session("b", 1_000))).toBe(false);
  });

  it("forgets a session once its cookie has expired anyway", () => {
    const revoked = new RevokedSessions();
    revoked.revoke(session("a", 1_000), at(0));
    revoked.revoke(session("b", 5_000), at(1_000));
    expect(revoked.size).toBe(1);
    expect(revoked.has(session("b", 5_000))).toBe(true);
  });

  it("stays within its bound, forgetting the earliest logouts first", () => {
    const revoked = new RevokedSessions(2);
    for (const sid of ["a", "b", "c"]) revoked.revoke(session(sid, 10_000), at(0));
    expect(revoked.size).toBe(2);
    expect(["a", "b", "c"].map((sid) => revoked.has(session(sid, 10_000)))).toEqual([
      false,
      true,
      true,
    ]);
  });
});
