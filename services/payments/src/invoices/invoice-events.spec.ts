import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { calendarDate, createEvent, DocumentKind, InvoiceStatus, Topic } from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import { fromIssued, fromVoided } from './invoice-events';
import { parseInvoiceJson } from './invoice-directory';

const occurredAt = timestampFromDate(new Date('2025-03-31T08:00:00Z'));

describe('invoice events', () => {
  const issued = (open: string) =>
    createEvent(Topic.InvoiceIssued, {
      customerId: 'cust-1',
      occurredAt,
      invoiceId: 'inv-1',
      number: 'INV-1',
      kind: DocumentKind.INVOICE,
      issueDate: calendarDate('2025-03-01'),
      dueDate: calendarDate('2025-03-31'),
      total: { amount: '1000.00', currency: 'CNY' },
      openAmount: { amount: open, currency: 'CNY' },
      status: InvoiceStatus.OPEN,
    });

  it('reads invoice-issued as a full state, and what was settled before issue', () => {
    expect(fromIssued(issued('1000.00'))).toMatchObject({
      invoiceId: 'inv-1',
      currency: 'CNY',
      totalMinor: 100_000n,
      reportedOpenMinor: 100_000n,
      preSettledMinor: 0n,
      issueDate: '2025-03-01',
      dueDate: '2025-03-31',
      status: 'open',
      kind: 'invoice',
    });
    expect(fromIssued(issued('400.00')).preSettledMinor).toBe(60_000n);
  });

  it('dead-letters an event whose money can never be read', () => {
    const bad = createEvent(Topic.InvoiceVoided, {
      customerId: 'cust-1',
      occurredAt,
      invoiceId: 'inv-1',
      total: { amount: '1.00', currency: 'ZZZ' },
    });
    expect(() => fromVoided(bad)).toThrow(FatalEventError);
  });
});

describe('parseInvoiceJson (fallback GET /api/v1/invoices/{id})', () => {
  const body = {
    id: 'inv-1',
    customerId: 'cust-1',
    number: 'INV-1',
    issueDate: '2025-03-01',
    dueDate: '2025-03-31',
    total: { amount: '1000.00', currency: 'CNY' },
    openAmount: { amount: '250.00', currency: 'CNY' },
    status: 'partially_paid',
  };

  it('reads the invoice', () => {
    expect(parseInvoiceJson(body, 'inv-1')).toMatchObject({
      invoiceId: 'inv-1',
      customerId: 'cust-1',
      totalMinor: 100_000n,
      preSettledMinor: 75_000n,
      status: 'partially_paid',
      dueDate: '2025-03-31',
      lastOccurredAt: null,
    });
  });

  it.each([
    ['another id', { ...body, id: 'inv-2' }],
    ['an unknown status', { ...body, status: 'lost' }],
    ['a bad total', { ...body, total: { amount: 1000, currency: 'CNY' } }],
    ['a bad date', { ...body, dueDate: '31/03/2025' }],
  ])('refuses an answer with %s', (_name, answer) => {
    expect(() => parseInvoiceJson(answer, 'inv-1')).toThrow();
  });
});
