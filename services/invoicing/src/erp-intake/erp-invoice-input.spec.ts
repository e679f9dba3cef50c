import { recordPointerOf, upsertInputOf } from './erp-invoice-input';

describe('erp.invoices.v1 records as upsert input', () => {
  it('gives lines the invoice currency, the customer by source or id, and the version as a bigint', () => {
    const input = upsertInputOf({
      sourceSystem: 'sap',
      externalId: 'INV-1',
      sourceVersion: 1767225600000,
      customer: { sourceSystem: 'sap', externalId: 'C-1' },
      number: 'INV-1',
      issueDate: '2026-01-05',
      dueDate: '2026-02-04',
      total: { amount: '113.00', currency: 'CNY' },
      lines: [{ description: 'x', amount: '113.00', tax: '13.00' }],
    });
    expect(input).toEqual({
      source: { sourceSystem: 'sap', externalId: 'INV-1' },
      customer: { sourceSystem: 'sap', externalId: 'C-1' },
      number: 'INV-1',
      issueDate: '2026-01-05',
      dueDate: '2026-02-04',
      total: { amount: '113.00', currency: 'CNY' },
      lines: [
        {
          description: 'x',
          amount: { amount: '113.00', currency: 'CNY' },
          tax: { amount: '13.00', currency: 'CNY' },
        },
      ],
      sourceVersion: 1767225600000n,
    });
    const byId = upsertInputOf({
      sourceSystem: 's',
      externalId: 'e',
      sourceVersion: 2,
      customer: { id: 'abc' },
      number: 'n',
      issueDate: '2026-01-05',
      dueDate: '2026-01-05',
      total: { amount: '1', currency: 'EUR' },
    });
    expect(byId.customerId).toBe('abc');
    expect(byId.customer).toBeUndefined();
  });

  it('names the record field a use-case error is about, as a JSON pointer', () => {
    expect(recordPointerOf('dueDate')).toBe('/dueDate');
    expect(recordPointerOf('total.amount')).toBe('/total/amount');
    expect(recordPointerOf('customerId')).toBe('/customer/id');
    expect(recordPointerOf('customer')).toBe('/customer');
    expect(recordPointerOf('lines[3].amount.currency')).toBe('/lines/3/amount');
    expect(recordPointerOf('lines[0].tax.amount')).toBe('/lines/0/tax');
    expect(recordPointerOf('lines')).toBe('/lines');
    expect(recordPointerOf('')).toBe('/');
  });
});
