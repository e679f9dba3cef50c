import fc from 'fast-check';
import {
  computeBalances,
  computeStatus,
  sameBalances,
  toStored,
  type CreditItem,
  type OpenItem,
} from './balance-computation';

const currency = fc.constantFrom('CNY', 'USD', 'JPY');
const minor = fc.bigInt({ min: -10_000_000n, max: 10_000_000n });
const item: fc.Arbitrary<OpenItem> = fc.record({
  currency,
  openMinor: minor,
  overdue: fc.boolean(),
  void: fc.boolean(),
});
const credit: fc.Arbitrary<CreditItem> = fc.record({ currency, amountMinor: minor });

const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);

describe('computeBalances', () => {
  it('outstanding = sum of open amounts of non-void items - unapplied credit, per currency', () => {
    fc.assert(
      fc.property(fc.array(item), fc.array(credit), (items, credits) => {
        for (const b of computeBalances(items, credits)) {
          const open = sum(items.filter((i) => i.currency === b.currency && !i.void).map((i) => i.openMinor));
          const credited = sum(credits.filter((c) => c.currency === b.currency).map((c) => c.amountMinor));
          expect(b.unappliedMinor).toBe(credited > 0n ? credited : 0n);
          expect(b.outstandingMinor).toBe(open - b.unappliedMinor);
        }
      }),
    );
  });

  it('overdue = sum of open amounts of non-void overdue items, before credit', () => {
    fc.assert(
      fc.property(fc.array(item), fc.array(credit), (items, credits) => {
        for (const b of computeBalances(items, credits)) {
          const overdue = items.filter((i) => i.currency === b.currency && i.overdue && !i.void);
          expect(b.overdueMinor).toBe(sum(overdue.map((i) => i.openMinor)));
        }
      }),
    );
  });

  it('has one entry per currency with activity, ordered by code, never mixing currencies', () => {
    fc.assert(
      fc.property(fc.array(item), fc.array(credit), (items, credits) => {
        const balances = computeBalances(items, credits);
        const expected = [...new Set([...items, ...credits].map((x) => x.currency))].sort();
        expect(balances.map((b) => b.currency)).toEqual(expected);
      }),
    );
  });

  it('does not depend on the order events arrived in', () => {
    fc.assert(
      fc.property(
        fc
          .array(item)
          .chain((items) =>
            fc.tuple(fc.constant(items), fc.shuffledSubarray(items, { minLength: items.length })),
          ),
        fc.array(credit),
        ([items, shuffled], credits) => {
          expect(computeBalances(shuffled, [...credits].reverse())).toEqual(computeBalances(items, credits));
          expect(computeStatus(shuffled)).toBe(computeStatus(items));
        },
      ),
    );
  });

  it('works the flow of the design: issued 100, paid 100 unapplied, then applied', () => {
    const issued: OpenItem = { currency: 'CNY', openMinor: 10_000n, overdue: false, void: false };
    expect(computeBalances([issued], [])).toEqual([
      { currency: 'CNY', outstandingMinor: 10_000n, overdueMinor: 0n, unappliedMinor: 0n },
    ]);
    expect(computeBalances([{ ...issued, openMinor: 0n }], [{ currency: 'CNY', amountMinor: 0n }])).toEqual([
      { currency: 'CNY', outstandingMinor: 0n, overdueMinor: 0n, unappliedMinor: 0n },
    ]);
    // 150 received against 100 open: 50 credit, outstanding -50 (the customer is in credit).
    expect(
      computeBalances([{ ...issued, openMinor: 0n }], [{ currency: 'CNY', amountMinor: 5_000n }]),
    ).toEqual([{ currency: 'CNY', outstandingMinor: -5_000n, overdueMinor: 0n, unappliedMinor: 5_000n }]);
  });

  it('floors unapplied credit at zero when a refund is seen before its payment', () => {
    expect(computeBalances([], [{ currency: 'USD', amountMinor: -2_000n }])).toEqual([
      { currency: 'USD', outstandingMinor: 0n, overdueMinor: 0n, unappliedMinor: 0n },
    ]);
  });

  it('stores minor units as strings and compares regardless of order', () => {
    const stored = toStored(
      computeBalances([{ currency: 'CNY', openMinor: 5n, overdue: true, void: false }], []),
    );
    expect(stored).toEqual([{ currency: 'CNY', outstanding: '5', overdue: '5', unapplied: '0' }]);
    const two = [...stored, { currency: 'AUD', outstanding: '1', overdue: '0', unapplied: '0' }];
    expect(sameBalances(two, [...two].reverse())).toBe(true);
    expect(sameBalances(stored, [{ ...stored[0]!, unapplied: '1' }])).toBe(false);
    expect(sameBalances([], stored)).toBe(false);
  });
});

describe('computeStatus', () => {
  it('is OVERDUE iff a non-void overdue item has an open amount > 0', () => {
    fc.assert(
      fc.property(fc.array(item), (items) => {
        const overdue = items.some((i) => !i.void && i.overdue && i.openMinor > 0n);
        expect(computeStatus(items) === 'overdue').toBe(overdue);
      }),
    );
  });

  it('is UNPAID iff not overdue and a non-void item has an open amount > 0', () => {
    fc.assert(
      fc.property(fc.array(item), (items) => {
        const status = computeStatus(items);
        const open = items.some((i) => !i.void && i.openMinor > 0n);
        if (status !== 'overdue') expect(status === 'unpaid').toBe(open);
      }),
    );
  });

  it('is PAID with no invoices, with only paid, void or credit-note items', () => {
    expect(computeStatus([])).toBe('paid');
    expect(
      computeStatus([
        { currency: 'CNY', openMinor: 0n, overdue: false, void: false },
        { currency: 'CNY', openMinor: 9_999n, overdue: true, void: true },
        { currency: 'CNY', openMinor: -500n, overdue: false, void: false },
      ]),
    ).toBe('paid');
  });

  it('agrees with the status of items aggregated by (currency, overdue, void, open > 0)', () => {
    fc.assert(
      fc.property(fc.array(item), (items) => {
        const groups = new Map<string, OpenItem>();
        for (const i of items) {
          const key = `${i.currency}|${i.overdue}|${i.void}|${i.openMinor > 0n}`;
          const g = groups.get(key);
          groups.set(key, g ? { ...g, openMinor: g.openMinor + i.openMinor } : { ...i });
        }
        const aggregated = [...groups.values()];
        expect(computeStatus(aggregated)).toBe(computeStatus(items));
        expect(computeBalances(aggregated, [])).toEqual(computeBalances(items, []));
      }),
    );
  });
});
