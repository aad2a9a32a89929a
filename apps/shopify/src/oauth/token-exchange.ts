import { UnavailableError, ValidationError } from "@pe-pay/core";
import { z } from "zod";
import { shopifyOrigin } from "../config/env";

const TokenResponse = z.object({
  access_token: z.string().min(1),
  scope: z.string().default(""),
  expires_in: z.number().int().positive().optional(),
  refresh_token: z.string().min(1).optional(),
});

export interface AccessTokenGrant {
  accessToken: string;
  scope: string;
  expiresInSeconds?: number;
  refreshToken?: string;
}

/** Authorization code → offline access token (contract §6 step 3). Errors never carry secrets. */
export async function exchangeCodeForToken(args: {
  apiOrigin: string;
  shopDomain: string;
  apiKey: string;
  apiSecret: string;
  code: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): Promise<AccessTokenGrant> {
  const doFetch = args.fetch ?? fetch;
  const url = `${shopifyOrigin(args.apiOrigin, args.shopDomain)}/admin/oauth/access_token`;
  let response: Response;
  try {
    response = await doFetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({
        client_id: args.apiKey,
        client_secret: args.apiSecret,
        code: args.code,
      }),
      signal: AbortSignal.timeout(args.timeoutMs ?? 10_000),
    });
  } catch {
    throw new UnavailableError("Shopify token endpoint unreachable");
  }
  if (response.status >= 500)
    throw new UnavailableError(`Shopify token endpoint HTTP ${response.status}`);
  if (!response.ok) {
    throw new ValidationError([
      {
        field: "code",
        code: "rejected",
        message: `Shopify refused the code (HTTP ${response.status})`,
      },
    ]);
  }
  const parsed = TokenResponse.safeParse(await response.json().catch(() => null));
  if (!parsed.success) throw new UnavailableError("Shopify token response was not understood");
  return {
    accessToken: parsed.data.access_token,
    scope: parsed.data.scope,
    ...(parsed.data.expires_in !== undefined ? { expiresInSeconds: parsed.data.expires_in } : {}),
    ...(parsed.data.refresh_token ? { refreshToken: parsed.data.refresh_token } : {}),
  };
}
