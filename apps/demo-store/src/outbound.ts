/** Small helpers for the calls the demo store makes to the apps. */
export interface OutboundResult {
  ok: boolean;
  status: number;
  text: string;
  json: unknown;
  /** Set when no HTTP answer came back at all. */
  networkError?: string;
}

export async function postRaw(
  doFetch: typeof fetch,
  url: string,
  init: { headers: Record<string, string>; body: string; timeoutMs: number; method?: string },
): Promise<OutboundResult> {
  let res: Response;
  try {
    res = await doFetch(url, {
      method: init.method ?? "POST",
      headers: init.headers,
      ...(init.method === "GET" ? {} : { body: init.body }),
      redirect: "manual",
      signal: AbortSignal.timeout(init.timeoutMs),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return {
      ok: false,
      status: 0,
      text: "",
      json: undefined,
      networkError: `${(e as Error).name}${cause ? ` ${cause}` : ""}`,
    };
  }
  const text = await res.text().catch(() => "");
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { ok: res.status >= 200 && res.status < 300, status: res.status, text, json };
}

/** A readable one-line reason for a failed call, for the merchant/shopper pages. */
export function describeFailure(target: string, r: OutboundResult): string {
  if (r.networkError) return `No se pudo conectar con ${target} (${r.networkError}).`;
  const j = r.json as Record<string, unknown> | undefined;
  const pick = (k: string) => (j && typeof j[k] === "string" ? (j[k] as string) : undefined);
  const detail =
    pick("shopper_message") ??
    pick("merchant_message") ??
    pick("message") ??
    (j && Array.isArray(j.errors) ? JSON.stringify(j.errors) : undefined) ??
    pick("errors") ??
    r.text.slice(0, 300);
  return `${target} respondió HTTP ${r.status}${detail ? `: ${detail}` : ""}`;
}
