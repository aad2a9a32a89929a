import fc from "fast-check";
import { InvalidTransitionError } from "./errors";
import type { Money } from "./money";
import type {
  AttentionKind,
  VoucherEffect,
  VoucherEvent,
  VoucherState,
  VoucherTransition,
} from "./voucher-state";
import {
  ATTENTION_KINDS,
  PaymentConflictError,
  VoucherRefundRefusedError,
  describeAttention,
  initialVoucherState,
  openAttention,
  refundableBalance,
  transitionVoucher,
} from "./voucher-state";

const PEN = (minor: number): Money => ({ minor, currency: "PEN" });
const USD = (minor: number): Money => ({ minor, currency: "USD" });
const EXPIRES = new Date("2026-11-24T15:15:30Z");
const PAID_AT = new Date("2026-11-23T15:00:00Z");

function pay(
  over: Partial<Extract<VoucherEvent, { type: "payment_received" }>> = {},
): VoucherEvent {
  return {
    type: "payment_received",
    cip: "2495383",
    amount: PEN(15050),
    paidAt: PAID_AT,
    operationNumber: "op-1",
    ...over,
  };
}

function ok(t: VoucherTransition): Extract<VoucherTransition, { ok: true }> {
  if (!t.ok) throw new Error(`expected ok, got ${t.error.message}`);
  return t;
}

function run(events: VoucherEvent[], start = initialVoucherState(PEN(15050))): VoucherState {
  return events.reduce((s, e) => ok(transitionVoucher(s, e)).state, start);
}

const pending = () => run([{ type: "cip_created", cip: "2495383", expiresAt: EXPIRES }]);
const paid = () => run([pay()], pending());

