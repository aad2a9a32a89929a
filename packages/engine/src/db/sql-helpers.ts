import type { Currency, Money } from "@pe-pay/core";
import type { Executor, Row } from "./database";

/** jsonb parameters are always sent as JSON text: pg would turn a JS array into a Postgres array. */
export function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function toMoney(minor: unknown, currency: unknown): Money {
  return { minor: Number(minor), currency: currency as Currency };
}

export function optDate(v: unknown): Date | null {
  return v === null || v === undefined ? null : (v as Date);
}

export function optString(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

export interface UpdateGuard {
  /** Only update while the row is in one of these statuses. */
  expectedStatus?: string | readonly string[];
  /** Only update while the row still has this version (optimistic check). */
  expectedVersion?: number;
}

export type ColumnMap = Record<string, (value: unknown) => Record<string, unknown>>;

/**
 * `UPDATE <table> SET … WHERE id = $1 [AND status = ANY(…)] [AND version = …] RETURNING *`.
 * The WHERE clause is the guard: a concurrent writer that got there first makes this update
 * match nothing, and the caller sees `null` instead of overwriting a newer state.
 */
export async function guardedUpdate(
  q: Executor,
  table: string,
  columns: ColumnMap,
  id: string | number,
  guard: UpdateGuard,
  patch: Record<string, unknown>,
  opts: { bumpVersion?: boolean; suffix?: string } = {},
): Promise<Row | null> {
  const params: unknown[] = [id];
  const sets: string[] = ["updated_at = now()"];
  if (opts.bumpVersion !== false) sets.push("version = version + 1");
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const toColumns = columns[key];
    if (!toColumns) throw new Error(`${table}: column ${key} cannot be updated`);
    for (const [column, v] of Object.entries(toColumns(value))) {
      params.push(v);
      sets.push(`${column} = $${params.length}`);
    }
  }
  const where = ["id = $1"];
  if (guard.expectedStatus !== undefined) {
    const statuses =
      typeof guard.expectedStatus === "string" ? [guard.expectedStatus] : guard.expectedStatus;
    params.push([...statuses]);
    where.push(`status = ANY($${params.length}::text[])`);
  }
  if (guard.expectedVersion !== undefined) {
    params.push(guard.expectedVersion);
    where.push(`version = $${params.length}`);
  }
  const sql = `UPDATE ${table} SET ${sets.join(", ")} WHERE ${where.join(" AND ")} RETURNING *`;
  const { rows } = await q.query(opts.suffix ? opts.suffix.replace("%UPDATE%", sql) : sql, params);
  return rows[0] ?? null;
}

export const col =
  (name: string) =>
  (value: unknown): Record<string, unknown> => ({ [name]: value });

export const jsonCol =
  (name: string) =>
  (value: unknown): Record<string, unknown> => ({ [name]: json(value) });

/** Milliseconds as a Postgres interval parameter (`$n::interval`). */
export function interval(ms: number): string {
  return `${Math.max(0, Math.round(ms))} milliseconds`;
}

/** Common options of every "claim a due batch" function. */
export interface ClaimOptionsBase {
  /** The caller's clock. */
  now: Date;
  limit: number;
  /** How long the claim keeps other instances away; after it, a crashed claim is retaken. */
  leaseMs: number;
}
