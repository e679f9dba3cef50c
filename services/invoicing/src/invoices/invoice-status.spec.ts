import fc from 'fast-check';
import { InvoiceStatus as ProtoStatus } from '@duemap/events';
import { INVOICE_STATUSES, statusOf, toProtoStatus, transitionOf, type StatusFacts } from './invoice-status';

const facts = fc
  .record({
    voided: fc.boolean(),
    total: fc.bigInt({ min: 1n, max: 10n ** 12n }),
    paidShare: fc.double({ min: 0, max: 1, noNaN: true }),
    pastDue: fc.boolean(),
  })
  .map(({ voided, total, paidShare, pastDue }): StatusFacts => {
    const paid = BigInt(Math.floor(Number(total) * paidShare));
    return { voided, total, open: total - paid, pastDue };
  });

describe('the invoice status machine', () => {
  it('derives each status from the facts', () => {
    const base = { voided: false, total: 10_000n, open: 10_000n, pastDue: false };
    expect(statusOf(base)).toBe('open');
    expect(statusOf({ ...base, open: 4_000n })).toBe('partially_paid');
    expect(statusOf({ ...base, open: 0n })).toBe('paid');
    expect(statusOf({ ...base, pastDue: true })).toBe('overdue');
    expect(statusOf({ ...base, open: 4_000n, pastDue: true })).toBe('overdue');
    expect(statusOf({ ...base, voided: true, pastDue: true })).toBe('void');
  });

  it('never calls a paid invoice overdue, and always calls a past-due one with money open overdue', () => {
    fc.assert(
      fc.property(facts, (f) => {
        const status = statusOf(f);
        if (f.voided) expect(status).toBe('void');
        else if (f.open === 0n) expect(status).toBe('paid');
        else if (f.pastDue) expect(status).toBe('overdue');
        else expect(status).toBe(f.open < f.total ? 'partially_paid' : 'open');
      }),
    );
  });

  it('reports entering paid and overdue once, not when staying there', () => {
    expect(transitionOf('partially_paid', 'paid')).toEqual({ becamePaid: true, becameOverdue: false });
    expect(transitionOf('overdue', 'paid')).toEqual({ becamePaid: true, becameOverdue: false });
    expect(transitionOf('open', 'overdue')).toEqual({ becamePaid: false, becameOverdue: true });
    expect(transitionOf(undefined, 'overdue')).toEqual({ becamePaid: false, becameOverdue: true });
    expect(transitionOf('overdue', 'overdue')).toEqual({ becamePaid: false, becameOverdue: false });
    expect(transitionOf('paid', 'paid')).toEqual({ becamePaid: false, becameOverdue: false });
    expect(transitionOf('open', 'partially_paid')).toEqual({ becamePaid: false, becameOverdue: false });
  });

  it('maps every status to a contract value that is not UNSPECIFIED, one to one', () => {
    const mapped = INVOICE_STATUSES.map(toProtoStatus);
    expect(new Set(mapped).size).toBe(INVOICE_STATUSES.length);
    expect(mapped).not.toContain(ProtoStatus.UNSPECIFIED);
    expect(toProtoStatus('partially_paid')).toBe(ProtoStatus.PARTIALLY_PAID);
  });
});