describe("voucher: creation and payment", () => {
  it("starts created with nothing recorded", () => {
    const s = initialVoucherState(PEN(15050));
    expect(s).toMatchObject({ status: "created", cips: [], payment: null, attention: [] });
    expect(refundableBalance(s)).toEqual(PEN(0));
  });

  it("cip_created moves created → pending and asks for the pending callback", () => {
    const t = ok(
      transitionVoucher(initialVoucherState(PEN(15050)), {
        type: "cip_created",
        cip: "2495383",
        expiresAt: EXPIRES,
      }),
    );
    expect(t.state).toMatchObject({ status: "pending", cips: ["2495383"], expiresAt: EXPIRES });
    expect(t.effects).toEqual([{ type: "order_pending", cip: "2495383", expiresAt: EXPIRES }]);
  });

  it("a repeated cip_created is a duplicate no-op", () => {
    const s = pending();
    const t = ok(transitionVoucher(s, { type: "cip_created", cip: "2495383", expiresAt: EXPIRES }));
    expect(t).toEqual({ ok: true, state: s, effects: [], duplicate: true });
  });

  it("records a second CIP (retried create) and keeps the later expiry", () => {
    const later = new Date(EXPIRES.getTime() + 3600_000);
    const s = run([{ type: "cip_created", cip: "2495999", expiresAt: later }], pending());
    expect(s.cips).toEqual(["2495383", "2495999"]);
    expect(s.expiresAt).toEqual(later);
    const back = run([{ type: "cip_created", cip: "2496000", expiresAt: EXPIRES }], s);
    expect(back.expiresAt).toEqual(later);
  });

  it("refuses cip_created once settled, and malformed cip_created", () => {
    const t = transitionVoucher(paid(), { type: "cip_created", cip: "999", expiresAt: EXPIRES });
    expect(t.ok).toBe(false);
    const bad = transitionVoucher(pending(), {
      type: "cip_created",
      cip: " ",
      expiresAt: new Date("nope"),
    });
    expect(!bad.ok && bad.error).toBeInstanceOf(InvalidTransitionError);
  });

  it("payment with the exact amount on pending → paid, with one order_paid effect", () => {
    const t = ok(transitionVoucher(pending(), pay()));
    expect(t.state.status).toBe("paid");
    expect(t.state.payment).toEqual({
      cip: "2495383",
      operationNumber: "op-1",
      amount: PEN(15050),
      paidAt: PAID_AT,
    });
    expect(t.effects).toEqual([
      { type: "order_paid", payment: t.state.payment, reinstated: false },
    ]);
    expect(t.duplicate).toBe(false);
  });

  it("payment on created (CIP response not yet recorded) is applied and the CIP learned", () => {
    const t = ok(transitionVoucher(initialVoucherState(PEN(15050)), pay()));
    expect(t.state.status).toBe("paid");
    expect(t.state.cips).toEqual(["2495383"]);
  });

  it("paying one of two CIPs asks to remove the other one", () => {
    const s = run([{ type: "cip_created", cip: "2495999", expiresAt: EXPIRES }], pending());
    const t = ok(transitionVoucher(s, pay({ cip: "2495999" })));
    expect(t.effects).toContainEqual({ type: "remove_cips", cips: ["2495383"] });
  });

  it("the same operation again is an idempotent duplicate with no effect", () => {
    const s = paid();
    const t = ok(transitionVoucher(s, pay({ paidAt: new Date("2026-11-23T16:00:00Z") })));
    expect(t).toEqual({ ok: true, state: s, effects: [], duplicate: true });
  });

  it("the same operation with another amount is a typed conflict, state untouched", () => {
    const t = transitionVoucher(paid(), pay({ amount: PEN(100) }));
    expect(t.ok).toBe(false);
    expect(!t.ok && t.error).toBeInstanceOf(PaymentConflictError);
  });

  it.each([
    ["amount", PEN(15049)],
    ["currency", USD(15050)],
  ])("a %s mismatch is not applied: the money goes to attention", (_what, amount) => {
    const t = ok(transitionVoucher(pending(), pay({ amount })));
    expect(t.state.status).toBe("pending");
    expect(t.state.payment).toBeNull();
    expect(t.state.attention).toEqual([
      { kind: "amount_mismatch", payment: expect.objectContaining({ amount }), refundedMinor: 0 },
    ]);
    expect(t.effects).toEqual([{ type: "attention_raised", attention: t.state.attention[0] }]);
    // ...and the duplicate of that notification is still a no-op.
    expect(ok(transitionVoucher(t.state, pay({ amount }))).duplicate).toBe(true);
  });

  it("a different payment while paid → attention paid_twice, status kept", () => {
    const t = ok(transitionVoucher(paid(), pay({ cip: "2495999", operationNumber: "op-2" })));
    expect(t.state.status).toBe("paid");
    expect(t.state.attention.map((a) => a.kind)).toEqual(["paid_twice"]);
    expect(t.effects.map((e) => e.type)).toEqual(["attention_raised"]);
  });

  it("siblingPaid (another attempt of the order is paid) → attention paid_twice", () => {
    const t = ok(transitionVoucher(pending(), pay({ siblingPaid: true })));
    expect(t.state.status).toBe("pending");
    expect(t.state.attention.map((a) => a.kind)).toEqual(["paid_twice"]);
  });

  it("a late payment while another attempt is paid is paid_twice, not reinstatable", () => {
    const s = run([{ type: "expired" }, pay({ siblingPaid: true })], pending());
    expect(s.attention.map((a) => a.kind)).toEqual(["paid_twice"]);
    const t = transitionVoucher(s, { type: "reinstated", cip: "2495383", operationNumber: "op-1" });
    expect(t.ok).toBe(false);
  });

  it.each([
    ["expired", "paid_after_expiry"],
    ["cancelled", "paid_after_cancellation"],
  ] as const)("payment on %s → attention %s, money recorded", (give, kind) => {
    const s = run([{ type: give }], pending());
    const t = ok(transitionVoucher(s, pay()));
    expect(t.state.status).toBe(give);
    expect(t.state.attention).toEqual([{ kind, payment: expect.any(Object), refundedMinor: 0 }]);
    expect(openAttention(t.state)).toHaveLength(1);
  });

  it("refuses malformed payments", () => {
    for (const bad of [pay({ operationNumber: "" }), pay({ amount: PEN(-1) }), pay({ cip: "" })]) {
      const t = transitionVoucher(pending(), bad);
      expect(!t.ok && t.error).toBeInstanceOf(InvalidTransitionError);
    }
  });
});

