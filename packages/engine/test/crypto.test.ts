import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import {
  createKeyring,
  createLogger,
  DecryptionError,
  generateKey,
  KeyringError,
  loadKeyring,
  parseEncryptionKeyEnv,
} from "../src/index";

describe("keyring (AES-256-GCM)", () => {
  const k1 = Buffer.alloc(32, 1);
  const k2 = Buffer.alloc(32, 2);

  it("round-trips, with a fresh IV each time", () => {
    const ring = createKeyring({ keys: { k1 }, primary: "k1" });
    const a = ring.encrypt("secret-value", "tenant:1:pe");
    const b = ring.encrypt("secret-value", "tenant:1:pe");
    expect(a.equals(b)).toBe(false);
    expect(a.includes(Buffer.from("secret-value"))).toBe(false);
    expect(ring.decrypt(a, "tenant:1:pe").toString()).toBe("secret-value");
    expect(ring.keyIdOf(a)).toBe("k1");
  });

  it("detects tampering, truncation, wrong associated data and unknown keys", () => {
    const ring = createKeyring({ keys: { k1 }, primary: "k1" });
    const blob = ring.encrypt("secret-value", "tenant:1:pe");
    const flipped = Buffer.from(blob);
    flipped[flipped.length - 1]! ^= 0x01;
    expect(() => ring.decrypt(flipped, "tenant:1:pe")).toThrow(DecryptionError);
    expect(() => ring.decrypt(blob.subarray(0, 10), "tenant:1:pe")).toThrow(DecryptionError);
    expect(() => ring.decrypt(blob, "tenant:2:pe")).toThrow(DecryptionError);
    const other = createKeyring({ keys: { k2 }, primary: "k2" });
    expect(() => other.decrypt(blob, "tenant:1:pe")).toThrow(DecryptionError);
    try {
      ring.decrypt(flipped, "tenant:1:pe");
    } catch (e) {
      expect(String((e as Error).message)).not.toContain("secret-value");
    }
  });

  it("after rotation, old ciphertexts still decrypt and new ones use the new key", () => {
    const before = createKeyring({ keys: { k1 }, primary: "k1" });
    const old = before.encrypt("v1");
    const after = parseEncryptionKeyEnv(`k2:${k2.toString("base64")},k1:${k1.toString("base64")}`);
    expect(after.primaryKeyId).toBe("k2");
    expect(after.decrypt(old).toString()).toBe("v1");
    expect(after.keyIdOf(after.encrypt("v2"))).toBe("k2");
  });

  it("parses a bare key with a fingerprint id and rejects bad keys without echoing them", () => {
    const bare = parseEncryptionKeyEnv(generateKey().toString("base64"));
    expect(bare.primaryKeyId).toMatch(/^k-[0-9a-f]{8}$/);
    expect(() => parseEncryptionKeyEnv("c2hvcnQ=")).toThrow(KeyringError);
    expect(() => parseEncryptionKeyEnv("c2hvcnQ=")).toThrow(/^(?!.*c2hvcnQ)/);
  });

  it("local mode keeps a generated key in the data dir (0600) and warns loudly", () => {
    const dir = mkdtempSync(join(tmpdir(), "pe-key-"));
    const lines: string[] = [];
    const logger = createLogger({
      name: "t",
      destination: new Writable({
        write(chunk, _e, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    });
    try {
      const a = loadKeyring({ dataDir: dir, logger });
      const b = loadKeyring({ dataDir: dir });
      expect(b.decrypt(a.encrypt("x")).toString()).toBe("x");
      expect(statSync(join(dir, "encryption.key")).mode & 0o777).toBe(0o600);
      expect(lines.join("")).toContain("APP_ENCRYPTION_KEY is not set");
      const key = readFileSync(join(dir, "encryption.key"), "utf8").trim();
      expect(lines.join("")).not.toContain(key);
      expect(() => loadKeyring({ requireConfiguredKey: true })).toThrow(KeyringError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("logger redaction", () => {
  it("never writes secrets, tokens, authorization headers or emails", () => {
    const lines: string[] = [];
    const logger = createLogger({
      name: "t",
      destination: new Writable({
        write(chunk, _e, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    });
    logger.info(
      {
        secretKey: "sk_live_1",
        credentials: { accessKey: "AK1" },
        req: { headers: { authorization: "Bearer tok_1", cookie: "sid=1" } },
        body: { userEmail: "rosa@example.pe", token: "jwt_1" },
        deep: { x: { consumerSecret: "cs_1" } },
      },
      "hello",
    );
    const out = lines.join("");
    expect(out).toContain("hello");
    for (const s of ["sk_live_1", "AK1", "tok_1", "sid=1", "rosa@example.pe", "jwt_1", "cs_1"]) {
      expect(out).not.toContain(s);
    }
  });
});
