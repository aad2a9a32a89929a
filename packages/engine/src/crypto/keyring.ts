import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { AppError } from "@pe-pay/core";

/**
 * AES-256-GCM envelope for secrets at rest (merchant credentials).
 *
 * Blob layout: version(1) | keyIdLength(1) | keyId(utf8) | iv(12) | tag(16) | ciphertext.
 * The key id travels inside the blob so that after a rotation old rows still decrypt with the
 * retired key while new writes use the primary; re-encryption can then happen lazily.
 * Optional associated data (e.g. "tenant:<id>:pe_credentials") binds a blob to its row and
 * column: copying one tenant's ciphertext onto another tenant fails authentication.
 */
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export class DecryptionError extends AppError {
  readonly code = "decryption_failed";
  readonly retryable = false;
  readonly httpStatus = 500;
}

export class KeyringError extends AppError {
  readonly code = "keyring_error";
  readonly retryable = false;
  readonly httpStatus = 500;
}

export interface KeyringOptions {
  keys: Record<string, Buffer>;
  /** Id of the key new ciphertexts are written with. */
  primary: string;
}

export interface Keyring {
  readonly primaryKeyId: string;
  readonly keyIds: readonly string[];
  encrypt(plaintext: Buffer | string, aad?: string): Buffer;
  decrypt(blob: Buffer, aad?: string): Buffer;
  /** The key id a blob was written with (no decryption); for lazy re-encryption. */
  keyIdOf(blob: Buffer): string;
}

const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;

export function createKeyring(opts: KeyringOptions): Keyring {
  const keys = new Map<string, Buffer>();
  for (const [id, key] of Object.entries(opts.keys)) {
    if (!KEY_ID.test(id)) throw new KeyringError(`invalid key id "${id}"`);
    if (key.length !== KEY_BYTES) {
      throw new KeyringError(`key "${id}" must be ${KEY_BYTES} bytes, got ${key.length}`);
    }
    keys.set(id, Buffer.from(key));
  }
  if (!keys.has(opts.primary))
    throw new KeyringError(`primary key "${opts.primary}" not in keyring`);

  function parse(blob: Buffer): { keyId: string; iv: Buffer; tag: Buffer; body: Buffer } {
    if (!Buffer.isBuffer(blob) || blob.length < 2 + IV_BYTES + TAG_BYTES) {
      throw new DecryptionError("ciphertext is truncated or not an encrypted blob");
    }
    if (blob[0] !== VERSION) throw new DecryptionError(`unknown ciphertext version ${blob[0]}`);
    const idLen = blob[1]!;
    const start = 2 + idLen;
    if (blob.length < start + IV_BYTES + TAG_BYTES) {
      throw new DecryptionError("ciphertext is truncated");
    }
    return {
      keyId: blob.subarray(2, start).toString("utf8"),
      iv: blob.subarray(start, start + IV_BYTES),
      tag: blob.subarray(start + IV_BYTES, start + IV_BYTES + TAG_BYTES),
      body: blob.subarray(start + IV_BYTES + TAG_BYTES),
    };
  }

  return {
    primaryKeyId: opts.primary,
    keyIds: [...keys.keys()],
    encrypt(plaintext, aad) {
      const key = keys.get(opts.primary)!;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      if (aad !== undefined) cipher.setAAD(Buffer.from(aad, "utf8"));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      const id = Buffer.from(opts.primary, "utf8");
      return Buffer.concat([Buffer.from([VERSION, id.length]), id, iv, cipher.getAuthTag(), body]);
    },
    decrypt(blob, aad) {
      const { keyId, iv, tag, body } = parse(blob);
      const key = keys.get(keyId);
      if (!key) throw new DecryptionError(`ciphertext uses unknown key id "${keyId}"`);
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, iv);
        decipher.setAuthTag(tag);
        if (aad !== undefined) decipher.setAAD(Buffer.from(aad, "utf8"));
        return Buffer.concat([decipher.update(body), decipher.final()]);
      } catch (cause) {
        throw new DecryptionError("ciphertext failed authentication (tampered or wrong key)", {
          cause,
        });
      }
    },
    keyIdOf(blob) {
      return parse(blob).keyId;
    },
  };
}

/** A short, non-secret id derived from a key (used when a bare key is configured). */
export function keyFingerprint(key: Buffer): string {
  return `k-${createHash("sha256").update(key).digest("hex").slice(0, 8)}`;
}

export function generateKey(): Buffer {
  return randomBytes(KEY_BYTES);
}