describe("voucher: expiry and cancellation", () => {
  it.each(["expired", "cancelled"] as const)("%s only from created/pending", (type) => {
    expect(ok(transitionVoucher(initialVoucherState(PEN(1)), { type })).state.status).toBe(type);
    const t = ok(transitionVoucher(pending(), { type }));
    expect(t.effects).toEqual([{ type: type === "expired" ? "order_expired" : "order_cancelled" }]);
    const refused = transitionVoucher(paid(), { type });
    expect(!refused.ok && refused.error).toBeInstanceOf(InvalidTransitionError);
  });

  it("repeating the same ending is a no-op; the other ending is refused", () => {
    const s = run([{ type: "expired" }], pending());
    expect(ok(transitionVoucher(s, { type: "expired" })).duplicate).toBe(true);
    expect(transitionVoucher(s, { type: "cancelled" }).ok).toBe(false);
  });
});

describe("voucher: reinstating a late payment", () => {
  it("moves the late payment from attention to applied payment", () => {
    const s = run([{ type: "expired" }, pay()], pending());
    const t = ok(
      transitionVoucher(s, { type: "reinstated", cip: "2495383", operationNumber: "op-1" }),
    );
    expect(t.state.status).toBe("paid");
    expect(t.state.attention).toEqual([]);
    expect(t.effects).toEqual([{ type: "order_paid", payment: t.state.payment, reinstated: true }]);
    const again = transitionVoucher(t.state, {
      type: "reinstated",
      cip: "2495383",
      operationNumber: "op-1",
    });
    expect(ok(again).duplicate).toBe(true);
  });

  it("refuses an unknown, mismatching or already refunded late payment", () => {
    const base = run([{ type: "cancelled" }], pending());
    const unknown = transitionVoucher(base, { type: "reinstated", cip: "1", operationNumber: "x" });
    expect(unknown.ok).toBe(false);
    const wrong = run([pay({ amount: PEN(1) })], base);
    expect(
      transitionVoucher(wrong, { type: "reinstated", cip: "2495383", operationNumber: "op-1" }).ok,
    ).toBe(false);
    const refunded = run(
      [pay(), { type: "refund_succeeded", amount: PEN(1), cip: "2495383" }],
      base,
    );
    expect(
      transitionVoucher(refunded, { type: "reinstated", cip: "2495383", operationNumber: "op-1" })
        .ok,
    ).toBe(false);
    expect(
      transitionVoucher(pending(), { type: "reinstated", cip: "2495383", operationNumber: "op-1" })
        .ok,
    ).toBe(false);
  });
});

