import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  calendarDate,
  DocumentKind,
  InvoiceChangedSchema,
  InvoiceIssuedSchema,
  InvoicePaidSchema,
  InvoiceStatus,
  InvoiceVoidedSchema,
} from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import fc from 'fast-check';
import {
  applyUpdate,
  fromInvoiceChanged,
  fromInvoiceIssued,
  fromInvoicePaid,
  fromInvoiceVoided,
  statusName,
  type InvoiceState,
  type InvoiceUpdate,
} from './invoice-update';

const occurredAt = timestampFromDate(new Date('2025-03-01T08:00:00Z'));
const cny = (amount: string) => ({ amount, currency: 'CNY' });

describe('invoice events -> projection updates', () => {
  it('takes the full state from invoice-issued', () => {
    const event = create(InvoiceIssuedSchema, {
      customerId: 'c-1',
      occurredAt,
      invoiceId: 'i-1',
      number: 'INV-1',
      kind: DocumentKind.INVOICE,
      dueDate: calendarDate('2025-03-31'),
      total: cny('1130.00'),
      openAmount: cny('1130.00'),
      status: InvoiceStatus.OPEN,
      invoiceVersion: 1n,
    });
    expect(fromInvoiceIssued(event)).toEqual({
      invoiceId: 'i-1',
      customerId: 'c-1',
      version: 1n,
      occurredAt: new Date('2025-03-01T08:00:00Z'),
      status: 'open',
      number: 'INV-1',
      kind: 'invoice',
      dueDate: '2025-03-31',
      openMinor: 113000n,
      currency: 'CNY',
    });
  });

  it('reads a credit note without a due date from invoice-changed', () => {
    const event = create(InvoiceChangedSchema, {
      customerId: 'c-1',
      occurredAt,
      invoiceId: 'i-2',
      number: 'CN-1',
      kind: DocumentKind.CREDIT_NOTE,
      total: cny('-10.00'),
      openAmount: cny('-10.00'),
      status: InvoiceStatus.OPEN,
    });
    expect(fromInvoiceChanged(event)).toMatchObject({
      kind: 'credit_note',
      dueDate: null,
      openMinor: -1000n,
    });
  });

  it('marks the invoice paid with nothing open from invoice-paid', () => {
    const event = create(InvoicePaidSchema, {
      customerId: 'c-1',
      occurredAt,
      invoiceId: 'i-1',
      number: 'INV-1',
      total: cny('1130.00'),
      dueDate: calendarDate('2025-03-31'),
      paymentIds: ['0b6e1f0e-5d1c-4f3a-9a53-1f5c2d1b7a10'],
      invoiceVersion: 3n,
    });
    expect(fromInvoicePaid(event)).toEqual({
      invoiceId: 'i-1',
      customerId: 'c-1',
      version: 3n,
      occurredAt: new Date('2025-03-01T08:00:00Z'),
      status: 'paid',
      number: 'INV-1',
      dueDate: '2025-03-31',
      openMinor: 0n,
      currency: 'CNY',
      // invoicing recorded this payment: its hold on the invoice's reminders ends.
      releasesPayments: ['0b6e1f0e-5d1c-4f3a-9a53-1f5c2d1b7a10'],
    });
  });

  it('marks the invoice void from invoice-voided and keeps the due date it knew', () => {
    const event = create(InvoiceVoidedSchema, {
      customerId: 'c-1',
      occurredAt,
      invoiceId: 'i-1',
      number: 'INV-1',
    });
    const update = fromInvoiceVoided(event);
    expect(update).toMatchObject({ status: 'void' });
    expect(update).not.toHaveProperty('dueDate');
  });

  it('treats statuses it does not know like UNSPECIFIED', () => {
    expect(statusName(InvoiceStatus.UNSPECIFIED)).toBe('unknown');
    expect(statusName(42 as InvoiceStatus)).toBe('unknown');
  });

  it('sends an event with an unusable amount to the DLQ at once', () => {
    const event = create(InvoiceIssuedSchema, {
      customerId: 'c-1',
      occurredAt,
      invoiceId: 'i-1',
      openAmount: { amount: '1.234', currency: 'CNY' },
      status: InvoiceStatus.OPEN,
    });
    expect(() => fromInvoiceIssued(event)).toThrow(FatalEventError);
  });
});

