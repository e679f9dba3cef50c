import fc from 'fast-check';
import { ledgerOf, statusOf, type LedgerAllocation } from './payment-ledger';

/**
 * Properties of a payment's money (issue 18): for any allocations, rejections, reversals and
 * refunds that ledgerOf accepts, amount = applied + unapplied + refunded with nothing negative, a
 * reversed payment holds nothing, and statusOf names what the sums say. Fixed seed, so a failure
 * replays; fast-check prints the seed and the shrunk counterexample.
 */
const SEED = 18_2026;
const RUNS = 400;
const params = { seed: SEED, numRuns: RUNS };

const MAX_MINOR = 10n ** 12n;

/** An allocation as stored: invoicing may have rejected part or all of it, a reversal may have undone it. */
const allocationArb: fc.Arbitrary<LedgerAllocation> = fc
  .tuple(fc.bigInt({ min: 1n, max: MAX_MINOR }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean())
  .map(([applied, rejectedShare, reversed]) => ({
    appliedMinor: applied,
    // Often none, sometimes all, otherwise a part of it.
    rejectedMinor:
      rejectedShare < 0.5
        ? 0n
        : rejectedShare > 0.9
          ? applied
          : (applied * BigInt(Math.round(rejectedShare * 100))) / 100n,
    reversed,
  }));

const inEffect = (allocations: readonly LedgerAllocation[]) =>
  allocations.reduce((sum, a) => (a.reversed ? sum : sum + a.appliedMinor - a.rejectedMinor), 0n);

/**
 * A payment ledgerOf must accept: allocations in effect and refunds that fit in the amount, with
 * some slack (unapplied credit) that is sometimes exactly zero.
 */
const consistentArb = fc
  .record({
    allocations: fc.array(allocationArb, { maxLength: 6 }),
    slack: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: MAX_MINOR })),
    refundShare: fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
    extraRefund: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: MAX_MINOR })),
  })
  .map(({ allocations, slack, refundShare, extraRefund }) => {
    // Refunds were paid out of credit: some of the slack, plus credit that is gone entirely.
    const refundedOfSlack = (slack * BigInt(Math.round(refundShare * 1000))) / 1000n;
    const refunded = extraRefund + refundedOfSlack;
    return { amount: inEffect(allocations) + refunded + (slack - refundedOfSlack), allocations, refunded };
  })
  .filter(({ amount }) => amount > 0n);

describe('payment ledger properties', () => {
  it('amount = applied + unapplied + refunded, nothing negative, for every payment it accepts', () => {
    fc.assert(
      fc.property(consistentArb, ({ amount, allocations, refunded }) => {
        const ledger = ledgerOf(amount, allocations, refunded, false);
        expect(ledger.amountMinor).toBe(amount);
        expect(ledger.appliedMinor + ledger.unappliedMinor + ledger.refundedMinor).toBe(amount);
        expect(ledger.appliedMinor).toBe(inEffect(allocations));
        expect(ledger.refundedMinor).toBe(refunded);
        expect(ledger.appliedMinor >= 0n && ledger.unappliedMinor >= 0n && ledger.refundedMinor >= 0n).toBe(
          true,
        );
      }),
      params,
    );
  });

  it('reversed allocations and rejected parts do not count, in any order', () => {
    fc.assert(
      fc.property(
        consistentArb.chain((payment) =>
          fc.tuple(
            fc.constant(payment),
            fc.shuffledSubarray(payment.allocations, {
              minLength: payment.allocations.length,
              maxLength: payment.allocations.length,
            }),
          ),
        ),
        ([{ amount, allocations, refunded }, shuffled]) => {
          const ledger = ledgerOf(amount, allocations, refunded, false);
          expect(ledgerOf(amount, shuffled, refunded, false)).toEqual(ledger);
          // Reversing every allocation frees all of it as credit; rejecting all of one frees its part.
          const undone = ledgerOf(
            amount,
            allocations.map((a) => ({ ...a, reversed: true })),
            refunded,
            false,
          );
          expect(undone.appliedMinor).toBe(0n);
          expect(undone.unappliedMinor).toBe(amount - refunded);
          const rejected = ledgerOf(
            amount,
            allocations.map((a) => ({ ...a, rejectedMinor: a.appliedMinor })),
            refunded,
            false,
          );
          expect(rejected).toEqual(undone);
        },
      ),
      params,
    );
  });

  it('a reversed payment holds nothing: no applied, no credit, its refunds stay refunded', () => {
    fc.assert(
      fc.property(consistentArb, ({ amount, allocations, refunded }) => {
        const ledger = ledgerOf(amount, allocations, refunded, true);
        expect(ledger).toEqual({
          amountMinor: amount,
          appliedMinor: 0n,
          unappliedMinor: 0n,
          refundedMinor: refunded,
        });
        expect(statusOf(ledger, 'reversed')).toBe('reversed');
      }),
      params,
    );
  });

  it('throws when applied + refunded exceed the amount, by a new allocation or a refund', () => {
    fc.assert(
      fc.property(
        consistentArb,
        fc.bigInt({ min: 1n, max: MAX_MINOR }),
        fc.boolean(),
        ({ amount, allocations, refunded }, excess, onRefund) => {
          // The same payment with `excess` more applied (a new allocation) or refunded than it has.
          const ledger = ledgerOf(amount, allocations, refunded, false);
          const over = onRefund
            ? () => ledgerOf(amount, allocations, refunded + ledger.unappliedMinor + excess, false)
            : () =>
                ledgerOf(
                  amount,
                  [
                    ...allocations,
                    { appliedMinor: ledger.unappliedMinor + excess, rejectedMinor: 0n, reversed: false },
                  ],
                  refunded,
                  false,
                );
          expect(over).toThrow(/exceed/);
        },
      ),
      params,
    );
  });

  it('statusOf names what the sums say', () => {
    fc.assert(
      fc.property(consistentArb, ({ amount, allocations, refunded }) => {
        const ledger = ledgerOf(amount, allocations, refunded, false);
        const status = statusOf(ledger, 'decided');
        expect(status === 'applied').toBe(ledger.appliedMinor === amount);
        expect(status === 'partially_applied').toBe(ledger.appliedMinor > 0n && ledger.appliedMinor < amount);
        expect(status === 'refunded').toBe(
          ledger.appliedMinor === 0n && ledger.refundedMinor > 0n && ledger.unappliedMinor === 0n,
        );
        expect(status === 'received').toBe(
          ledger.appliedMinor === 0n && (ledger.unappliedMinor > 0n || ledger.refundedMinor === 0n),
        );
        // Decisions are not sums: they pass through whatever the money says.
        expect(statusOf(ledger, 'needs_review')).toBe('needs_review');
        expect(statusOf(ledger, 'reversed')).toBe('reversed');
      }),
      params,
    );
  });
});
