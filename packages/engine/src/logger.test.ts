import { Writable } from "node:stream";
import fc from "fast-check";
import pino from "pino";
import { createLogger, REDACTED_LOG_KEYS, redactSecrets } from "./logger";

/**
 * Every secret or personal field name the apps handle (grep of packages/ and apps/ for secrets,
 * tokens, signatures, claim codes and shopper data). Kept here on its own so that dropping a
 * name from the logger's list fails this test.
 */
const MUST_REDACT = [
  "secretKey",
  "secret_key",
  "sandbox_secret_key",
  "secret",
  "secrets",
  "accessKey",
  "hashString",
  "password",
  "token",
  "accessToken",
  "access_token",
  "refreshToken",
  "refresh_token",
  "notificationToken",
  "publicToken",
  "tokenSecret",
  "apiKey",
  "apiSecret",
  "shopifyApiSecret",
  "client_secret",
  "sharedSecret",
  "shared_secret",
  "webhookSecret",
  "pluginSecret",
  "consumerKey",
  "consumerSecret",
  "consumer_secret",
  "credentials",
  "peCredentials",
  "platformCredentials",
  "encryptionKey",
  "claim",
  "claimCode",
  "signature",
  "hmac",
  "authorization",
  "Authorization",
  "cookie",
  "Cookie",
  "set-cookie",
  "x-shopify-access-token",
  "X-Shopify-Access-Token",
  "x-shopify-hmac-sha256",
  "x-wc-webhook-signature",
  "pe-signature",
  "PE-Signature",
  "email",
  "userEmail",
  "shopperEmail",
  "adminEmail",
  "phone",
  "userPhone",
  "document",
  "documentNumber",
  "userDocumentNumber",
  "userName",
  "userLastName",
  "firstName",
  "lastName",
  "first_name",
  "last_name",
  "shopperFirstName",
  "billing_address",
  "shipping_address",
];

/** The previous configuration: pino's path redaction with one- and two-level wildcards. */
const OLD_KEYS = [
  "password",
  "secret",
  "secretKey",
  "accessKey",
  "hashString",
  "token",
  "accessToken",
  "refreshToken",
  "apiKey",
  "consumerKey",
  "consumerSecret",
  "credentials",
  "peCredentials",
  "platformCredentials",
  "encryptionKey",
  "authorization",
  "Authorization",
  "cookie",
  "Cookie",
  "set-cookie",
  "x-shopify-access-token",
  "X-Shopify-Access-Token",
  "email",
  "userEmail",
  "shopperEmail",
  "adminEmail",
  "userPhone",
  "userDocumentNumber",
  "userName",
  "userLastName",
  "firstName",
  "lastName",
  "shopperFirstName",
];
const quoted = (k: string) => (k.includes("-") ? `"${k}"` : k);
const OLD_PATHS = [
  ...OLD_KEYS.map(quoted),
  ...OLD_KEYS.map((k) => `*.${quoted(k)}`),
  ...OLD_KEYS.map((k) => `*.*.${quoted(k)}`),
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["pe-signature"]',
  'req.headers["x-shopify-hmac-sha256"]',
  'req.headers["x-wc-webhook-signature"]',
];

function capture(): { stream: Writable; lines(): Record<string, unknown>[]; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _e, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const text = () => chunks.join("");
  const lines = () =>
    text()
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => {
        const o = JSON.parse(l) as Record<string, unknown>;
        delete o.time;
        return o;
      });
  return { stream, lines, text };
}

/** An object with `key: leaf` `depth` levels down, alternating objects and arrays. */
function nest(key: string, leaf: unknown, depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { [key]: leaf, keep: "visible" };
  for (let d = 0; d < depth; d++) value = d % 2 ? { inner: [value] } : { inner: value };
  return value;
}

