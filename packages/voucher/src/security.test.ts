import {
  contentSecurityPolicy,
  createNonce,
  createVoucherToken,
  securityHeaders,
  signVoucherId,
  verifyVoucherId,
} from "./security";

const SECRET = "voucher-secret-0123456789abcdef0123456789";

describe("CSP and headers", () => {
  it("builds the strict policy", () => {
    const nonce = createNonce();
    expect(contentSecurityPolicy({ nonce })).toBe(
      `default-src 'none'; img-src data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
    );
    expect(contentSecurityPolicy({ nonce, frameAncestors: ["https://tienda.example.pe"] })).toMatch(
      /frame-ancestors https:\/\/tienda\.example\.pe$/,
    );
  });

  it("refuses weak nonces and header injection through frame ancestors", () => {
    expect(() => contentSecurityPolicy({ nonce: "abc" })).toThrow(RangeError);
    expect(() =>
      contentSecurityPolicy({ nonce: createNonce(), frameAncestors: ["*; script-src *"] }),
    ).toThrow(RangeError);
  });

  it("sends noindex, no-referrer, no-store, and DENY framing by default", () => {
    const h = securityHeaders(createNonce());
    expect(h["X-Robots-Tag"]).toBe("noindex, nofollow");
    expect(h["Referrer-Policy"]).toBe("no-referrer");
    expect(h["Cache-Control"]).toBe("no-store");
    expect(h["X-Frame-Options"]).toBe("DENY");
    expect(
      securityHeaders(createNonce(), { frameAncestors: ["'self'"] })["X-Frame-Options"],
    ).toBeUndefined();
  });
});

describe("voucher URL tokens", () => {
  it("random tokens carry ≥128 bits, base64url, never repeat", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const t = createVoucherToken();
      expect(t).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(Buffer.from(t, "base64url").length * 8).toBeGreaterThanOrEqual(128);
      seen.add(t);
    }
    expect(seen.size).toBe(1000);
  });

  it("signed ids verify, and any change is refused", () => {
    const token = signVoucherId("ord_1001", SECRET);
    expect(verifyVoucherId(token, SECRET)).toBe("ord_1001");
    expect(verifyVoucherId(token, `${SECRET}x`)).toBeUndefined();
    expect(verifyVoucherId(token.replace("ord_1001", "ord_1002"), SECRET)).toBeUndefined();
    const mac = token.split(".")[1]!;
    const flipped = (mac[0] === "A" ? "B" : "A") + mac.slice(1);
    expect(verifyVoucherId(`ord_1001.${flipped}`, SECRET)).toBeUndefined();
    expect(verifyVoucherId(`${token}=`, SECRET)).toBeUndefined();
    expect(verifyVoucherId("ord_1001", SECRET)).toBeUndefined();
    expect(verifyVoucherId("", SECRET)).toBeUndefined();
  });

  it("refuses short secrets and ids that could break a URL", () => {
    expect(() => signVoucherId("ord_1", "short")).toThrow(RangeError);
    expect(() => signVoucherId("a/b", SECRET)).toThrow(RangeError);
  });
});
