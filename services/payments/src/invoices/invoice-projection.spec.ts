import { applyInvoiceUpdate, type InvoiceRecord, type InvoiceUpdate } from './invoice-projection';

const at = (iso: string): Date => new Date(iso);

function update(overrides: Partial<InvoiceUpdate> = {}): InvoiceUpdate {
  return {
    invoiceId: 'inv-1',
    customerId: 'cust-1',
    occurredAt: at('2025-03-01T00:00:00Z'),
    currency: 'CNY',
    totalMinor: 10_000n,
    number: 'INV-1',
    kind: 'invoice',
    reportedOpenMinor: 10_000n,
    issueDate: '2025-02-01',
    dueDate: '2025-03-01',
    status: 'open',
    ...overrides,
  };
}

describe('applyInvoiceUpdate', () => {
  it('creates the row from the first event', () => {
    const row = applyInvoiceUpdate(null, update({ preSettledMinor: 0n }));
    expect(row).toMatchObject({
      invoiceId: 'inv-1',
      customerId: 'cust-1',
      number: 'INV-1',
      kind: 'invoice',
      totalMinor: 10_000n,
      preSettledMinor: 0n,
      status: 'open',
      dueDate: '2025-03-01',
      lastOccurredAt: at('2025-03-01T00:00:00Z'),
    });
  });

  it('applies a newer event over an older one', () => {
    const first = applyInvoiceUpdate(null, update());
    const next = applyInvoiceUpdate(
      first,
      update({
        occurredAt: at('2025-03-02T00:00:00Z'),
        totalMinor: 8_000n,
        dueDate: '2025-04-01',
        customerId: 'cust-2',
      }),
    );
    expect(next).toMatchObject({ totalMinor: 8_000n, dueDate: '2025-04-01', customerId: 'cust-2' });
    expect(next.lastOccurredAt).toEqual(at('2025-03-02T00:00:00Z'));
  });

  it('ignores what an older event says, except to fill unknown fields', () => {
    // invoice-paid arrived first (it carries no issue date), then the older invoice-issued.
    const paid = applyInvoiceUpdate(null, {
      invoiceId: 'inv-1',
      customerId: 'cust-1',
      occurredAt: at('2025-03-05T00:00:00Z'),
      currency: 'CNY',
      totalMinor: 10_000n,
      number: 'INV-1',
      status: 'paid',
    });
    expect(paid.issueDate).toBeNull();
    const after = applyInvoiceUpdate(
      paid,
      update({ status: 'open', totalMinor: 9_999n, preSettledMinor: 2_000n }),
    );
    expect(after.status).toBe('paid');
    expect(after.totalMinor).toBe(10_000n);
    expect(after.issueDate).toBe('2025-02-01');
    expect(after.lastOccurredAt).toEqual(at('2025-03-05T00:00:00Z'));
    // What was settled at issue describes the moment of issue, whatever the arrival order.
    expect(after.preSettledMinor).toBe(2_000n);
  });

  it('keeps a void invoice void', () => {
    const voided = applyInvoiceUpdate(null, update({ status: 'void' }));
    const after = applyInvoiceUpdate(
      voided,
      update({ occurredAt: at('2025-04-01T00:00:00Z'), status: 'open' }),
    );
    expect(after.status).toBe('void');
  });

  it('leaves the status alone when the event does not know it', () => {
    const overdue = applyInvoiceUpdate(null, update({ status: 'overdue' }));
    const after = applyInvoiceUpdate(
      overdue,
      update({ occurredAt: at('2025-04-01T00:00:00Z'), status: undefined }),
    );
    expect(after.status).toBe('overdue');
  });

  it('overwrites on an equal occurred_at (a redelivery or a same-instant event)', () => {
    const first = applyInvoiceUpdate(null, update());
    const again = applyInvoiceUpdate(first, update({ status: 'overdue' }));
    expect(again.status).toBe('overdue');
  });

  it('treats a row fetched over HTTP (no occurred_at) as older than any event', () => {
    const fetched: InvoiceRecord = {
      ...applyInvoiceUpdate(null, update()),
      lastOccurredAt: null,
      status: 'partially_paid',
    };
    const after = applyInvoiceUpdate(
      fetched,
      update({ occurredAt: at('2000-01-02T00:00:00Z'), status: 'open' }),
    );
    expect(after.status).toBe('open');
  });

  it('calls a negative total without a kind a credit note', () => {
    const row = applyInvoiceUpdate(null, update({ kind: undefined, totalMinor: -500n }));
    expect(row.kind).toBe('credit_note');
  });
});
