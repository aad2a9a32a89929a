import { toLimaIso, type Clock } from "../clock";
import { authorizationHash } from "../signatures";

export type CredentialCheck =
  { ok: true } | { ok: false; reason: "rejected" | "unreachable" | "unexpected"; message: string };

/**
 * Checks PagoEfectivo merchant credentials the only way that proves them: an authorization
 * (`POST /v1/authorizations`) against the configured API. The message is PagoEfectivo's own
 * (code + text) so the merchant sees the exact error; it never contains the secret key.
 */
export async function checkPagoEfectivoCredentials(args: {
  baseUrl: string;
  idService: number;
  accessKey: string;
  secretKey: string;
  clock: Clock;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): Promise<CredentialCheck> {
  const dateRequest = toLimaIso(args.clock.now());
  const body = JSON.stringify({
    accessKey: args.accessKey,
    idService: args.idService,
    dateRequest,
    hashString: authorizationHash({
      idService: args.idService,
      accessKey: args.accessKey,
      secretKey: args.secretKey,
      dateRequest,
    }),
  });
  let res: Response;
  try {
    res = await (args.fetch ?? fetch)(`${args.baseUrl}/v1/authorizations`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": "es-PE" },
      body,
      signal: AbortSignal.timeout(args.timeoutMs ?? 10_000),
    });
  } catch {
    return {
      ok: false,
      reason: "unreachable",
      message: `No se pudo conectar con PagoEfectivo (${args.baseUrl}). Inténtelo de nuevo.`,
    };
  }
  let json: { code?: unknown; message?: unknown; data?: { token?: unknown } } = {};
  try {
    json = (await res.json()) as typeof json;
  } catch {
    // handled below
  }
  if (res.ok && typeof json.data?.token === "string") return { ok: true };
  const code = typeof json.code === "string" || typeof json.code === "number" ? json.code : null;
  const text = typeof json.message === "string" ? scrub(json.message, args) : null;
  if (res.status >= 400 && res.status < 500) {
    return {
      ok: false,
      reason: "rejected",
      message: `PagoEfectivo rechazó las credenciales (HTTP ${res.status}${code !== null ? `, código ${code}` : ""}${text ? `: ${text}` : ""}).`,
    };
  }
  return {
    ok: false,
    reason: "unexpected",
    message: `PagoEfectivo respondió HTTP ${res.status}${code !== null ? ` (código ${code})` : ""}${text ? `: ${text}` : ""}. Inténtelo de nuevo.`,
  };
}

/** An error text echoing the request must not carry the keys back to a page or a log. */
function scrub(text: string, secrets: { accessKey: string; secretKey: string }): string {
  let out = text.slice(0, 300);
  for (const s of [secrets.secretKey, secrets.accessKey])
    if (s.length >= 4) out = out.split(s).join("***");
  return out;
}
