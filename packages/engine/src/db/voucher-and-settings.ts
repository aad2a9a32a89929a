import { NotFoundError } from "@pe-pay/core";
import type { Executor, Row } from "./database";
import { mapSettings, type TenantSettings } from "./settings";
import { mapVoucher, type VoucherRecord } from "./vouchers";

const SETTINGS_COLUMNS = [
  "tenant_id",
  "validity_hours",
  "enabled_channels",
  "credit_note_policy",
  "credit_note_series",
  "credit_note_next_number",
  "updated_at",
];
const PREFIX = "settings__";

/**
 * createVoucher's first read in one round trip: the voucher of an idempotency key (if any) and
 * the tenant's settings (which a new voucher needs for its validity). `settings` throws
 * NotFoundError when read and missing, like getSettings.
 */
export async function findVoucherAndSettings(
  q: Executor,
  tenantId: string,
  idempotencyKey: string,
): Promise<{ voucher: VoucherRecord | null; readonly settings: TenantSettings }> {
  const { rows } = await q.query(
    `SELECT ${SETTINGS_COLUMNS.map((c) => `s.${c} AS ${PREFIX}${c}`).join(", ")}, v.*
     FROM (SELECT 1) one
     LEFT JOIN tenant_settings s ON s.tenant_id = $1
     LEFT JOIN vouchers v ON v.tenant_id = $1 AND v.idempotency_key = $2`,
    [tenantId, idempotencyKey],
  );
  const row = rows[0]!;
  const voucher = row.id === null || row.id === undefined ? null : mapVoucher(row);
  const settingsRow: Row = {};
  for (const c of SETTINGS_COLUMNS) settingsRow[c] = row[`${PREFIX}${c}`];
  return {
    voucher,
    get settings() {
      if (settingsRow.tenant_id === null || settingsRow.tenant_id === undefined) {
        throw new NotFoundError("tenant settings not found");
      }
      return mapSettings(settingsRow);
    },
  };
}
