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
  /** The order-received URL: the voucher page's "return to the store" (same host only). */
  return_url: z.string().url().max(2000).optional(),
});

export const requestRefundBody = z.object({
  order_id: z.number().int().positive(),
  /** The WooCommerce refund record id: the idempotency key. */
  wc_refund_id: z.number().int().positive(),
  amount: z.string().min(1).max(20),
  currency: z.string().length(3),
  reason: z.string().max(500).default(""),
});
