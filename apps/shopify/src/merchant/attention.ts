import {
  listOpenAlerts,
  listOpenAttentionItems,
  resolveAlert,
  resolveAttentionItem,
  type Database,
} from "@pe-pay/engine";

/** What the merchant did about an attention item, as offered on the "resolve" page. */
export const RESOLUTIONS = ["refunded", "fulfilled", "other"] as const;
export type ResolutionAction = (typeof RESOLUTIONS)[number];

/** A note, not a report: short enough to read in a list. */
export const NOTE_MAX = 200;

/** The form as typed, so a refused form comes back as it was sent. */
export interface ResolutionForm {
  resolution: string;
  note: string;
}

export interface ResolutionErrors {
  resolution?: "missing";
  note?: "required" | "too_long";
}

export type ParsedResolution =
  | { ok: true; action: ResolutionAction; note: string }
  | { ok: false; form: ResolutionForm; errors: ResolutionErrors };

/**
 * Reads the resolve form. The note is optional except for "other", which says nothing without
 * it; line breaks and control characters become spaces (it is shown on one line).
 */
export function parseResolution(body: Record<string, unknown> | undefined): ParsedResolution {
  const raw = (k: string) => (typeof body?.[k] === "string" ? (body[k] as string) : "");
  const resolution = raw("resolution").trim();
  const note = raw("note")
    // eslint-disable-next-line no-control-regex -- control characters are what is removed
    .replace(/[\u0000-\u001f\u007f\s]+/g, " ")
    .trim();
  const errors: ResolutionErrors = {};
  const action = (RESOLUTIONS as readonly string[]).includes(resolution)
    ? (resolution as ResolutionAction)
    : null;
  if (!action) errors.resolution = "missing";
  if ([...note].length > NOTE_MAX) errors.note = "too_long";
  else if (action === "other" && !note) errors.note = "required";
  if (!action || errors.note) return { ok: false, form: { resolution, note }, errors };
  return { ok: true, action, note };
}

export interface AttentionRow {
  id: number;
  kind: string;
  voucherId: string | null;
  detail: Record<string, unknown>;
  createdAt: Date;
  resolvedAt: Date | null;
}

/** One of this shop's attention items (null for another shop's id: nothing to learn). */
export async function findAttentionItem(
  db: Database,
  tenantId: string,
  id: number,
): Promise<AttentionRow | null> {
  const { rows } = await db.query<{
    id: number;
    kind: string;
    voucher_id: string | null;
    detail: unknown;
    created_at: Date;
    resolved_at: Date | null;
  }>(
    `SELECT id, kind, voucher_id, detail, created_at, resolved_at FROM attention_items
     WHERE id = $1 AND tenant_id = $2`,
    [id, tenantId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: Number(r.id),
    kind: String(r.kind),
    voucherId: r.voucher_id ? String(r.voucher_id) : null,
    detail: r.detail && typeof r.detail === "object" ? (r.detail as Record<string, unknown>) : {},
    createdAt: r.created_at,
    resolvedAt: r.resolved_at,
  };
}

export type ResolveOutcome = "resolved" | "already_resolved" | "not_found";

/**
 * Resolves the item with what the merchant did (kept as JSON in `attention_items.resolution`),
 * and the shop's alert for that kind once no open item of the kind is left: the payment path
 * raises one alert per kind (key = the kind) and nothing else would resolve it, since the app
 * does not run the engine's alert evaluation. `resolveAttentionItem` takes no tenant, so the
 * tenant check is the locked lookup here, in the same transaction.
 */
export async function resolveItem(
  db: Database,
  input: { tenantId: string; itemId: number; action: ResolutionAction; note: string; at: Date },
): Promise<ResolveOutcome> {
  const { tenantId, at } = input;
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ kind: string; resolved_at: Date | null }>(
      "SELECT kind, resolved_at FROM attention_items WHERE id = $1 AND tenant_id = $2 FOR UPDATE",
      [input.itemId, tenantId],
    );
    const row = rows[0];
    if (!row) return "not_found";
    if (row.resolved_at) return "already_resolved";
    const resolution = JSON.stringify({
      by: "merchant",
      action: input.action,
      ...(input.note ? { note: input.note } : {}),
    });
    if (!(await resolveAttentionItem(tx, input.itemId, { at, resolution }))) {
      return "already_resolved";
    }
    const kind = String(row.kind);
    const left = (await listOpenAttentionItems(tx, tenantId)).some((i) => i.kind === kind);
    if (!left) {
      for (const alert of await listOpenAlerts(tx, tenantId)) {
        if (alert.kind === "attention_item" && alert.key === kind) {
          await resolveAlert(tx, alert.id, at);
        }
      }
    }
    return "resolved";
  });
}