describe("createLogger redaction", () => {
  it("lists every known secret and personal field name", () => {
    const listed = new Set(REDACTED_LOG_KEYS.map((k) => k.toLowerCase()));
    expect(MUST_REDACT.filter((k) => !listed.has(k.toLowerCase()))).toEqual([]);
  });

  it.each(MUST_REDACT)("redacts %s at any depth, in arrays and in child bindings", (key) => {
    const out = capture();
    const logger = createLogger({ name: "t", destination: out.stream });
    for (let depth = 0; depth <= 6; depth++) {
      const secret = `s3cr3t-${key}-${depth}`;
      logger.info(nest(key, secret, depth), "line");
      logger.info({ list: [nest(key, { nested: secret }, depth)] }, "in an array");
      logger.info(nest(key.toUpperCase(), secret, depth), "upper case");
    }
    const child = logger.child(nest(key, "s3cr3t-child", 2));
    child.child({ [key]: "s3cr3t-grandchild" }).info("grandchild");
    child.setBindings({ [key]: "s3cr3t-set" });
    child.info("child");
    logger.info("interpolated %j", nest(key, "s3cr3t-interpolated", 1));
    const text = out.text();
    expect(text).not.toContain("s3cr3t");
    // One censored value per line, next to a value that is kept.
    expect(text.split("[redacted]").length - 1).toBe(7 * 3 + 1 + 2 + 2);
    expect(text.split("visible").length - 1).toBe(7 * 3 + 1 + 1 + 1);
  });

  it("redacts inside errors and their inner errors, and keeps the error serialized", () => {
    const out = capture();
    const logger = createLogger({ name: "t", destination: out.stream });
    const cause = Object.assign(new Error("inner"), { details: { secretKey: "sk_cause" } });
    const err = Object.assign(new TypeError("outer", { cause }), {
      code: "E1",
      request: { headers: { authorization: "Bearer tok_err" } },
    });
    const many = new AggregateError([Object.assign(new Error("one"), { token: "tok_agg" })], "all");
    logger.error({ err }, "failed");
    logger.error(err);
    logger.error({ err: many }, "aggregate");
    const [a, b, c] = out.lines();
    for (const line of [a!, b!]) {
      expect(line.err).toMatchObject({
        type: "TypeError",
        message: "outer: inner",
        code: "E1",
        request: { headers: { authorization: "[redacted]" } },
      });
      expect((line.err as { stack: string }).stack).toMatch(
        /^TypeError: outer\n[^]*caused by: Error: inner\n/,
      );
    }
    expect(b!.msg).toBe("outer");
    expect(c!.err).toMatchObject({ aggregateErrors: [{ message: "one", token: "[redacted]" }] });
    expect(out.text()).not.toMatch(/sk_cause|tok_err|tok_agg/);
    // The caller's errors are left as they were.
    expect(err.request.headers.authorization).toBe("Bearer tok_err");
    expect(cause.details.secretKey).toBe("sk_cause");
    expect((many.errors[0] as { token: string }).token).toBe("tok_agg");
  });

  it("writes lines without secrets unchanged, and cycles as [Circular]", () => {
    const out = capture();
    const logger = createLogger({ name: "t", destination: out.stream });
    const ring: Record<string, unknown> = { id: 1, token: "tok_ring" };
    ring.self = ring;
    logger.info({ tenantId: "t1", cip: "2495383", at: new Date(0), list: [1, "a"] }, "plain");
    logger.info({ ring }, "cycle");
    const [plain, cycle] = out.lines();
    expect(plain).toEqual({
      level: 30,
      name: "t",
      tenantId: "t1",
      cip: "2495383",
      at: "1970-01-01T00:00:00.000Z",
      list: [1, "a"],
      msg: "plain",
    });
    expect(cycle!.ring).toEqual({ id: 1, token: "[redacted]", self: "[Circular]" });
  });

  it("keeps cycle detection when a value read during the walk redacts another line", () => {
    const ring: Record<string, unknown> = {
      get note() {
        return redactSecrets({ inner: { token: "tok_inner" } }).inner;
      },
      token: "tok_ring",
    };
    ring.self = ring;
    expect(redactSecrets(ring)).toEqual({
      note: { token: "[redacted]" },
      token: "[redacted]",
      self: "[Circular]",
    });
  });

  it("never changes the caller's objects and returns them as is when nothing is secret", () => {
    const clean = { a: { b: [1, { c: "x" }] } };
    expect(redactSecrets(clean)).toBe(clean);
    const dirty = { a: { b: [1, { password: "p" }] }, other: { c: 1 } };
    const result = redactSecrets(dirty);
    expect(result).toEqual({ a: { b: [1, { password: "[redacted]" }] }, other: { c: 1 } });
    expect(dirty.a.b[1]).toEqual({ password: "p" });
    expect(result.other).toBe(dirty.other);
  });

  const key = fc
    .oneof(
      fc.constantFrom(...OLD_KEYS),
      fc.constantFrom("tenantId", "cip", "status", "headers", "phone", "claimCode", "x"),
      fc.string({ maxLength: 6 }),
    )
    // pino's old redaction assigned keys on its copy, so "__proto__" was its own bug.
    .filter((k) => k !== "__proto__");
  const leaf = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
  /** Containers at most three levels deep: the depth the old wildcards reached. */
  const shallow = (levels: number): fc.Arbitrary<unknown> =>
    levels === 0
      ? leaf
      : fc.oneof(
          leaf,
          fc.dictionary(key, shallow(levels - 1), { maxKeys: 4, noNullPrototype: true }),
          fc.array(shallow(levels - 1), { maxLength: 3 }),
        );
  const logged = fc.dictionary(
    key.filter((k) => !["level", "time", "msg", "name"].includes(k)),
    shallow(2),
    { maxKeys: 5, noNullPrototype: true },
  );

  it("redacts at least what the old wildcard paths did, on generated lines", () => {
    const oldOut = capture();
    const newOut = capture();
    const oldLogger = pino(
      {
        name: "t",
        base: { name: "t" },
        redact: { paths: OLD_PATHS, censor: "[redacted]" },
      },
      oldOut.stream,
    );
    const logger = createLogger({ name: "t", level: "info", destination: newOut.stream });
    fc.assert(
      fc.property(logged, (obj) => {
        const before = JSON.stringify(obj);
        oldLogger.info(obj, "m");
        logger.info(obj, "m");
        expect(JSON.stringify(obj)).toBe(before);
        const o = oldOut.lines().pop();
        const n = newOut.lines().pop();
        // The new list only adds names, so the lines can differ only where the old one
        // wrote a value under a name that is now redacted.
        expect(withNewKeysRedacted(o)).toEqual(n);
      }),
      { numRuns: 500 },
    );
  });
});

/** A parsed line with every value under a name of the new list replaced, at any depth. */
function withNewKeysRedacted(line: Record<string, unknown> | undefined): unknown {
  const keys = new Set(REDACTED_LOG_KEYS.map((k) => k.toLowerCase()));
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== "object") return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, keys.has(k.toLowerCase()) ? "[redacted]" : walk(x)]),
    );
  };
  const { level, name, msg, ...rest } = line ?? {};
  return { level, name, ...(walk(rest) as object), msg };
}
