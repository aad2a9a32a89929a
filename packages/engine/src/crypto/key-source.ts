import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { createKeyring, generateKey, keyFingerprint, KeyringError, type Keyring } from "./keyring";

/**
 * Parses `APP_ENCRYPTION_KEY`: either one base64 key (its id is a fingerprint of the key), or a
 * comma-separated `id:base64` list whose FIRST entry is the primary and the others are retired
 * keys kept so existing ciphertexts still decrypt. Error messages never echo the value.
 */
export function parseEncryptionKeyEnv(value: string): Keyring {
  const entries = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new KeyringError("APP_ENCRYPTION_KEY is empty");
  const keys: Record<string, Buffer> = {};
  let primary: string | undefined;
  for (const [i, entry] of entries.entries()) {
    const colon = entry.indexOf(":");
    const b64 = colon === -1 ? entry : entry.slice(colon + 1);
    const key = Buffer.from(b64, "base64");
    if (key.length !== 32) {
      throw new KeyringError(`APP_ENCRYPTION_KEY entry ${i + 1} is not 32 bytes of base64`);
    }
    const id = colon === -1 ? keyFingerprint(key) : entry.slice(0, colon);
    if (keys[id]) throw new KeyringError(`APP_ENCRYPTION_KEY repeats key id "${id}"`);
    keys[id] = key;
    primary ??= id;
  }
  return createKeyring({ keys, primary: primary! });
}

export interface LoadKeyringOptions {
  /** Normally `process.env.APP_ENCRYPTION_KEY`. */
  encryptionKey?: string;
  /** Local mode: where a generated key is kept (`<dataDir>/encryption.key`, mode 0600). */
  dataDir?: string;
  /**
   * Refuse to generate a key. Set it whenever the database is shared (DATABASE_URL): each
   * instance would otherwise invent its own key and could not read the others' rows.
   */
  requireConfiguredKey?: boolean;
  logger?: Logger;
}

export const LOCAL_KEY_FILE = "encryption.key";

export function loadKeyring(opts: LoadKeyringOptions): Keyring {
  if (opts.encryptionKey && opts.encryptionKey.trim() !== "") {
    const ring = parseEncryptionKeyEnv(opts.encryptionKey);
    opts.logger?.info({ primaryKeyId: ring.primaryKeyId, keyIds: ring.keyIds }, "encryption keys");
    return ring;
  }
  if (opts.requireConfiguredKey) {
    throw new KeyringError("APP_ENCRYPTION_KEY is required when the database is shared");
  }
  let key: Buffer;
  if (opts.dataDir) {
    const file = join(opts.dataDir, LOCAL_KEY_FILE);
    if (existsSync(file)) {
      key = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
      if (key.length !== 32) throw new KeyringError(`${file} does not hold a 32-byte base64 key`);
    } else {
      mkdirSync(opts.dataDir, { recursive: true });
      key = generateKey();
      writeFileSync(file, key.toString("base64") + "\n", { mode: 0o600, flag: "wx" });
    }
    chmodSync(file, 0o600);
    opts.logger?.warn(
      { keyFile: file },
      "!!! APP_ENCRYPTION_KEY is not set: merchant credentials are encrypted with a key generated " +
        "in the data directory. Anyone who can read that directory can decrypt them. Set " +
        "APP_ENCRYPTION_KEY (32 random bytes, base64) for any real deployment. !!!",
    );
  } else {
    key = generateKey();
    opts.logger?.warn(
      "!!! APP_ENCRYPTION_KEY is not set and there is no data directory: using a throw-away key; " +
        "stored credentials will be unreadable after a restart. !!!",
    );
  }
  const id = keyFingerprint(key);
  return createKeyring({ keys: { [id]: key }, primary: id });
}
