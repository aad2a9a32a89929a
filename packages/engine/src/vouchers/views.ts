import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Executor } from "../db/database";
import { getVoucher, type VoucherRecord } from "../db/vouchers";
import type { PeEnvironment } from "../db/tenants";
import type { VoucherStatus, VoucherView } from "../ports";

/**
 * The engine keeps a few facts of its own beside the adapter's data in `vouchers.platform_data`
 * (a jsonb column): the platform reference, the voucher page token and the PagoEfectivo
 * environment the CIP was created in. Layout: `{ platform: <adapter data>, engine: {...} }`.
 * Keeping them there needs no schema change, and every repository call already returns them.
 */
export interface EngineVoucherData {
  reference: string;
  /** Secret half of the public token (the other half is the voucher id). */
  tokenSecret: string;
  /** The environment whose credentials created the CIP: expiry and polling must use the same. */
  environment: PeEnvironment;
}

export interface StoredPlatformData {
  platform: Record<string, unknown>;
  engine: EngineVoucherData;
}

export function packPlatformData(
  platform: Record<string, unknown> | undefined,
  engine: EngineVoucherData,
): StoredPlatformData {
  return { platform: platform ?? {}, engine };
}

export function engineData(v: VoucherRecord): EngineVoucherData | null {
  const e = (v.platformData as Partial<StoredPlatformData>).engine;
  return e && typeof e.tokenSecret === "string" ? e : null;
}

/** 144 random bits, base64url (24 characters). */
export function newTokenSecret(): string {
  return randomBytes(18).toString("base64url");
}

const UUID_HEX = /^[0-9a-f]{32}$/;

/**
 * Public voucher-page token: base64url(voucher uuid, 16 bytes) + the 144-bit random secret.
 * The id half makes the lookup a primary-key read; the secret half (compared in constant time)
 * makes it unguessable.
 */
export function publicTokenOf(v: VoucherRecord): string {
  const e = engineData(v);
  if (!e) throw new Error(`voucher ${v.id} has no engine data`);
  const id = Buffer.from(v.id.replace(/-/g, ""), "hex").toString("base64url");
  return `${id}${e.tokenSecret}`;
}

export function parsePublicToken(token: string): { voucherId: string; secret: string } | null {
  if (typeof token !== "string" || token.length !== 46 || !/^[A-Za-z0-9_-]+$/.test(token)) {
    return null;
  }
  const hex = Buffer.from(token.slice(0, 22), "base64url").toString("hex");
  if (!UUID_HEX.test(hex)) return null;
  const voucherId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { voucherId, secret: token.slice(22) };
}

export async function findVoucherByPublicToken(
  q: Executor,
  token: string,
): Promise<VoucherRecord | null> {
  const parsed = parsePublicToken(token);
  if (!parsed) return null;
  const v = await getVoucher(q, parsed.voucherId);
  const secret = v ? engineData(v)?.tokenSecret : undefined;
  if (!v || !secret) return null;
  const a = Buffer.from(secret);
  const b = Buffer.from(parsed.secret);
  return a.length === b.length && timingSafeEqual(a, b) ? v : null;
}

/** The adapter-facing view of a voucher (also the payload of every voucher outbox message). */
export function toVoucherView(v: VoucherRecord): VoucherView {
  const stored = v.platformData as Partial<StoredPlatformData>;
  return {
    id: v.id,
    tenantId: v.tenantId,
    status: v.status as VoucherStatus,
    cip: v.cip,
    cipUrl: v.cipUrl,
    amount: v.amount,
    expiresAt: v.expiresAt,
    paidAt: v.paidAt,
    publicToken: publicTokenOf(v),
    platformReference: stored.engine?.reference ?? v.platformPaymentId,
    platformData: stored.platform ?? {},
  };
}
