import { z } from "zod";

/**
 * Only the order fields the bridge reads. `.passthrough()` keeps everything else: WooCommerce and
 * plugins add fields over time and the contract says to ignore unknown keys.
 */
export const wooMetaSchema = z
  .object({ id: z.number().optional(), key: z.string(), value: z.unknown() })
  .passthrough();

export const wooOrderSchema = z
  .object({
    id: z.number().int(),
    status: z.string(),
    currency: z.string(),
    total: z.string(),
    number: z.string().optional(),
    order_key: z.string().optional(),
    payment_method: z.string().default(""),
    transaction_id: z.string().default(""),
    date_modified_gmt: z.string().nullable().optional(),
    meta_data: z.array(wooMetaSchema).default([]),
    refunds: z.array(z.object({ id: z.number(), total: z.string() }).passthrough()).default([]),
  })
  .passthrough();

export type WooOrder = z.infer<typeof wooOrderSchema>;

export const wooNoteSchema = z
  .object({ id: z.number().int(), note: z.string(), customer_note: z.boolean() })
  .passthrough();
export type WooOrderNote = z.infer<typeof wooNoteSchema>;

export const wooRefundSchema = z
  .object({ id: z.number().int(), amount: z.string(), reason: z.string().default("") })
  .passthrough();
export type WooRefund = z.infer<typeof wooRefundSchema>;

export const wooWebhookSchema = z
  .object({ id: z.number().int(), status: z.string(), topic: z.string() })
  .passthrough();
export type WooWebhook = z.infer<typeof wooWebhookSchema>;

export function metaValue(order: Pick<WooOrder, "meta_data">, key: string): unknown {
  return order.meta_data.find((m) => m.key === key)?.value;
}
