import fc from 'fast-check';
import { applyInvoiceUpdate, type InvoiceRecord, type InvoiceUpdate } from './invoice-projection';

const at = (iso: string): Date => new Date(iso);

function update(overrides: Partial<InvoiceUpdate> = {}): InvoiceUpdate {
  return {
    invoiceId: 'inv-1',
    customerId: 'cust-1',
    version: 0n,
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
      version: 0n,
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

  it('orders by invoice version, not by occurred_at, once both sides have one', () => {
    const first = applyInvoiceUpdate(null, update({ version: 1n, occurredAt: at('2025-03-05T00:00:00Z') }));
    // A later change stamped by an invoicing instance whose clock is days behind: it applies.
    const paid = applyInvoiceUpdate(
      first,
      update({ version: 2n, occurredAt: at('2025-03-01T00:00:00Z'), status: 'paid', reportedOpenMinor: 0n }),
    );
    expect(paid).toMatchObject({ status: 'paid', reportedOpenMinor: 0n, lastVersion: 2n });
    // Version 1 again, stamped by a clock ahead: it changes nothing.
    const late = applyInvoiceUpdate(
      paid,
      update({ version: 1n, occurredAt: at('2025-03-09T00:00:00Z'), status: 'overdue', totalMinor: 1n }),
    );
    expect(late).toEqual(paid);
  });

  it('compares occurred_at while the event or the row has no version (before versions)', () => {
    const old = applyInvoiceUpdate(null, update({ occurredAt: at('2025-03-05T00:00:00Z') }));
    const stale = applyInvoiceUpdate(old, update({ version: 3n, status: 'paid' }));
    expect(stale.status).toBe('open');
    const newer = applyInvoiceUpdate(
      old,
      update({ version: 3n, occurredAt: at('2025-03-06T00:00:00Z'), status: 'paid' }),
    );
    expect(newer).toMatchObject({ status: 'paid', lastVersion: 3n });
  });

  it('converges to the highest version, whatever order the versions arrive in and the clocks said', () => {
    const history = fc
      .array(
        fc.record({
          minute: fc.integer({ min: 0, max: 5 }),
          total: fc.bigInt({ min: 1n, max: 1_000n }),
          status: fc.constantFrom(
            'open' as const,
            'partially_paid' as const,
            'paid' as const,
            'overdue' as const,
          ),
        }),
        { minLength: 1, maxLength: 6 },
      )
      .map((states) =>
        states.map((s, i) =>
          update({
            version: BigInt(i + 1),
            occurredAt: new Date(Date.UTC(2025, 2, 1, 0, s.minute)),
            totalMinor: s.total,
            status: s.status,
          }),
        ),
      );
    fc.assert(
      fc.property(
        history.chain((updates) =>
          fc.tuple(fc.constant(updates), fc.shuffledSubarray(updates, { minLength: updates.length })),
        ),
        ([updates, delivered]) => {
          let row: InvoiceRecord | null = null;
          for (const u of delivered) row = applyInvoiceUpdate(row, u);
          const last = updates.at(-1) as InvoiceUpdate;
          expect(row).toMatchObject({
            totalMinor: last.totalMinor,
            status: last.status,
            lastVersion: last.version,
          });
        },
      ),
    );
  });

  it('calls a negative total without a kind a credit note', () => {
    const row = applyInvoiceUpdate(null, update({ kind: undefined, totalMinor: -500n }));
    expect(row.kind).toBe('credit_note');
  });
});
