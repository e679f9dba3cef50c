import fc from 'fast-check';
import { findCombination } from './amount-combinations';

const limits = { maxSize: 4, maxSteps: 100_000 };

describe('bounded subset-sum', () => {
  it('finds the fewest invoices, the oldest first among equals', () => {
    // 300 = [0]+[3] = [1]+[2] (two pairs), and = [0]+[1]+[4]; size 2 wins, the oldest pair first.
    const result = findCombination([100n, 120n, 180n, 200n, 80n], 300n, limits);
    expect(result.best).toEqual([0, 3]);
    expect(result.tie).toBe(true);
  });

  it('says when the combination is unique', () => {
    expect(findCombination([101n, 203n, 307n, 411n], 718n, limits)).toMatchObject({
      best: [2, 3],
      tie: false,
    });
  });

  it('finds nothing when nothing adds up, and leaves single items to the exact-amount rule', () => {
    expect(findCombination([100n, 200n], 150n, limits).best).toBeNull();
    expect(findCombination([100n, 200n], 100n, limits).best).toBeNull();
  });

  it('stops at its budget and says so', () => {
    const values = Array.from({ length: 24 }, (_, i) => BigInt(1000 + i * 7));
    const result = findCombination(values, 1n, { maxSize: 4, maxSteps: 10 });
    expect(result.best).toBeNull();
    const tight = findCombination(values, 999_999n, { maxSize: 4, maxSteps: 50 });
    expect(tight.steps).toBeLessThanOrEqual(51);
  });

  it('returns a combination that adds up, of at most maxSize, deterministically', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: 10_000n }), { minLength: 0, maxLength: 14 }),
        fc.bigInt({ min: 1n, max: 40_000n }),
        (values, target) => {
          const a = findCombination(values, target, limits);
          const b = findCombination(values, target, limits);
          expect(a).toEqual(b);
          if (a.best !== null) {
            expect(a.best.length).toBeGreaterThanOrEqual(2);
            expect(a.best.length).toBeLessThanOrEqual(limits.maxSize);
            expect(new Set(a.best).size).toBe(a.best.length);
            expect(a.best.reduce((s, i) => s + (values[i] as bigint), 0n)).toBe(target);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
