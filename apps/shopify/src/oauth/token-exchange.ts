import { UnavailableError, ValidationError } from "@pe-pay/core";
import { z } from "zod";
import { shopifyOrigin } from "../config/env";
import { RefreshTokenRejectedError } from "../errors";

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

interface TokenEndpointArgs {
  apiOrigin: string;
  shopDomain: string;
  apiKey: string;
  apiSecret: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** POSTs to the shop's token endpoint; a 4xx comes back as `refused` for the caller to word. */
async function postTokenEndpoint(
  args: TokenEndpointArgs,
  grant: Record<string, string>,
): Promise<{ grant: AccessTokenGrant } | { refused: number }> {
  const doFetch = args.fetch ?? fetch;
  const url = `${shopifyOrigin(args.apiOrigin, args.shopDomain)}/admin/oauth/access_token`;
  let response: Response;
  try {
    response = await doFetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ client_id: args.apiKey, client_secret: args.apiSecret, ...grant }),
      signal: AbortSignal.timeout(args.timeoutMs ?? 10_000),
    });
  } catch {
    throw new UnavailableError("Shopify token endpoint unreachable");
  }
  // 408/429 say "not now", not "never": retried like a 5xx.
  if (response.status >= 500 || response.status === 408 || response.status === 429) {
    throw new UnavailableError(`Shopify token endpoint HTTP ${response.status}`);
  }
  if (!response.ok) return { refused: response.status };
  const parsed = TokenResponse.safeParse(await response.json().catch(() => null));
  if (!parsed.success) throw new UnavailableError("Shopify token response was not understood");
  return {
    grant: {
      accessToken: parsed.data.access_token,
      scope: parsed.data.scope,
      ...(parsed.data.expires_in !== undefined ? { expiresInSeconds: parsed.data.expires_in } : {}),
      ...(parsed.data.refresh_token ? { refreshToken: parsed.data.refresh_token } : {}),
    },
  };
}

/** Authorization code → offline access token (contract §6 step 3). Errors never carry secrets. */
export async function exchangeCodeForToken(
  args: TokenEndpointArgs & { code: string },
): Promise<AccessTokenGrant> {
  const answer = await postTokenEndpoint(args, { code: args.code });
  if ("refused" in answer) {
    throw new ValidationError([
      {
        field: "code",
        code: "rejected",
        message: `Shopify refused the code (HTTP ${answer.refused})`,
      },
    ]);
  }
  return answer.grant;
}

/**
 * Refresh token → a new expiring offline token and the refresh token replacing the one sent.
 * The contract (§6) only says to keep what Shopify returns, so this is OAuth's documented
 * `grant_type=refresh_token` exchange, the body @shopify/shopify-api's `auth.refreshToken` sends.
 * Its helper is not used because it always calls `https://{shop}` and ignores SHOPIFY_API_ORIGIN.
 * A 4xx (invalid_grant: expired or revoked) is final; network errors and 5xx are not.
 */
export async function refreshAccessToken(
  args: TokenEndpointArgs & { refreshToken: string },
): Promise<AccessTokenGrant> {
  const answer = await postTokenEndpoint(args, {
    grant_type: "refresh_token",
    refresh_token: args.refreshToken,
  });
  if ("refused" in answer) {
    throw new RefreshTokenRejectedError(
      `Shopify refused the refresh token (HTTP ${answer.refused})`,
    );
  }
  return answer.grant;
}
