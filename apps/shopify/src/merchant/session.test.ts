import {
  decodeSession,
  encodeSession,
  isLoggedOut,
  RevokedSessions,
  type MerchantSession,
} from "./session";

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

describe("logout instant", () => {
  const secret = "s3cret";

  it("refuses a session issued before the shop's logout, not one issued at or after it", () => {
    const s = { shop: "s.myshopify.com", sid: "a", iat: 1_000, exp: 10_000 };
    expect(isLoggedOut(s, null)).toBe(false);
    expect(isLoggedOut(s, at(1_001))).toBe(true);
    expect(isLoggedOut(s, at(1_000))).toBe(false);
    expect(isLoggedOut(s, at(999))).toBe(false);
  });

  it("counts a cookie without an issue time as issued at the epoch", () => {
    const legacy = session("a", 10_000);
    expect(isLoggedOut(legacy, null)).toBe(false);
    expect(isLoggedOut(legacy, at(1))).toBe(true);
  });

  it("keeps the issue time through the signed cookie, and refuses one that is not a number", () => {
    const s = { shop: "s.myshopify.com", sid: "a", iat: 1_000, exp: 10_000 };
    expect(decodeSession(encodeSession(s, secret), secret, at(2_000))).toEqual(s);
    const odd = { ...s, iat: "1000" } as unknown as MerchantSession;
    expect(decodeSession(encodeSession(odd, secret), secret, at(2_000))).toBeNull();
  });
});
