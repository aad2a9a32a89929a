import { z } from "zod";

export interface MerchantConfig {
  idService: number;
  accessKey: string;
  secretKey: string;
  /** Three-letter service code returned by the authorization ("codeService"). */
  codeService?: string;
  notificationUrl?: string | null;
  /** Settlement fee, in percent of each payment (e.g. 3.5). */
  feePercent?: number;
}

export interface Merchant {
  idService: number;
  accessKey: string;
  secretKey: string;
  codeService: string;
  notificationUrl: string | null;
  /** Fee in hundredths of a percent, so 3.5 % is 350 and arithmetic stays integral. */
  feeBps: number;
}

export const DEMO_MERCHANT: MerchantConfig = {
  idService: 1234,
  accessKey: "AK9X2M7Q4T8W1Z5R3P6N",
  secretKey: "sk_demo_4f1c2a9b7e6d5c3b2a1f0e9d8c7b6a5f",
  codeService: "DEM",
  notificationUrl: null,
  feePercent: 3.5,
};

export const DEFAULT_FEE_PERCENT = 3.5;

export const idServiceSchema = z.number().int().min(1).max(2_147_483_647);
export const accessKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9]{20}$/, "accessKey: 20 caracteres alfanuméricos");
export const secretKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{16,128}$/, "secretKey: 16 a 128 caracteres visibles");
export const notificationUrlSchema = z
  .string()
  .max(2048)
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === "http:" || u.protocol === "https:";
    } catch {
      return false;
    }
  }, "notificationUrl: URL http(s) absoluta")
  .nullable();
export const feePercentSchema = z
  .number()
  .min(0)
  .max(100)
  .refine(
    (n) => Number.isInteger(Math.round(n * 100)) && Math.abs(n * 100 - Math.round(n * 100)) < 1e-9,
    "feePercent: como máximo 2 decimales",
  );
export const codeServiceSchema = z.string().regex(/^[A-Z0-9]{1,10}$/);

export const merchantConfigSchema = z.object({
  idService: idServiceSchema,
  accessKey: accessKeySchema,
  secretKey: secretKeySchema,
  codeService: codeServiceSchema.optional(),
  notificationUrl: notificationUrlSchema.optional(),
  feePercent: feePercentSchema.optional(),
});

export function toMerchant(config: MerchantConfig): Merchant {
  return {
    idService: config.idService,
    accessKey: config.accessKey,
    secretKey: config.secretKey,
    codeService: config.codeService ?? "SBX",
    notificationUrl: config.notificationUrl ?? null,
    feeBps: Math.round((config.feePercent ?? DEFAULT_FEE_PERCENT) * 100),
  };
}

/** What the controls show about a merchant: never the secret key. */
export function publicMerchant(m: Merchant) {
  return {
    idService: m.idService,
    accessKey: m.accessKey,
    codeService: m.codeService,
    notificationUrl: m.notificationUrl,
    feePercent: m.feeBps / 100,
  };
}
