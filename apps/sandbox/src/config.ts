import { readFileSync } from "node:fs";
import { z } from "zod";
import { merchantConfigSchema, type MerchantConfig } from "./merchants";

const envSchema = z.object({
  PE_SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  PE_SANDBOX_HOST: z.string().min(1).default("127.0.0.1"),
  PE_SANDBOX_MERCHANTS_FILE: z.string().min(1).optional(),
  PE_SANDBOX_PUBLIC_URL: z.url().optional(),
  PE_SANDBOX_FIRST_CIP: z.coerce.number().int().min(1).max(999_999_999_999).optional(),
});

export interface SandboxConfig {
  port: number;
  host: string;
  publicUrl?: string;
  merchants: MerchantConfig[];
  firstCip?: number;
}

/** Reads the sandbox's environment; errors name the variable or file, never a key. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SandboxConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join(".")).join(", ");
    throw new Error(`invalid sandbox environment: ${fields}`);
  }
  const e = parsed.data;
  return {
    port: e.PE_SANDBOX_PORT,
    host: e.PE_SANDBOX_HOST,
    publicUrl: e.PE_SANDBOX_PUBLIC_URL,
    merchants: e.PE_SANDBOX_MERCHANTS_FILE ? readMerchantsFile(e.PE_SANDBOX_MERCHANTS_FILE) : [],
    ...(e.PE_SANDBOX_FIRST_CIP ? { firstCip: e.PE_SANDBOX_FIRST_CIP } : {}),
  };
}

export function readMerchantsFile(path: string): MerchantConfig[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`cannot read PE_SANDBOX_MERCHANTS_FILE (${path}): ${(e as Error).message}`);
  }
  const result = z.array(merchantConfigSchema).safeParse(json);
  if (!result.success) {
    const where = result.error.issues.map((i) => i.path.join(".")).join(", ");
    throw new Error(`invalid merchants in ${path} at: ${where}`);
  }
  return result.data;
}
