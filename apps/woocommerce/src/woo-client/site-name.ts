import { z } from "zod";

const SiteIndex = z.object({ name: z.string() });

/**
 * The store's name as WordPress publishes it (`name` of the public REST index `GET /wp-json/`),
 * for the shopper's voucher page; null when the store does not answer or has no usable name (the
 * caller keeps its fallback). Never throws: a missing name must not fail a connection.
 */
export async function fetchSiteName(
  storeUrl: string,
  opts: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<string | null> {
  try {
    const url = `${storeUrl.replace(/\/+$/, "")}/wp-json/`;
    const res = await (opts.fetch ?? fetch)(url, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
    });
    if (!res.ok) return null;
    const parsed = SiteIndex.safeParse(await res.json());
    if (!parsed.success) return null;
    // WordPress stores the title HTML-escaped; keep it short and plain for the page.
    const name = parsed.data.name
      .replace(/&amp;/g, "&")
      .replace(/&#0?39;|&#8217;/g, "’")
      .replace(/<[^>]*>/g, "")
      .replace(/\s+/g, " ")
      .trim();
    return name.length > 0 ? name.slice(0, 120) : null;
  } catch {
    return null;
  }
}