describe('applyUpdate (the projection, folded in memory)', () => {
  const T1 = new Date('2025-03-01T08:00:00Z');
  const T2 = new Date('2025-03-02T08:00:00Z');
  const issued: InvoiceUpdate = {
    invoiceId: 'i-1',
    customerId: 'c-1',
    version: 0n,
    occurredAt: T1,
    status: 'open',
    number: 'INV-1',
    kind: 'invoice',
    dueDate: '2025-03-31',
    openMinor: 113000n,
    currency: 'CNY',
  };
  const known: InvoiceState = {
    invoiceId: 'i-1',
    customerId: 'c-1',
    number: 'INV-1',
    kind: 'invoice',
    status: 'open',
    dueDate: '2025-03-31',
    openMinor: '113000',
    currency: 'CNY',
    version: 0n,
    occurredAt: T1,
  };

  it('creates the state of an invoice it did not know, with defaults for what the event lacks', () => {
    expect(applyUpdate(null, issued)).toEqual(known);
    expect(
      applyUpdate(null, {
        invoiceId: 'i-1',
        customerId: 'c-1',
        version: 0n,
        occurredAt: T1,
        status: 'paid',
        number: '',
      }),
    ).toEqual({
      invoiceId: 'i-1',
      customerId: 'c-1',
      number: '',
      kind: 'unknown',
      status: 'paid',
      dueDate: null,
      openMinor: null,
      currency: null,
      version: 0n,
      occurredAt: T1,
    });
  });

  it('keeps what a newer event does not carry, takes what it does (a due date that is gone too)', () => {
    const paid = {
      invoiceId: 'i-1',
      customerId: 'c-2',
      version: 0n,
      occurredAt: T2,
      status: 'paid',
      number: '',
    } as const;
    expect(applyUpdate(known, { ...paid, openMinor: 0n })).toEqual({
      ...known,
      customerId: 'c-2',
      status: 'paid',
      openMinor: '0',
      occurredAt: T2,
    });
    expect(applyUpdate(known, { ...issued, occurredAt: T2, dueDate: null })?.dueDate).toBeNull();
  });

  it.each([
    ['older than', new Date('2025-02-28T08:00:00Z')],
    ['as old as', T1],
  ])('is null (stale) for an event %s the state it holds, by occurred_at before versions', (_, at) => {
    expect(applyUpdate(known, { ...issued, occurredAt: at, status: 'void' })).toBeNull();
  });

  it('orders by invoice version, not by occurred_at, once both sides have one', () => {
    const held: InvoiceState = { ...known, version: 3n, occurredAt: T2 };
    // A later change stamped by an invoicing instance whose clock is a day behind applies.
    expect(applyUpdate(held, { ...issued, version: 4n, occurredAt: T1, status: 'paid' })).toMatchObject({
      status: 'paid',
      version: 4n,
      occurredAt: T1,
    });
    // An older version stamped by a clock ahead, or the same version again, is stale.
    const ahead = new Date('2025-03-09T08:00:00Z');
    expect(applyUpdate(held, { ...issued, version: 2n, occurredAt: ahead, status: 'void' })).toBeNull();
    expect(applyUpdate(held, { ...issued, version: 3n, occurredAt: ahead, status: 'void' })).toBeNull();
  });

  it('converges to the highest version, whatever order the versions arrive in and the clocks said', () => {
    const statuses = ['open', 'partially_paid', 'paid', 'overdue', 'void'] as const;
    const history = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.constantFrom(...statuses)), {
        minLength: 1,
        maxLength: 6,
      })
      .map((states) =>
        states.map(([minute, status], i): InvoiceUpdate => ({
          ...issued,
          version: BigInt(i + 1),
          occurredAt: new Date(T1.getTime() + minute * 60_000),
          status,
        })),
      );
    fc.assert(
      fc.property(
        history.chain((updates) =>
          fc.tuple(fc.constant(updates), fc.shuffledSubarray(updates, { minLength: updates.length })),
        ),
        ([updates, delivered]) => {
          let state: InvoiceState | null = null;
          for (const update of delivered) state = applyUpdate(state, update) ?? state;
          const last = updates.at(-1) as InvoiceUpdate;
          expect(state).toMatchObject({ status: last.status, version: last.version });
        },
      ),
    );
  });
});
