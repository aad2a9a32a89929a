import { NotFoundError, ValidationError } from "@pe-pay/core";
import type { Executor, Row, Tx } from "./database";
import { json, optString } from "./sql-helpers";

export type CreditNotePolicy = "series" | "manual";

export interface TenantSettings {
  tenantId: string;
  validityHours: number;
  enabledChannels: string[];
  creditNotePolicy: CreditNotePolicy;
  creditNoteSeries: string | null;
  creditNoteNextNumber: number;
  updatedAt: Date;
}

export type SettingsPatch = Partial<
  Pick<
    TenantSettings,
    | "validityHours"
    | "enabledChannels"
    | "creditNotePolicy"
    | "creditNoteSeries"
    | "creditNoteNextNumber"
  >
>;

export function mapSettings(r: Row): TenantSettings {
  return {
    tenantId: String(r.tenant_id),
    validityHours: Number(r.validity_hours),
    enabledChannels: r.enabled_channels as string[],
    creditNotePolicy: r.credit_note_policy as CreditNotePolicy,
    creditNoteSeries: optString(r.credit_note_series),
    creditNoteNextNumber: Number(r.credit_note_next_number),
    updatedAt: r.updated_at as Date,
  };
}

export async function getSettings(q: Executor, tenantId: string): Promise<TenantSettings> {
  const { rows } = await q.query("SELECT * FROM tenant_settings WHERE tenant_id = $1", [tenantId]);
  if (!rows[0]) throw new NotFoundError("tenant settings not found");
  return mapSettings(rows[0]);
}

const SERIES = /^[FB][A-Z0-9]{3}$/;

export async function updateSettings(
  q: Executor,
  tenantId: string,
  patch: SettingsPatch,
): Promise<TenantSettings> {
  const issues = [];
  if (
    patch.validityHours !== undefined &&
    (!Number.isInteger(patch.validityHours) || patch.validityHours < 1 || patch.validityHours > 720)
  ) {
    issues.push({
      field: "validityHours",
      code: "out_of_range",
      message: "between 1 and 720 hours",
    });
  }
  if (typeof patch.creditNoteSeries === "string" && !SERIES.test(patch.creditNoteSeries)) {
    issues.push({
      field: "creditNoteSeries",
      code: "invalid_format",
      message: 'a SUNAT series such as "F001" or "B001"',
    });
  }
  if (
    patch.creditNoteNextNumber !== undefined &&
    (!Number.isInteger(patch.creditNoteNextNumber) ||
      patch.creditNoteNextNumber < 1 ||
      patch.creditNoteNextNumber > 99_999_999)
  ) {
    issues.push({
      field: "creditNoteNextNumber",
      code: "out_of_range",
      message: "between 1 and 99999999",
    });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  const columns: Record<string, [string, (v: never) => unknown]> = {
    validityHours: ["validity_hours", (v: number) => v],
    enabledChannels: ["enabled_channels", (v: string[]) => json(v)],
    creditNotePolicy: ["credit_note_policy", (v: string) => v],
    creditNoteSeries: ["credit_note_series", (v: string | null) => v],
    creditNoteNextNumber: ["credit_note_next_number", (v: number) => v],
  };
  const sets = ["updated_at = now()"];
  const params: unknown[] = [tenantId];
  for (const [key, value] of Object.entries(patch)) {
    const c = columns[key];
    if (!c || value === undefined) continue;
    params.push(c[1](value as never));
    sets.push(`${c[0]} = $${params.length}`);
  }
  try {
    const { rows } = await q.query(
      `UPDATE tenant_settings SET ${sets.join(", ")} WHERE tenant_id = $1 RETURNING *`,
      params,
    );
    if (!rows[0]) throw new NotFoundError("tenant settings not found");
    return mapSettings(rows[0]);
  } catch (e) {
    if ((e as { code?: string }).code === "23514") {
      throw new ValidationError([
        {
          field: "creditNoteSeries",
          code: "required",
          message: "the 'series' policy needs a credit-note series",
        },
      ]);
    }
    throw e;
  }
}

/**
 * Takes the next SUNAT credit-note number of the tenant's series, e.g. "F001-00000042".
 * A single UPDATE … RETURNING: the row lock serialises concurrent refunds, and because it runs
 * inside the caller's transaction a rollback gives the number back (no gaps, unlike a sequence).
 * Returns null under the 'manual' policy: the refund waits for a number entered by a person.
 */
export async function allocateCreditNote(tx: Tx, tenantId: string): Promise<string | null> {
  const { rows } = await tx.query<{ series: string; number: number }>(
    `UPDATE tenant_settings
     SET credit_note_next_number = credit_note_next_number + 1, updated_at = now()
     WHERE tenant_id = $1 AND credit_note_policy = 'series'
     RETURNING credit_note_series AS series, credit_note_next_number - 1 AS number`,
    [tenantId],
  );
  const r = rows[0];
  if (!r) return null;
  return `${r.series}-${String(r.number).padStart(8, "0")}`;
}
