/**
 * Property test: random bodies and headers at every endpoint never produce a 5xx and never
 * change state. Targets are chosen so that no well-formed request could legitimately change
 * state (a paid CIP for pay/expire/extend/delete, a completed refund, unknown ids).
 */
import fc from "fast-check";
import { signRefundRequest, toLimaIso } from "@pe-pay/core";
import { DEMO, harness, refundBody, type Harness } from "./helpers";

let h: Harness;
let token: string;
let refundId: string;

beforeAll(async () => {
  h = await harness();
  token = await h.token();
  await h.createCip(token); // 2495383 stays generated
  await h.createCip(token, { transactionCode: "paid" }); // 2495384 paid
  await h.call("POST", "/_sandbox/cips/2495384/pay", { body: {} });
  const r = await h.refund(
    token,
    refundBody({ transactionId: "2495384", amount: "1.00", reference: "done" }),
  );
  refundId = r.json.data.refundId;
  await h.call("POST", `/_sandbox/refunds/${refundId}/complete`, { body: {} });
});
afterAll(() => h.close());

const segment = fc.oneof(
  fc.constantFrom("2495384", "9999999", "abc", "0", "-1", "1e3", "%20", "..", "2495384.0"),
  fc.stringMatching(/^[A-Za-z0-9._~-]{1,20}$/),
);

interface Target {
  method: string;
  path: (seg: string) => string;
  /** Field names worth mixing into structured bodies (kept invalid on purpose). */
  fields: string[];
}

const TARGETS: Record<string, Target> = {
  authorizations: {
    method: "POST",
    path: () => "/v1/authorizations",
    fields: ["accessKey", "idService", "dateRequest", "hashString"],
  },
  createCip: {
    method: "POST",
    path: () => "/v1/cips",
    fields: [
      "currency",
      "amount",
      "transactionCode",
      "dateExpiry",
      "userDocumentType",
      "serviceId",
    ],
  },
  search: { method: "POST", path: () => "/v1/cips/search", fields: ["data", "Data"] },
  extend: {
    method: "PATCH",
    path: (s) => `/v1/cips/${s === "abc" ? "2495384" : s}`,
    fields: ["dateExpiry"],
  },
  remove: { method: "DELETE", path: (s) => `/v1/cips/${s}`, fields: [] },
  refund: {
    method: "POST",
    path: () => "/v2/refunds",
    fields: ["transactionId", "amount", "currency", "reference", "reason"],
  },
  getRefund: { method: "GET", path: (s) => `/v2/refunds/${s}`, fields: [] },
  settlements: {
    method: "GET",
    path: (s) => `/v1/settlements?date=${s}&currency=${s}`,
    fields: [],
  },
  settlementCsv: { method: "GET", path: (s) => `/v1/settlements/${s}.csv`, fields: [] },
  merchant: {
    method: "PUT",
    path: (s) => `/_sandbox/merchants/${s === "abc" ? "1234" : s}`,
    fields: [],
  },
  pay: {
    method: "POST",
    path: (s) => `/_sandbox/cips/${s === "abc" ? "2495384" : s}/pay`,
    fields: ["channel", "amount", "force"],
  },
  expire: {
    method: "POST",
    path: (s) => `/_sandbox/cips/${s === "abc" ? "2495384" : s}/expire`,
    fields: [],
  },
  complete: {
    method: "POST",
    path: (s) => `/_sandbox/refunds/${s === "abc" ? refundId : s}/complete`,
    fields: ["reasonCode"],
  },
  reject: {
    method: "POST",
    path: (s) => `/_sandbox/refunds/${s === "abc" ? refundId : s}/reject`,
    fields: ["reasonCode"],
  },
  notifications: {
    method: "GET",
    path: (s) => `/_sandbox/notifications?idService=${s}`,
    fields: [],
  },
  cips: { method: "GET", path: (s) => `/_sandbox/cips?idService=${s}`, fields: [] },
  faults: { method: "PUT", path: () => "/_sandbox/faults", fields: [] },
  clock: { method: "PUT", path: () => "/_sandbox/clock", fields: [] },
  page: { method: "GET", path: (s) => `/?lang=${s}`, fields: [] },
  voucher: { method: "GET", path: (s) => `/cip/${s}.html`, fields: [] },
  unknown: { method: "POST", path: (s) => `/v1/${s}`, fields: [] },
};

const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,60}$/);

function bodyArb(fields: string[]) {
  const structured =
    fields.length === 0
      ? fc.constant("{}")
      : fc
          .dictionary(fc.constantFrom(...fields), fc.jsonValue(), { maxKeys: fields.length })
          .map((o) => JSON.stringify(o));
  return fc.oneof(
    fc.constant(""),
    fc.json(),
    structured,
    fc.string(),
    fc.uint8Array({ maxLength: 200 }),
    fc.constantFrom(
      "{",
      "[1,",
      '{"amount":1e999}',
      '{"__proto__":{"x":1}}',
      "\uFEFF{}",
      "null",
      '{"data":[{"cip":1.5}]}',
    ),
  );
}

describe("fuzz: every endpoint answers < 500 and changes nothing", () => {
  it.each(Object.keys(TARGETS))("%s", async (name) => {
    const target = TARGETS[name]!;
    const before = h.running.sandbox.state.snapshot();
    await fc.assert(
      fc.asyncProperty(
        segment,
        bodyArb(target.fields),
        fc.record(
          {
            auth: fc.oneof(fc.constant("valid"), headerValue),
            contentType: fc.oneof(
              fc.constantFrom(
                "application/json",
                "application/x-www-form-urlencoded",
                "text/plain",
                "application/json; charset=latin1",
              ),
              headerValue,
            ),
            timestamp: fc.oneof(fc.constant(toLimaIso(h.clock.now())), headerValue),
            signature: fc.oneof(fc.constant("sign"), headerValue),
            encoding: fc.constantFrom("identity", "gzip", "br", "x-bogus"),
            lang: fc.constantFrom("es-PE", "en-US", "xx"),
          },
          { requiredKeys: ["auth"] },
        ),
        async (seg, body, hd) => {
          const headers: Record<string, string> = {
            Authorization: hd.auth === "valid" ? `Bearer ${token}` : hd.auth,
          };
          if (hd.contentType !== undefined) headers["Content-Type"] = hd.contentType;
          if (hd.timestamp !== undefined) headers["PE-Timestamp"] = hd.timestamp;
          if (hd.signature !== undefined) {
            headers["PE-Signature"] =
              hd.signature === "sign" && hd.timestamp !== undefined
                ? signRefundRequest(hd.timestamp, body, DEMO.secretKey)
                : hd.signature;
          }
          if (hd.encoding !== undefined) headers["Content-Encoding"] = hd.encoding;
          if (hd.lang !== undefined) headers["Accept-Language"] = hd.lang;
          const hasBody = target.method !== "GET" && body !== "";
          const res = await fetch(`${h.url}${target.path(seg)}`, {
            method: target.method,
            headers,
            body: hasBody ? (body as BodyInit) : undefined,
            redirect: "manual",
          });
          const text = await res.text();
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400 && res.headers.get("content-type")?.includes("json")) {
            const json = JSON.parse(text);
            expect(json).toEqual({
              code: expect.any(Number),
              message: expect.any(String),
              data: expect.any(Array),
            });
          }
        },
      ),
      { numRuns: 60 },
    );
    expect(h.running.sandbox.state.snapshot()).toEqual(before);
  });
});
