import { describeAlert } from "@pe-pay/engine";
import { alertCopy } from "./alert-copy";

const at = new Date("2026-03-14T15:00:00Z");
const alert = (kind: string, detail: Record<string, unknown>) =>
  describeAlert({
    id: 1,
    tenantId: "t",
    kind,
    key: "k",
    detail,
    occurrences: 2,
    createdAt: at,
    lastSeenAt: at,
    resolvedAt: null,
  });

const cases = [
  alert("refund_rate", { day: "2026-03-14", payments: 10, refunds: 2, refundedMinor: 5000 }),
  alert("signature_failure", { day: "2026-03-14", count: 3 }),
  alert("dead_letter", {
    outboxId: 9,
    kind: "voucher.paid",
    error: "WooCommerce GET order failed",
  }),
  ...[
    "paid_after_expiry",
    "paid_after_cancellation",
    "paid_twice",
    "amount_mismatch",
    "refund_outcome_conflict",
    "refund_unrecorded",
  ].map((k) => alert("attention_item", { attentionKind: k, count: 1 })),
  alert("credit_note_missing", { refundId: "r", amountMinor: 2000, currency: "PEN" }),
];

// Second-person tú forms (verbs and possessives) that usted copy never uses.
const TU =
  /\b(tu|tus|puedes|revisa|comprueba|actualiza|reintenta|devuelve|devuélvelo|emite|ingresa|avisa|reactiva|entregues|márcalo)\b/i;

describe("alert copy on the bridge's admin page", () => {
  test.each(cases.map((c) => [`${c.kind} ${String(c.detail.attentionKind ?? "")}`, c] as const))(
    "%s is in usted and speaks of WooCommerce, not an app",
    (_name, a) => {
      const copy = alertCopy(a);
      for (const text of [copy.title, copy.message, copy.action]) {
        expect(text.length).toBeGreaterThan(10);
        expect(text).not.toMatch(TU);
        expect(text).not.toMatch(/\bla app\b/i);
      }
    },
  );

  test("details are carried over: counts, Lima day, amount, the update that failed", () => {
    expect(alertCopy(cases[0]!).message).toContain("2 reembolsos para 10 pagos (20 %)");
    expect(alertCopy(cases[2]!).message).toContain("«pedido pagado»");
    expect(alertCopy(cases.at(-1)!).message).toContain("S/ 20.00");
  });

  test("a kind the bridge does not know keeps the engine's text", () => {
    const other = alert("something_new", {});
    expect(alertCopy(other)).toEqual({
      title: other.title.es,
      message: other.message.es,
      action: other.action.es,
    });
  });
});
