import { z } from "zod";

/** Bodies the PHP plugin sends. snake_case like the rest of WordPress. */
export const createVoucherBody = z.object({
  order_id: z.number().int().positive(),
  /** 1 for the first checkout attempt; the plugin bumps it when the shopper retries. */
  attempt: z.number().int().positive().max(1000),
  order_number: z.string().min(1).max(40),
  amount: z.string().min(1).max(20),
  currency: z.string().length(3),
  email: z.string().email().max(200),
  first_name: z.string().max(100).optional(),
  last_name: z.string().max(100).optional(),
  phone: z.string().max(40).optional(),
  document_type: z.string().max(10).optional(),
  document_number: z.string().max(20).optional(),
  test: z.boolean().optional(),
  /**
   * Where the voucher page's "Volver a la tienda" leads: the order's thank-you page, or
   * My Account › order for a registered customer. Lenient on purpose: a URL the bridge cannot
   * use is dropped (see `usableReturnUrl`), never a reason to fail the checkout.
   */
  return_url: z.string().max(2000).optional(),
});

export const requestRefundBody = z.object({
  order_id: z.number().int().positive(),
  /** The WooCommerce refund record id: the idempotency key. */
  wc_refund_id: z.number().int().positive(),
  amount: z.string().min(1).max(20),
  currency: z.string().length(3),
  reason: z.string().max(500).default(""),
});

/**
 * An absolute http(s) URL without credentials, normalised; undefined otherwise. The voucher
 * page still shows it only on the store's own host (it must not become an open redirect).
 */
export function usableReturnUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  if (url.username || url.password) return undefined;
  return url.toString();
}