describe("voucher: refunds", () => {
  it("partial then full refund by cumulative amount", () => {
    const a = ok(transitionVoucher(paid(), { type: "refund_succeeded", amount: PEN(5000) }));
    expect(a.state.status).toBe("partially_refunded");
    expect(refundableBalance(a.state)).toEqual(PEN(10050));
    expect(a.effects).toEqual([
      {
        type: "refund_recorded",
        amount: PEN(5000),
        cip: "2495383",
        target: "payment",
        fully: false,
      },
    ]);
    const b = ok(transitionVoucher(a.state, { type: "refund_succeeded", amount: PEN(10050) }));
    expect(b.state.status).toBe("refunded");
    expect(refundableBalance(b.state)).toEqual(PEN(0));
    expect(b.effects[0]).toMatchObject({ fully: true });
  });

  it("refuses above the balance, another currency, zero, and refunds of nothing", () => {
    const cases: [VoucherState, Money, string][] = [
      [paid(), PEN(15051), "above_balance"],
      [paid(), USD(100), "currency_mismatch"],
      [paid(), PEN(0), "invalid_amount"],
    ];
    for (const [s, amount, reason] of cases) {
      const t = transitionVoucher(s, { type: "refund_succeeded", amount });
      expect(!t.ok && t.error).toBeInstanceOf(VoucherRefundRefusedError);
      expect(!t.ok && (t.error as VoucherRefundRefusedError).reason).toBe(reason);
    }
    const full = run([{ type: "refund_succeeded", amount: PEN(15050) }], paid());
    expect(transitionVoucher(full, { type: "refund_succeeded", amount: PEN(1) }).ok).toBe(false);
    expect(transitionVoucher(pending(), { type: "refund_succeeded", amount: PEN(1) }).ok).toBe(
      false,
    );
  });

  it("a repeated refundId is a no-op; with other details it is refused", () => {
    const s = run([{ type: "refund_succeeded", amount: PEN(100), refundId: "rf_1" }], paid());
    const again = ok(
      transitionVoucher(s, { type: "refund_succeeded", amount: PEN(100), refundId: "rf_1" }),
    );
    expect(again).toEqual({ ok: true, state: s, effects: [], duplicate: true });
    const other = transitionVoucher(s, {
      type: "refund_succeeded",
      amount: PEN(200),
      refundId: "rf_1",
    });
    expect(!other.ok && (other.error as VoucherRefundRefusedError).reason).toBe("refund_conflict");
  });

  it("refunds an attention payment by CIP without touching the order's status", () => {
    const s = run([pay({ cip: "2495999", operationNumber: "op-2" })], paid());
    const t = ok(
      transitionVoucher(s, { type: "refund_succeeded", amount: PEN(15050), cip: "2495999" }),
    );
    expect(t.state.status).toBe("paid");
    expect(t.state.refundedMinor).toBe(0);
    expect(openAttention(t.state)).toEqual([]);
    expect(t.state.attention[0]?.refundedMinor).toBe(15050);
    expect(t.effects[0]).toMatchObject({ target: "attention", fully: true });
    const more = transitionVoucher(t.state, {
      type: "refund_succeeded",
      amount: PEN(1),
      cip: "2495999",
    });
    expect(!more.ok && (more.error as VoucherRefundRefusedError).reason).toBe("above_balance");
    const nobody = transitionVoucher(t.state, {
      type: "refund_succeeded",
      amount: PEN(1),
      cip: "42",
    });
    expect(!nobody.ok && (nobody.error as VoucherRefundRefusedError).reason).toBe(
      "unknown_payment",
    );
  });

  it("refunds a late payment on an expired voucher", () => {
    const s = run([{ type: "expired" }, pay()], pending());
    const t = ok(
      transitionVoucher(s, { type: "refund_succeeded", amount: PEN(15050), cip: "2495383" }),
    );
    expect(t.state.status).toBe("expired");
    expect(openAttention(t.state)).toEqual([]);
  });
});

describe("describeAttention", () => {
  it.each(ATTENTION_KINDS.flatMap((k) => [[k, "es"] as const, [k, "en"] as const]))(
    "%s in %s says what to do",
    (kind: AttentionKind, locale) => {
      const text = describeAttention(kind, locale);
      expect(text.length).toBeGreaterThan(40);
      expect(text).toMatch(locale === "es" ? /devu[eé]lva/i : /refund/i);
    },
  );
  it("offers reinstating only where it is possible", () => {
    expect(describeAttention("paid_after_expiry", "en")).toMatch(/reinstate/i);
    expect(describeAttention("paid_after_cancellation", "es")).toMatch(/reactive/i);
    expect(describeAttention("paid_twice", "en")).not.toMatch(/reinstate/i);
  });
});

/* ------------------------------------------------------------------------------------------ */
/* Property: invariants over random event sequences                                            */
/* ------------------------------------------------------------------------------------------ */

const EXPECTED = PEN(1000);
const moneyArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant(EXPECTED) },
  { weight: 1, arbitrary: fc.constant(PEN(999)) },
  { weight: 1, arbitrary: fc.constant(USD(1000)) },
);
const cipArb = fc.constantFrom("c1", "c2", "c3");
const eventArb: fc.Arbitrary<VoucherEvent> = fc.oneof(
  fc.record({
    type: fc.constant("cip_created" as const),
    cip: cipArb,
    expiresAt: fc.constant(EXPIRES),
  }),
  fc.record({
    type: fc.constant("payment_received" as const),
    cip: cipArb,
    amount: moneyArb,
    paidAt: fc.constant(PAID_AT),
    operationNumber: fc.constantFrom("o1", "o2", "o3"),
    siblingPaid: fc.boolean(),
  }),
  fc.constant({ type: "expired" as const }),
  fc.constant({ type: "cancelled" as const }),
  fc.record(
    {
      type: fc.constant("refund_succeeded" as const),
      amount: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(250, 500, 750, 1000).map(PEN) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 1200 }).map(PEN) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 500 }).map(USD) },
      ),
      refundId: fc.constantFrom("r1", "r2", "r3", "r4"),
      cip: cipArb,
    },
    { requiredKeys: ["type", "amount"] },
  ),
  fc.record({
    type: fc.constant("reinstated" as const),
    cip: cipArb,
    operationNumber: fc.constantFrom("o1", "o2", "o3"),
  }),
);

