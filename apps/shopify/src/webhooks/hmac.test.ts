import { computeWebhookHmac, isWebhookHmacValid } from "./hmac";
import { parseJsonKeepingIds } from "./payloads";

describe("webhook HMAC", () => {
  const body = Buffer.from('{"shop_id":1}');
  // Precomputed: base64(HMAC-SHA256('{"shop_id":1}', "test-secret")).
  const known = "+4cCZGdYI5eoTqN0qs1F0KiJ1HrirIScHhWuZn98sSE=";

  test("known vector", () => {
    expect(computeWebhookHmac(body, "test-secret")).toBe(known);
    expect(isWebhookHmacValid(body, known, "test-secret")).toBe(true);
  });

  test("one changed byte, another secret, missing or malformed header → invalid", () => {
    expect(isWebhookHmacValid(Buffer.from('{"shop_id":2}'), known, "test-secret")).toBe(false);
    expect(isWebhookHmacValid(body, known, "other")).toBe(false);
    expect(isWebhookHmacValid(body, undefined, "test-secret")).toBe(false);
    expect(isWebhookHmacValid(body, "not-base64!", "test-secret")).toBe(false);
    expect(isWebhookHmacValid(body, Buffer.from(known).toString("hex"), "test-secret")).toBe(false);
  });

  test("int64 ids are kept exactly", () => {
    const parsed = parseJsonKeepingIds('{"id": 9223372036854775807, "n": 1.5}') as Record<
      string,
      unknown
    >;
    expect(String(parsed.id)).toBe("9223372036854775807");
    expect(parsed.n).toBe(1.5);
  });
});
