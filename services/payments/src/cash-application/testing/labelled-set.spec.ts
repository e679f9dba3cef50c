import { generateLabelledSet, sameAllocations } from './labelled-set';

describe('labelled set for cash application', () => {
  const set = generateLabelledSet({ seed: 11, customers: 120, cases: 400 });

  it('is the same for the same seed and different for another', () => {
    const again = generateLabelledSet({ seed: 11, customers: 120, cases: 400 });
    expect(again.cases.map((c) => [c.kind, c.payment.amount.toString(), c.payment.remittanceText])).toEqual(
      set.cases.map((c) => [c.kind, c.payment.amount.toString(), c.payment.remittanceText]),
    );
    const other = generateLabelledSet({ seed: 12, customers: 120, cases: 400 });
    expect(other.cases.map((c) => c.payment.amount.toString())).not.toEqual(
      set.cases.map((c) => c.payment.amount.toString()),
    );
  });

  it('has Chinese and Latin customers, every kind of case, and a genuinely ambiguous share', () => {
    expect(set.cases).toHaveLength(400);
    expect(set.customers.some((c) => /[\u4e00-\u9fff]/.test(c.names[0] as string))).toBe(true);
    expect(set.customers.some((c) => /^[A-Za-z]/.test(c.names[0] as string))).toBe(true);
    const kinds = new Set(set.cases.map((c) => c.kind));
    expect(kinds.size).toBe(12);
    const ambiguous = set.cases.filter((c) => c.truth.decision === 'needs_review').length / set.cases.length;
    expect(ambiguous).toBeGreaterThan(0.03);
    expect(ambiguous).toBeLessThan(0.2);
  });

  it('labels only what the book allows: the payer’s invoices, within their open amounts and the payment', () => {
    const byId = new Map(set.invoices.map((i) => [i.invoiceId, i]));
    for (const c of set.cases) {
      if (c.truth.decision !== 'auto_apply') continue;
      const { customerId, allocations } = c.truth;
      let total = 0n;
      for (const a of allocations) {
        const invoice = byId.get(a.invoiceId);
        expect(invoice?.customerId).toBe(customerId);
        expect(invoice?.currency).toBe(c.payment.amount.currency);
        expect(a.amount.minor).toBeGreaterThan(0n);
        expect(a.amount.minor).toBeLessThanOrEqual(invoice?.open.minor ?? 0n);
        total += a.amount.minor;
      }
      expect(total).toBeLessThanOrEqual(c.payment.amount.minor);
    }
  });

  it('compares splits regardless of order', () => {
    const [a, b] = set.invoices;
    if (a === undefined || b === undefined) throw new Error('empty book');
    const x = [
      { invoiceId: a.invoiceId, amount: a.open },
      { invoiceId: b.invoiceId, amount: b.open },
    ];
    expect(sameAllocations(x, [...x].reverse())).toBe(true);
    expect(sameAllocations(x, x.slice(0, 1))).toBe(false);
  });
});