/** Every legal status change; anything else is a bug. */
const ALLOWED_MOVES = new Set([
  "created>pending",
  "created>paid",
  "created>expired",
  "created>cancelled",
  "pending>paid",
  "pending>expired",
  "pending>cancelled",
  "paid>partially_refunded",
  "paid>refunded",
  "partially_refunded>refunded",
  "expired>paid",
  "cancelled>paid",
]);

const key = (cip: string, op: string) => `${cip}/${op}`;

function recordedPayments(s: VoucherState) {
  return [...(s.payment ? [s.payment] : []), ...s.attention.map((a) => a.payment)];
}

describe("voucher: invariants (property)", () => {
  it("holds money, refunds, transitions and duplicates in line for any event sequence", () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 30 }), (events) => {
        let s = initialVoucherState(EXPECTED);
        const accepted = new Map<string, Money>();
        let orderPaidEffects = 0;
        for (const event of events) {
          const t = transitionVoucher(s, event);
          if (!t.ok) {
            // Refusals are typed, never thrown.
            expect(t.error).toBeInstanceOf(Error);
            continue;
          }
          const before = s;
          s = t.state;
          const effects: VoucherEffect[] = t.effects;

          if (t.duplicate) {
            expect(s).toBe(before);
            expect(effects).toEqual([]);
          }
          if (before.status !== s.status) {
            expect(ALLOWED_MOVES.has(`${before.status}>${s.status}`)).toBe(true);
          }
          if (before.status === "refunded") expect(s.status).toBe("refunded");
          if (event.type === "payment_received" && !t.duplicate) {
            accepted.set(key(event.cip, event.operationNumber), event.amount);
          }
          orderPaidEffects += effects.filter((e) => e.type === "order_paid").length;

          // Replaying the very same event immediately never has a second effect.
          if (event.type !== "refund_succeeded" || event.refundId !== undefined) {
            const replay = transitionVoucher(s, event);
            if (replay.ok) {
              expect(replay.effects).toEqual([]);
              expect(replay.state).toBe(s);
            }
          }

          // Money recorded never disappears: each accepted payment is applied or in attention,
          // exactly once and with its reported amount.
          const recorded = recordedPayments(s);
          expect(recorded).toHaveLength(accepted.size);
          for (const p of recorded) {
            expect(accepted.get(key(p.cip, p.operationNumber))).toEqual(p.amount);
          }
          // An applied payment always matches the order exactly; status says whether one exists.
          const settled = ["paid", "partially_refunded", "refunded"].includes(s.status);
          expect(s.payment !== null).toBe(settled);
          if (s.payment) expect(s.payment.amount).toEqual(EXPECTED);
          // Refunds never exceed what was paid, per payment.
          expect(s.refundedMinor).toBeGreaterThanOrEqual(0);
          expect(s.refundedMinor).toBeLessThanOrEqual(s.payment?.amount.minor ?? 0);
          for (const a of s.attention) {
            expect(a.refundedMinor).toBeLessThanOrEqual(a.payment.amount.minor);
          }
          if (s.status === "refunded") expect(refundableBalance(s).minor).toBe(0);
          if (s.status === "partially_refunded") {
            expect(s.refundedMinor).toBeGreaterThan(0);
            expect(refundableBalance(s).minor).toBeGreaterThan(0);
          }
          const refundLog = s.refunds.reduce((sum, r) => sum + r.amount.minor, 0);
          const refundedTotal =
            s.refundedMinor + s.attention.reduce((sum, a) => sum + a.refundedMinor, 0);
          expect(refundLog).toBe(refundedTotal);
        }
        // The order is marked paid at most once, whatever happens.
        expect(orderPaidEffects).toBeLessThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
  });
});
