import type { AlertRecord } from "../db/alerts";
import { describeAlert, PLATFORM_REAUTHORIZATION_ALERT } from "./merchant-alerts";

const alert = (kind: string, detail: unknown = {}): AlertRecord => ({
  id: 1,
  tenantId: "00000000-0000-4000-8000-000000000001",
  kind,
  key: "",
  detail,
  occurrences: 1,
  createdAt: new Date("2026-11-25T15:00:00Z"),
  lastSeenAt: new Date("2026-11-25T15:00:00Z"),
  resolvedAt: null,
});

const KINDS: [string, unknown][] = [
  ["refund_rate", { day: "2026-11-25", refunds: 3, payments: 20 }],
  ["signature_failure", { count: 2 }],
  ["dead_letter", { kind: "voucher.paid", error: "HTTP 503" }],
  ["attention_item", { kind: "paid_twice" }],
  ["credit_note_missing", { currency: "PEN", amountMinor: 9330 }],
  [PLATFORM_REAUTHORIZATION_ALERT, {}],
];

describe("describeAlert", () => {
  it.each(KINDS)("%s says what happened and what to do, in Spanish and English", (kind, d) => {
    const a = describeAlert(alert(kind, d));
    for (const text of [a.title, a.message, a.action]) {
      expect(text.es.length).toBeGreaterThan(3);
      expect(text.en.length).toBeGreaterThan(3);
      // Merchant copy addresses the merchant as usted.
      expect(text.es).not.toMatch(/\b(tu|tus|revisa|puedes|ingresa|emite|actualiza|abre)\b/i);
    }
    expect(a.title.es).not.toBe("Aviso");
  });

  it("a store that refused the app's authorization is critical and says how to authorize again", () => {
    const a = describeAlert(alert(PLATFORM_REAUTHORIZATION_ALERT));
    expect(a.severity).toBe("critical");
    expect(a.action.es).toContain("autorizarla de nuevo");
    expect(a.action.en).toContain("authorize it again");
  });

  it("an unknown kind still gets a readable notice", () => {
    const a = describeAlert(alert("something_new"));
    expect(a.title).toEqual({ es: "Aviso", en: "Notice" });
    expect(a.message.en).toContain("something_new");
  });
});
