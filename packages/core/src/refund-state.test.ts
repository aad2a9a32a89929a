import fc from "fast-check";
import { InvalidTransitionError, ValidationError } from "./errors";
import type { Money } from "./money";
import type {
  RefundEvent,
  RefundRequestCheck,
  RefundState,
  RefundTransition,
} from "./refund-state";
import {
  REFUND_REFUSAL_REASONS,
  RefundOutcomeConflictError,
  RefundRefusedError,
  checkRefundRequest,
  initialRefundState,
  transitionRefund,
  validateCreditNoteNumber,
} from "./refund-state";

const PEN = (minor: number): Money => ({ minor, currency: "PEN" });
const DAY = 24 * 3600 * 1000;

function ok(t: RefundTransition): Extract<RefundTransition, { ok: true }> {
  if (!t.ok) throw new Error(`expected ok, got ${t.error.message}`);
  return t;
}
function run(events: RefundEvent[], start = initialRefundState(PEN(5000))): RefundState {
  return events.reduce((s, e) => ok(transitionRefund(s, e)).state, start);
}
const submitted = () => run([{ type: "submitted", refundId: "rf_1" }]);

describe("transitionRefund", () => {
  it("requested → submitted → succeeded, with the success effect once", () => {
    const s = submitted();
    expect(s).toMatchObject({ status: "submitted", refundId: "rf_1" });
    const t = ok(transitionRefund(s, { type: "completed" }));
    expect(t.state.status).toBe("succeeded");
    expect(t.effects).toEqual([{ type: "refund_succeeded", amount: PEN(5000), refundId: "rf_1" }]);
    expect(ok(transitionRefund(t.state, { type: "completed" }))).toEqual({
      ok: true,
      state: t.state,
      effects: [],
      duplicate: true,
    });
  });

  it("submitted → failed on rejection, keeping the reason code; repeats are no-ops", () => {
    const t = ok(transitionRefund(submitted(), { type: "rejected", reasonCode: "R01" }));
    expect(t.state).toMatchObject({
      status: "failed",
      failure: { kind: "rejected", reasonCode: "R01" },
    });
    expect(t.effects).toEqual([
      {
        type: "refund_failed",
        amount: PEN(5000),
        failure: { kind: "rejected", reasonCode: "R01" },
      },
    ]);
    const again = ok(transitionRefund(t.state, { type: "rejected" }));
    expect(again.duplicate).toBe(true);
    expect(again.state).toBe(t.state);
    expect(ok(transitionRefund(submitted(), { type: "rejected" })).state.failure).toEqual({
      kind: "rejected",
      reasonCode: null,
    });
  });

  it("conflicting terminal events are refused with a typed conflict", () => {
    const succeeded = run([{ type: "completed" }], submitted());
    const failed = run([{ type: "rejected" }], submitted());
    const a = transitionRefund(succeeded, { type: "rejected" });
    const b = transitionRefund(failed, { type: "completed" });
    expect(!a.ok && a.error).toBeInstanceOf(RefundOutcomeConflictError);
    expect(!b.ok && b.error).toBeInstanceOf(RefundOutcomeConflictError);
  });

  it("a retryable submission failure stays requested and counts attempts", () => {
    const a = ok(
      transitionRefund(initialRefundState(PEN(1)), { type: "submission_failed", retryable: true }),
    );
    expect(a.state).toMatchObject({ status: "requested", failedAttempts: 1 });
    expect(a.effects).toEqual([{ type: "retry_submission", attempt: 1 }]);
    const b = ok(transitionRefund(a.state, { type: "submission_failed", retryable: true }));
    expect(b.effects).toEqual([{ type: "retry_submission", attempt: 2 }]);
    expect(
      ok(transitionRefund(b.state, { type: "submitted", refundId: "rf_9" })).state.status,
    ).toBe("submitted");
  });

  it("a permanent submission failure fails the refund; late answers change nothing", () => {
    const t = ok(
      transitionRefund(initialRefundState(PEN(1)), { type: "submission_failed", retryable: false }),
    );
    expect(t.state).toMatchObject({ status: "failed", failure: { kind: "submission_failed" } });
    expect(t.effects.map((e) => e.type)).toEqual(["refund_failed"]);
    expect(
      ok(transitionRefund(t.state, { type: "submission_failed", retryable: true })).duplicate,
    ).toBe(true);
  });

  it("refuses outcomes before submission and a second refundId", () => {
    for (const e of [{ type: "completed" }, { type: "rejected" }] as RefundEvent[]) {
      const t = transitionRefund(initialRefundState(PEN(1)), e);
      expect(!t.ok && t.error).toBeInstanceOf(InvalidTransitionError);
    }
    expect(
      ok(transitionRefund(submitted(), { type: "submitted", refundId: "rf_1" })).duplicate,
    ).toBe(true);
    expect(transitionRefund(submitted(), { type: "submitted", refundId: "rf_2" }).ok).toBe(false);
    expect(
      transitionRefund(initialRefundState(PEN(1)), { type: "submitted", refundId: "" }).ok,
    ).toBe(false);
    expect(transitionRefund(submitted(), { type: "submission_failed", retryable: true }).ok).toBe(
      false,
    );
  });

  it("property: terminal states never change and effects fire at most once", () => {
    const eventArb: fc.Arbitrary<RefundEvent> = fc.oneof(
      fc.record({ type: fc.constant("submitted" as const), refundId: fc.constantFrom("a", "b") }),
      fc.constant({ type: "completed" as const }),
      fc.record({ type: fc.constant("rejected" as const), reasonCode: fc.constantFrom("X", "Y") }),
      fc.record({ type: fc.constant("submission_failed" as const), retryable: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 20 }), (events) => {
        let s = initialRefundState(PEN(100));
        let outcomes = 0;
        for (const e of events) {
          const t = transitionRefund(s, e);
          if (!t.ok) continue;
          if (s.status === "succeeded" || s.status === "failed") expect(t.state).toBe(s);
          outcomes += t.effects.filter((x) => x.type !== "retry_submission").length;
          s = t.state;
        }
        expect(outcomes).toBeLessThanOrEqual(1);
        expect(outcomes === 1).toBe(s.status === "succeeded" || s.status === "failed");
      }),
      { numRuns: 300 },
    );
  });
});

