import { invoiceStanding, parseIsoDate } from './invoice-standing';
import type { InvoiceEntity } from './invoice.entity';

const base: Pick<InvoiceEntity, 'customerId' | 'kind' | 'status' | 'dueDate' | 'openMinor'> = {
  customerId: 'c-1',
  kind: 'invoice',
  status: 'open',
  dueDate: '2025-03-31',
  openMinor: '113000',
};

describe('invoiceStanding', () => {
  it.each(['open', 'partially_paid', 'overdue', 'unknown'] as const)(
    'chases a %s invoice with money open',
    (status) => {
      expect(invoiceStanding({ ...base, status })).toEqual({
        remindable: true,
        customerId: 'c-1',
        dueDate: { year: 2025, month: 3, day: 31 },
      });
    },
  );

  it.each([
    [{ status: 'paid' as const }, 'invoice_paid'],
    [{ status: 'void' as const }, 'invoice_voided'],
    [{ openMinor: '0' }, 'invoice_paid'],
    [{ openMinor: '-500' }, 'invoice_paid'],
    [{ kind: 'credit_note' as const }, 'policy_changed'],
    [{ dueDate: null }, 'due_date_changed'],
  ])('does not chase %o (%s)', (change, reason) => {
    expect(invoiceStanding({ ...base, ...change })).toMatchObject({ remindable: false, reason });
  });

  it('chases an invoice whose open amount is not known yet', () => {
    expect(invoiceStanding({ ...base, openMinor: null })).toMatchObject({ remindable: true });
  });
});

describe('parseIsoDate', () => {
  it('reads YYYY-MM-DD and refuses anything else', () => {
    expect(parseIsoDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(() => parseIsoDate('2024-2-29')).toThrow(RangeError);
  });
});
