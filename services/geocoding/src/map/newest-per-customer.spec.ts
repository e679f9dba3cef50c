import fc from 'fast-check';
import { newestPerCustomer } from './newest-per-customer';

const base = Date.parse('2026-01-10T10:00:00Z');

describe('newestPerCustomer', () => {
  it('keeps the highest customer version per customer, whatever the order and clocks', () => {
    // Each customer's changes numbered 1..n, stamped by clocks that disagree with the numbers.
    const history = fc.uniqueArray(fc.constantFrom('c-1', 'c-2', 'c-3'), { minLength: 1 }).chain((ids) =>
      fc.tuple(
        ...ids.map((customerId) =>
          fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 5 }).map((minutes) =>
            minutes.map((m, i) => ({
              customerId,
              version: BigInt(i + 1),
              occurredAt: new Date(base + m * 60_000),
            })),
          ),
        ),
      ),
    );
    fc.assert(
      fc.property(
        history.chain((perCustomer) =>
          fc.shuffledSubarray(perCustomer.flat(), { minLength: perCustomer.flat().length }),
        ),
        (delivered) => {
          const newest = newestPerCustomer(delivered);
          for (const [customerId, kept] of newest) {
            const highest = Math.max(
              ...delivered.filter((d) => d.customerId === customerId).map((d) => Number(d.version)),
            );
            expect(kept.version).toBe(BigInt(highest));
          }
        },
      ),
    );
  });
});
