import { ValidationError, parseMoney, type FieldIssue, type Money } from "@pe-pay/core";
import { z } from "zod";

/**
 * Shopify → app session request bodies (contract §1.1–1.4). Objects are non-strict on purpose:
 * Shopify adds fields per API version, and unknown keys must not break checkout.
 */
const nonEmpty = z.string().min(1);
const gidOf = (kind: string) =>
  z
    .string()
    .regex(new RegExp(`^gid://shopify/${kind}/[^/]+$`), `must be gid://shopify/${kind}/<id>`);

const address = z
  .object({
    given_name: z.string(),
    family_name: z.string(),
    line1: z.string(),
    line2: z.string(),
    city: z.string(),
    postal_code: z.string(),
    province: z.string(),
    province_code: z.string(),
    country_code: z.string(),
    phone_number: z.string(),
    company: z.string(),
  })
  .partial();

// Any address key may be null in practice; treat null like absent.
const nullableAddress = z.preprocess(
  (v) =>
    v && typeof v === "object"
      ? Object.fromEntries(Object.entries(v).filter(([, value]) => value !== null))
      : v,
  address,
);

const customer = z.object({
  email: z.string().nullish(),
  phone_number: z.string().nullish(),
  locale: z.string().nullish(),
  billing_address: nullableAddress.nullish(),
  shipping_address: nullableAddress.nullish(),
});

const baseSession = {
  id: nonEmpty,
  amount: z.string(),
  currency: z.string(),
  test: z.boolean(),
  merchant_locale: nonEmpty,
  proposed_at: z.iso.datetime({ offset: true }),
};

export const PaymentSessionBody = z.object({
  ...baseSession,
  gid: gidOf("PaymentSession"),
  group: nonEmpty,
  session_id: z.string().optional(),
  kind: z.enum(["sale", "authorization"]),
  payment_method: z.object({
    type: z.string(),
    data: z.object({ cancel_url: z.url().optional() }).optional(),
  }),
  /** Older docs / the Remix template put it here; tolerated as a fallback. */
  cancel_url: z.url().optional(),
  customer: customer.nullish(),
});

export const RefundSessionBody = z.object({
  ...baseSession,
  gid: gidOf("RefundSession"),
  payment_id: nonEmpty,
});

export const CaptureSessionBody = z.object({
  id: nonEmpty,
  gid: nonEmpty,
  payment_id: nonEmpty,
  amount: z.string(),
  currency: z.string(),
  proposed_at: z.string(),
  test: z.boolean().optional(),
  merchant_locale: z.string().optional(),
});

export const VoidSessionBody = z.object({
  id: nonEmpty,
  gid: nonEmpty,
  payment_id: nonEmpty,
  proposed_at: z.string(),
  test: z.boolean().optional(),
  merchant_locale: z.string().optional(),
});

export interface PaymentSessionRequest {
  id: string;
  gid: string;
  group: string;
  sessionId: string | null;
  amount: Money;
  test: boolean;
  merchantLocale: string;
  proposedAt: string;
  cancelUrl: string | null;
  customer: {
    email: string | null;
    phone: string | null;
    locale: string | null;
    givenName: string | null;
    familyName: string | null;
  };
}

export interface RefundSessionRequest {
  id: string;
  gid: string;
  paymentId: string;
  amount: Money;
  test: boolean;
  merchantLocale: string;
  proposedAt: string;
}

function zodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({
    field: i.path.length > 0 ? i.path.join(".") : "body",
    code: i.code,
    message: i.message,
  }));
}

function parseWith<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ValidationError(zodIssues(parsed.error));
  return parsed.data;
}

/** Throws ValidationError listing every problem (schema, amount, kind). */
export function parsePaymentSessionRequest(body: unknown): PaymentSessionRequest {
  const b = parseWith(PaymentSessionBody, body);
  const issues: FieldIssue[] = [];
  let amount: Money | undefined;
  try {
    amount = parseMoney(b.amount, b.currency);
  } catch (e) {
    if (e instanceof ValidationError) issues.push(...e.issues);
    else throw e;
  }
  if (b.kind !== "sale") {
    issues.push({
      field: "kind",
      code: "unsupported",
      message: "PagoEfectivo vouchers are sale-only; authorization is not supported",
    });
  }
  if (b.payment_method.type !== "offsite") {
    issues.push({ field: "payment_method.type", code: "unsupported", message: "expected offsite" });
  }
  if (issues.length > 0 || !amount) throw new ValidationError(issues);
  const billing = b.customer?.billing_address ?? b.customer?.shipping_address ?? undefined;
  return {
    id: b.id,
    gid: b.gid,
    group: b.group,
    sessionId: b.session_id ?? null,
    amount,
    test: b.test,
    merchantLocale: b.merchant_locale,
    proposedAt: b.proposed_at,
    cancelUrl: b.payment_method.data?.cancel_url ?? b.cancel_url ?? null,
    customer: {
      email: b.customer?.email || null,
      phone: b.customer?.phone_number || billing?.phone_number || null,
      locale: b.customer?.locale || null,
      givenName: billing?.given_name || null,
      familyName: billing?.family_name || null,
    },
  };
}

export function parseRefundSessionRequest(body: unknown): RefundSessionRequest {
  const b = parseWith(RefundSessionBody, body);
  const amount = parseMoney(b.amount, b.currency);
  return {
    id: b.id,
    gid: b.gid,
    paymentId: b.payment_id,
    amount,
    test: b.test,
    merchantLocale: b.merchant_locale,
    proposedAt: b.proposed_at,
  };
}

export function parseCaptureSessionRequest(body: unknown): z.infer<typeof CaptureSessionBody> {
  return parseWith(CaptureSessionBody, body);
}

export function parseVoidSessionRequest(body: unknown): z.infer<typeof VoidSessionBody> {
  return parseWith(VoidSessionBody, body);
}
