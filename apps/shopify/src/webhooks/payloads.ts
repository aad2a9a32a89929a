import { z } from "zod";

/**
 * Compliance payloads (contract §5). Ids are int64: parsed from the source text so nothing is
 * lost to floats, and carried as strings.
 */
export function parseJsonKeepingIds(text: string): unknown {
  return JSON.parse(
    text,
    function reviver(this: unknown, _key, value, context?: { source?: string }) {
      if (typeof value === "number" && Number.isInteger(value) && context?.source) {
        return /^-?\d+$/.test(context.source) ? BigInt(context.source) : value;
      }
      return value;
    },
  );
}

const id = z.union([z.bigint(), z.string().regex(/^\d+$/)]).transform((v) => v.toString());
const nullableId = id.nullish().transform((v) => v ?? null);
const nullableString = z
  .string()
  .nullish()
  .transform((v) => v ?? null);

const customer = z
  .object({ id: nullableId, email: nullableString, phone: nullableString })
  .nullish()
  .transform((c) => c ?? { id: null, email: null, phone: null });

const ids = z
  .array(id)
  .nullish()
  .transform((v) => v ?? []);

export const CustomersDataRequest = z.object({
  shop_id: id,
  shop_domain: z.string().min(1),
  orders_requested: ids,
  customer,
  data_request: z.object({ id: nullableId }).nullish(),
});

export const CustomersRedact = z.object({
  shop_id: id,
  shop_domain: z.string().min(1),
  customer,
  orders_to_redact: ids,
});

export const ShopRedact = z.object({ shop_id: id, shop_domain: z.string().min(1) });

export const AppUninstalled = z
  .object({ myshopify_domain: z.string().optional(), domain: z.string().optional() })
  .loose();
