import type { Executor, Tx } from "./database";
import { mapVoucher } from "./vouchers";

/**
 * Shopper data requests (GDPR / Ley 29733; Shopify's customers/data_request and
 * customers/redact webhooks). Matching on email is case-insensitive.
 */
export interface CustomerExport {
  email: string;
  vouchers: {
    id: string;
    platformPaymentId: string;
    cip: string | null;
    amountMinor: number;
    currency: string;
    status: string;
    shopperFirstName: string | null;
    createdAt: Date;
    paidAt: Date | null;
    refunds: { id: string; amountMinor: number; currency: string; status: string }[];
  }[];
}

export async function exportCustomerData(
  q: Executor,
  tenantId: string,
  email: string,
): Promise<CustomerExport> {
  const { rows } = await q.query(
    `SELECT * FROM vouchers WHERE tenant_id = $1 AND lower(shopper_email) = lower($2)
     ORDER BY created_at`,
    [tenantId, email],
  );
  const vouchers = rows.map(mapVoucher);
  const refunds = vouchers.length
    ? (
        await q.query<{
          id: string;
          voucher_id: string;
          amount_minor: number;
          currency: string;
          status: string;
        }>(
          `SELECT id, voucher_id, amount_minor, currency, status FROM refunds
           WHERE voucher_id = ANY($1::uuid[]) ORDER BY created_at`,
          [vouchers.map((v) => v.id)],
        )
      ).rows
    : [];
  return {
    email,
    vouchers: vouchers.map((v) => ({
      id: v.id,
      platformPaymentId: v.platformPaymentId,
      cip: v.cip,
      amountMinor: v.amount.minor,
      currency: v.amount.currency,
      status: v.status,
      shopperFirstName: v.shopperFirstName,
      createdAt: v.createdAt,
      paidAt: v.paidAt,
      refunds: refunds
        .filter((r) => r.voucher_id === v.id)
        .map((r) => ({
          id: r.id,
          amountMinor: r.amount_minor,
          currency: r.currency,
          status: r.status,
        })),
    })),
  };
}

const ERASED = "[erased]";

/**
 * Wipes a shopper's email and first name from vouchers, and any copy of the email left in audit
 * rows or outbox payloads (both are redacted at write time; this catches what slipped through).
 * Amounts, CIPs and dates stay: they are the merchant's accounting record, not personal data.
 * Run it in one transaction so a partial erase is never visible.
 */
export async function eraseCustomerData(
  tx: Tx,
  tenantId: string,
  email: string,
): Promise<{ vouchers: number; auditRows: number; outboxRows: number }> {
  const trimmed = email.trim();
  if (trimmed === "") return { vouchers: 0, auditRows: 0, outboxRows: 0 };
  const vouchers = await tx.query(
    `UPDATE vouchers SET shopper_email = NULL, shopper_first_name = NULL, updated_at = now()
     WHERE tenant_id = $1 AND lower(shopper_email) = lower($2) RETURNING id`,
    [tenantId, trimmed],
  );
  // The email as it appears inside JSON text, as a case-insensitive literal regex.
  const pattern = JSON.stringify(trimmed)
    .slice(1, -1)
    .replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const auditRows = await tx.query(
    `UPDATE audit_log SET
       request = regexp_replace(request::text, $2, $3, 'gi')::jsonb,
       response = regexp_replace(response::text, $2, $3, 'gi')::jsonb
     WHERE tenant_id = $1 AND (request::text ~* $2 OR response::text ~* $2)
     RETURNING id`,
    [tenantId, pattern, ERASED],
  );
  const outboxRows = await tx.query(
    `UPDATE outbox SET payload = regexp_replace(payload::text, $2, $3, 'gi')::jsonb
     WHERE tenant_id = $1 AND payload::text ~* $2 RETURNING id`,
    [tenantId, pattern, ERASED],
  );
  return {
    vouchers: vouchers.rowCount,
    auditRows: auditRows.rowCount,
    outboxRows: outboxRows.rowCount,
  };
}

/**
 * Shop-level erase (Shopify shop/redact, 48 h after uninstall): every shopper field of the
 * tenant, its credentials, and its stored notification bodies; the tenant is deactivated.
 */
export async function eraseShopData(
  tx: Tx,
  tenantId: string,
  at: Date,
): Promise<{ vouchers: number }> {
  const v = await tx.query(
    `UPDATE vouchers SET shopper_email = NULL, shopper_first_name = NULL, updated_at = now()
     WHERE tenant_id = $1 AND (shopper_email IS NOT NULL OR shopper_first_name IS NOT NULL)
     RETURNING id`,
    [tenantId],
  );
  await tx.query("UPDATE audit_log SET request = NULL, response = NULL WHERE tenant_id = $1", [
    tenantId,
  ]);
  await tx.query("DELETE FROM notification_inbox WHERE tenant_id = $1", [tenantId]);
  await tx.query(
    `UPDATE tenants SET pe_credentials = NULL, pe_credentials_key_id = NULL,
       platform_credentials = NULL, platform_credentials_key_id = NULL, status = 'inactive',
       deactivated_at = COALESCE(deactivated_at, $2), updated_at = now()
     WHERE id = $1`,
    [tenantId, at],
  );
  return { vouchers: v.rowCount };
}
