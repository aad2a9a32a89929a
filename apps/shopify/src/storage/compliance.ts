import type { Clock } from "@pe-pay/core";
import {
  eraseCustomerData,
  eraseShopData,
  exportCustomerData,
  findTenantByShop,
  resealColumn,
  type Database,
  type Keyring,
  type ReencryptStep,
} from "@pe-pay/engine";
import type { ComplianceHandlers, Logger, WebhookDeduper } from "../ports";
import type { DbShopStore } from "./shop-store";

const exportAad = (tenantId: string) => `tenant:${tenantId}:shopify_data_requests.export`;

/** Start-up step (openAppStorage): re-seals the stored data-request exports. */
export const reencryptDataRequestExports: ReencryptStep = (db, keyring) =>
  resealColumn(db, keyring, {
    table: "shopify_data_requests",
    column: "export_sealed",
    idColumn: "id",
    keyIdColumn: "export_key_id",
    aadColumns: ["tenant_id"],
    aad: (row) => exportAad(String(row.tenant_id)),
  });

/**
 * The mandatory compliance webhooks on engine storage. Shopper data is matched by email: it is
 * the only shopper identifier vouchers keep (audit rows and outbox payloads are redacted at
 * write time; the erase also scrubs any copy of the address that slipped into them).
 */
export function createComplianceHandlers(deps: {
  db: Database;
  keyring: Keyring;
  clock: Clock;
  shops: DbShopStore;
  logger: Logger;
}): ComplianceHandlers & {
  /** The sealed exports of a shop, newest first (for the merchant to hand over). */
  listDataRequests(tenantId: string): Promise<DataRequestExport[]>;
} {
  const { db, logger } = deps;
  const tenantOf = (shopDomain: string) => findTenantByShop(db, "shopify", shopDomain);

  return {
    async redactCustomer({ shopDomain, customer }) {
      const tenant = await tenantOf(shopDomain);
      if (!tenant) {
        logger.info({ shop: shopDomain }, "customers/redact for an unknown shop: nothing held");
        return;
      }
      if (!customer.email) {
        // Vouchers keep no other shopper identifier, so there is nothing we could match.
        logger.info(
          { tenantId: tenant.id, customerId: customer.id },
          "customers/redact without an email: nothing to match",
        );
        return;
      }
      const email = customer.email;
      const erased = await db.transaction((tx) => eraseCustomerData(tx, tenant.id, email));
      logger.info(
        { tenantId: tenant.id, customerId: customer.id, ...erased },
        "customer data erased",
      );
    },

    async exportCustomerData({ shopDomain, customer, dataRequestId }) {
      const tenant = await tenantOf(shopDomain);
      if (!tenant) {
        logger.info({ shop: shopDomain }, "customers/data_request for an unknown shop");
        return;
      }
      const data = customer.email
        ? await exportCustomerData(db, tenant.id, customer.email)
        : { email: null, vouchers: [] };
      const sealed = deps.keyring.encrypt(
        JSON.stringify({ customerId: customer.id, exportedAt: deps.clock.now(), ...data }),
        exportAad(tenant.id),
      );
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO shopify_data_requests (tenant_id, data_request_id, customer_id, voucher_count,
           export_sealed, export_key_id)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [
          tenant.id,
          dataRequestId,
          customer.id,
          data.vouchers.length,
          sealed,
          deps.keyring.primaryKeyId,
        ],
      );
      // A reference only: the export itself is personal data.
      logger.info(
        {
          tenantId: tenant.id,
          dataRequestId,
          exportId: String(rows[0]!.id),
          vouchers: data.vouchers.length,
        },
        "customer data export stored",
      );
    },

    async redactShop({ shopDomain }) {
      const tenant = await tenantOf(shopDomain);
      if (!tenant) return;
      const at = deps.clock.now();
      const result = await db.transaction(async (tx) => {
        const r = await eraseShopData(tx, tenant.id, at);
        await tx.query(
          `UPDATE shopify_shops SET secrets = NULL, secrets_key_id = NULL,
             uninstalled_at = COALESCE(uninstalled_at, $2), updated_at = now()
           WHERE tenant_id = $1`,
          [tenant.id, at],
        );
        await tx.query("DELETE FROM shopify_data_requests WHERE tenant_id = $1", [tenant.id]);
        return r;
      });
      await deps.shops.deactivate(shopDomain);
      logger.info({ tenantId: tenant.id, ...result }, "shop data erased");
    },

    async uninstall({ shopDomain }) {
      await deps.shops.deactivate(shopDomain);
      logger.info({ shop: shopDomain }, "shop uninstalled: deactivated");
    },

    async listDataRequests(tenantId) {
      const { rows } = await db.query(
        `SELECT id, data_request_id, customer_id, voucher_count, export_sealed, created_at
         FROM shopify_data_requests WHERE tenant_id = $1 ORDER BY id DESC`,
        [tenantId],
      );
      return rows.map((r) => ({
        id: String(r.id),
        dataRequestId: (r.data_request_id as string | null) ?? null,
        customerId: (r.customer_id as string | null) ?? null,
        voucherCount: Number(r.voucher_count),
        createdAt: r.created_at as Date,
        export: JSON.parse(
          deps.keyring.decrypt(r.export_sealed as Buffer, exportAad(tenantId)).toString("utf8"),
        ) as unknown,
      }));
    },
  };
}

export interface DataRequestExport {
  id: string;
  dataRequestId: string | null;
  customerId: string | null;
  voucherCount: number;
  createdAt: Date;
  export: unknown;
}

/** Processed `X-Shopify-Webhook-Id`s in the database: survives restarts, shared by instances. */
export class DbWebhookDeduper implements WebhookDeduper {
  constructor(private readonly db: Database) {}

  async isProcessed(webhookId: string): Promise<boolean> {
    const { rows } = await this.db.query(
      "SELECT 1 FROM shopify_webhook_deliveries WHERE webhook_id = $1",
      [webhookId],
    );
    return rows.length > 0;
  }

  async markProcessed(webhookId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO shopify_webhook_deliveries (webhook_id) VALUES ($1)
       ON CONFLICT (webhook_id) DO NOTHING`,
      [webhookId],
    );
  }

  /** Shopify retries for up to 48 h; ids older than the window are safe to forget. */
  async purge(olderThan: Date): Promise<number> {
    const { rowCount } = await this.db.query(
      "DELETE FROM shopify_webhook_deliveries WHERE processed_at < $1",
      [olderThan],
    );
    return rowCount;
  }
}