describe("checkRefundRequest", () => {
  const paidAt = new Date("2026-01-10T15:00:00Z");
  const base: RefundRequestCheck = {
    paid: PEN(15050),
    paidAt,
    alreadyRefundedOrPending: 0,
    requested: PEN(5000),
    now: new Date(paidAt.getTime() + DAY),
  };
  const reason = (input: Partial<RefundRequestCheck>) => {
    const r = checkRefundRequest({ ...base, ...input });
    return r.ok ? "ok" : r.error.reason;
  };

  it("accepts a partial refund and reports what is left", () => {
    expect(checkRefundRequest(base)).toEqual({ ok: true, refundableAfterMinor: 10050 });
  });

  it("enforces the cumulative rule, counting in-flight refunds", () => {
    expect(reason({ alreadyRefundedOrPending: 10050, requested: PEN(5000) })).toBe("ok");
    expect(reason({ alreadyRefundedOrPending: 10051, requested: PEN(5000) })).toBe("above_balance");
    expect(reason({ requested: PEN(15050) })).toBe("ok");
    expect(reason({ requested: PEN(15051) })).toBe("above_balance");
  });

  it("the 90-day window is 90 × 24 h from payment, inclusive", () => {
    expect(reason({ now: new Date(paidAt.getTime() + 90 * DAY) })).toBe("ok");
    expect(reason({ now: new Date(paidAt.getTime() + 90 * DAY + 1) })).toBe("window_elapsed");
    expect(reason({ now: new Date(paidAt.getTime() + 8 * DAY), windowDays: 7 })).toBe(
      "window_elapsed",
    );
  });

  it("refuses a payment made in another PagoEfectivo environment than the store's now", () => {
    const moved = { environment: { payment: "sandbox", current: "production" } };
    expect(reason(moved)).toBe("environment_changed");
    expect(reason({ environment: { payment: "production", current: "sandbox" } })).toBe(
      "environment_changed",
    );
    expect(reason({ environment: { payment: "production", current: "production" } })).toBe("ok");
    // Nothing to refund is said first: the environment matters only for a real payment.
    expect(reason({ ...moved, paid: null })).toBe("not_paid");
  });

  it("refuses unpaid, other currency and invalid amounts", () => {
    expect(reason({ paid: null })).toBe("not_paid");
    expect(reason({ paidAt: undefined })).toBe("not_paid");
    expect(reason({ paid: PEN(0) })).toBe("not_paid");
    expect(reason({ requested: { minor: 5000, currency: "USD" } })).toBe("currency_mismatch");
    expect(reason({ requested: PEN(0) })).toBe("invalid_amount");
    expect(reason({ requested: PEN(1.5) })).toBe("invalid_amount");
    expect(reason({ alreadyRefundedOrPending: -1 })).toBe("invalid_amount");
  });

  it.each(REFUND_REFUSAL_REASONS)("%s carries es/en merchant messages", (r) => {
    const inputs: Record<string, Partial<RefundRequestCheck>> = {
      not_paid: { paid: null },
      currency_mismatch: { requested: { minor: 1, currency: "USD" } },
      above_balance: { requested: PEN(99999) },
      window_elapsed: { now: new Date(paidAt.getTime() + 200 * DAY) },
      invalid_amount: { requested: PEN(0) },
      environment_changed: { environment: { payment: "sandbox", current: "production" } },
    };
    const res = checkRefundRequest({ ...base, ...inputs[r] });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error).toBeInstanceOf(RefundRefusedError);
    expect(res.error.reason).toBe(r);
    expect(res.error.messages.es.length).toBeGreaterThan(20);
    expect(res.error.messages.en.length).toBeGreaterThan(20);
    expect(res.error.merchantMessage).toBe(res.error.messages.es);
    expect(res.error.toJSON()).toMatchObject({ code: "refund_refused", reason: r });
  });

  it("states the refundable balance exactly in the above_balance message", () => {
    const r = checkRefundRequest({
      ...base,
      alreadyRefundedOrPending: 5000,
      requested: PEN(99999),
    });
    expect(!r.ok && r.error.messages.en).toContain("PEN 100.50");
  });

  it("throws only for bad configuration", () => {
    expect(() => checkRefundRequest({ ...base, windowDays: -1 })).toThrow(RangeError);
    expect(() => checkRefundRequest({ ...base, now: new Date("x") })).toThrow(RangeError);
  });

  it("property: accepted refunds never push the total above the paid amount", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100000 }),
        fc.array(fc.integer({ min: 1, max: 40000 }), { maxLength: 10 }),
        (paid, asks) => {
          let used = 0;
          for (const ask of asks) {
            const r = checkRefundRequest({
              ...base,
              paid: PEN(paid),
              alreadyRefundedOrPending: used,
              requested: PEN(ask),
            });
            if (r.ok) used += ask;
            expect(used).toBeLessThanOrEqual(paid);
          }
        },
      ),
    );
  });
});

describe("validateCreditNoteNumber", () => {
  it.each([
    ["FC01-00000123", "FC01-00000123", "FC01", 123],
    ["F001-00000001", "F001-00000001", "F001", 1],
    ["B001-123", "B001-123", "B001", 123],
    ["  fc01-99999999 ", "FC01-99999999", "FC01", 99999999],
    ["BA1Z-7", "BA1Z-7", "BA1Z", 7],
  ])("accepts %j", (text, value, series, number) => {
    expect(validateCreditNoteNumber(text)).toEqual({ ok: true, value: { value, series, number } });
  });

  it.each([
    "",
    "   ",
    "E001-00000123",
    "F01-00000123",
    "F0001-00000123",
    "F001-000000123",
    "F001-",
    "F001-00000000",
    "F001 00000123",
    "F001-12a",
    "F-01-123",
    "F001-１２３",
  ])("rejects %j with a field error", (text) => {
    const r = validateCreditNoteNumber(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(ValidationError);
    expect(r.error.issues[0]?.field).toBe("invoiceNumber");
  });

  it("rejects non-strings", () => {
    expect(validateCreditNoteNumber(undefined).ok).toBe(false);
    expect(validateCreditNoteNumber(123).ok).toBe(false);
  });
});
