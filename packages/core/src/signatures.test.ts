import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import {
  authorizationHash,
  checkRefundRequestSignature,
  isNotificationSignatureValid,
  signNotification,
  signRefundRequest,
  verifyNotification,
} from "./signatures";
import { SignatureError } from "./errors";

const SECRET = "sk_demo_4f1c2a9b7e6d5c3b2a1f0e9d8c7b6a5f";
const fixture = (name: string) =>
  readFileSync(join(__dirname, "../test/fixtures/pagoefectivo", name));

describe("authorizationHash", () => {
  it("matches the contract's test vector", () => {
    expect(
      authorizationHash({
        idService: 1234,
        accessKey: "AK9X2M7Q4T8W1Z5R3P6N",
        secretKey: SECRET,
        dateRequest: "2026-11-22T10:15:30-05:00",
      }),
    ).toBe("973a7398713e00ad9a1016756b126771294b8c860e053a9721957099aa9541ea");
  });
});

describe("notification signatures", () => {
  it.each([
    [
      "webhook.cip-paid.body.json",
      "a63143b46d6bed2e5e10bd1c6f1e6f6091aa420d4656c6d0cc92774f6eaa40b8",
    ],
    [
      "webhook.cip-expired.body.json",
      "7d55cf68733541f6cae836941e69cec13a30f389780616e2802ed33ffccfe201",
    ],
  ])("%s verifies with the contract vector", (file, signature) => {
    const body = fixture(file);
    expect(signNotification(body, SECRET)).toBe(signature);
    expect(() => verifyNotification(body, { "pe-signature": signature }, SECRET)).not.toThrow();
    expect(() =>
      verifyNotification(body, { "PE-SIGNATURE": signature.toUpperCase() }, SECRET),
    ).not.toThrow();
    expect(() =>
      verifyNotification(body, new Headers({ "PE-Signature": signature }), SECRET),
    ).not.toThrow();
  });

  it("refuses a re-serialised body even though the JSON is equal", () => {
    const body = fixture("webhook.cip-paid.body.json");
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
    const sig = signNotification(body, SECRET);
    expect(isNotificationSignatureValid(reserialised, sig, SECRET)).toBe(false);
  });

  it("throws SignatureError when the header is missing or malformed", () => {
    const body = fixture("webhook.cip-paid.body.json");
    expect(() => verifyNotification(body, {}, SECRET)).toThrow(SignatureError);
    expect(() => verifyNotification(body, { "pe-signature": "zz" }, SECRET)).toThrow(
      SignatureError,
    );
    const good = signNotification(body, SECRET);
    for (const bad of [
      `${good.slice(0, 62)}zz`,
      `zz${good.slice(2)}`,
      `${good}00`,
      good.slice(0, 62),
    ]) {
      expect(isNotificationSignatureValid(body, bad, SECRET)).toBe(false);
    }
  });

  it("any change to body, secret or signature is refused (property)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 256 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.constantFrom("body", "secret", "signature"),
        (body, secret, pos, flip, what) => {
          const sig = signNotification(body, secret);
          expect(isNotificationSignatureValid(body, sig, secret)).toBe(true);
          if (what === "body") {
            const changed = Uint8Array.from(body);
            const i = pos % changed.length;
            changed[i] = (changed[i]! ^ flip) & 0xff;
            expect(isNotificationSignatureValid(changed, sig, secret)).toBe(false);
          } else if (what === "secret") {
            expect(isNotificationSignatureValid(body, sig, `${secret}x`)).toBe(false);
          } else {
            const i = pos % sig.length;
            const c = sig[i] === "0" ? "1" : "0";
            expect(
              isNotificationSignatureValid(body, sig.slice(0, i) + c + sig.slice(i + 1), secret),
            ).toBe(false);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("refund request signing", () => {
  const body = '{"transactionId":"2495383","amount":50.00}';
  const ts = "2026-11-22T10:15:30-05:00";
  const now = new Date("2026-11-22T15:15:30Z");

  it("signs timestamp.body and accepts it within ±5 minutes", () => {
    const sig = signRefundRequest(ts, body, SECRET);
    const args = { timestamp: ts, signature: sig, rawBody: Buffer.from(body), secretKey: SECRET };
    expect(checkRefundRequestSignature({ ...args, now })).toEqual({ ok: true });
    expect(
      checkRefundRequestSignature({ ...args, now: new Date(now.getTime() + 299_000) }),
    ).toEqual({ ok: true });
    expect(
      checkRefundRequestSignature({ ...args, now: new Date(now.getTime() - 299_000) }),
    ).toEqual({ ok: true });
    expect(
      checkRefundRequestSignature({ ...args, now: new Date(now.getTime() + 301_000) }),
    ).toEqual({
      ok: false,
      reason: "stale_timestamp",
    });
    expect(
      checkRefundRequestSignature({ ...args, now: new Date(now.getTime() - 301_000) }),
    ).toEqual({
      ok: false,
      reason: "stale_timestamp",
    });
  });

  it("refuses a changed body, a changed timestamp and missing headers", () => {
    const sig = signRefundRequest(ts, body, SECRET);
    const base = { timestamp: ts, signature: sig, secretKey: SECRET, now };
    expect(checkRefundRequestSignature({ ...base, rawBody: Buffer.from(body + " ") }).ok).toBe(
      false,
    );
    expect(
      checkRefundRequestSignature({
        ...base,
        timestamp: "2026-11-22T10:15:31-05:00",
        rawBody: Buffer.from(body),
      }),
    ).toEqual({ ok: false, reason: "bad_signature" });
    expect(
      checkRefundRequestSignature({ ...base, signature: undefined, rawBody: Buffer.from(body) }),
    ).toEqual({
      ok: false,
      reason: "missing_headers",
    });
    expect(
      checkRefundRequestSignature({ ...base, timestamp: "yesterday", rawBody: Buffer.from(body) }),
    ).toEqual({
      ok: false,
      reason: "bad_timestamp",
    });
  });
});
