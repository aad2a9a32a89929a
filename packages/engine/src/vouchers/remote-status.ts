import {
  mapCipSearchStatus,
  PagoEfectivoConflictError,
  PagoEfectivoNotFoundError,
  PagoEfectivoRejectedError,
  toLimaIso,
  type CipRemoteStatus,
  type CipStatus,
} from "@pe-pay/core";

/** core's mapping reads the wire's date strings; the client hands us Dates (null = absent). */
export function remoteStatus(item: CipStatus, now: Date): CipRemoteStatus {
  const iso = (d: Date | null) => (d ? toLimaIso(d) : null);
  return mapCipSearchStatus(
    {
      status: item.status,
      statusName: item.statusName,
      dateExpiry: iso(item.dateExpiry),
      datePayment: iso(item.datePayment),
      dateRemoval: iso(item.dateRemoval),
    },
    now,
  );
}

/**
 * A definite refusal of `DELETE /v1/cips/{cip}` (paid, already removed, unknown…). PagoEfectivo
 * does not publish its refusal codes, so the caller never trusts the code: it searches the CIP
 * and decides from its status.
 */
export function isDeleteRefusal(e: unknown): boolean {
  return (
    e instanceof PagoEfectivoConflictError ||
    e instanceof PagoEfectivoRejectedError ||
    e instanceof PagoEfectivoNotFoundError ||
    (e as { name?: string } | null)?.name === "PagoEfectivoValidationError"
  );
}

export async function searchAll(
  client: { searchCips(cips: readonly string[]): Promise<CipStatus[]> },
  cips: readonly string[],
): Promise<Map<string, CipStatus>> {
  const out = new Map<string, CipStatus>();
  for (let i = 0; i < cips.length; i += 100) {
    for (const item of await client.searchCips(cips.slice(i, i + 100))) out.set(item.cip, item);
  }
  return out;
}
