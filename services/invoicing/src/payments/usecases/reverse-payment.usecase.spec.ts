import type { EntityManager } from 'typeorm';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { createEvent, InvoiceField, InvoiceStatus, ReversalReason, Topic } from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import { Money } from '@duemap/money';
import type { Invoice } from '../../invoices/invoice.model';
import {
  applicationKey,
  type InvoiceRepository,
  type PaymentReversalRecord,
  type StoredApplication,
} from '../../invoices/invoice.repository';
import {
  anInvoice,
  CUSTOMER_ID,
  fakeEm,
  OTHER_CUSTOMER_ID,
  recordingOutbox,
  type RecordingOutbox,
} from '../../testing/invoice.fixtures';
import { ReversePaymentUseCase } from './reverse-payment.usecase';

const INV_A = '11111111-1111-4111-8111-111111111111';
const INV_B = '22222222-2222-4222-8222-222222222222';
// Before both invoices' due dates (2025-03-31 in Shanghai).
const NOW = '2025-03-20T02:00:00Z';

function reversal(
  allocations: { invoiceId: string; amount: string; currency?: string }[],
  paymentId = 'pay-1',
) {
  return createEvent(Topic.PaymentReversed, {
    customerId: CUSTOMER_ID,
    occurredAt: timestampFromDate(new Date(NOW)),
    paymentId,
    amount: { amount: '1500.00', currency: 'CNY' },
    reversedAllocations: allocations.map((a) => ({
      invoiceId: a.invoiceId,
      amount: { amount: a.amount, currency: a.currency ?? 'CNY' },
    })),
    reversedUnapplied: { amount: '0', currency: 'CNY' },
    reason: ReversalReason.RETURNED,
    detail: 'AC04 closed account',
    source: { sourceSystem: 'bank-icbc', externalId: 'stmt/3' },
  });
}

describe('ReversePaymentUseCase', () => {
  let stored: Map<string, Invoice>;
  let applications: StoredApplication[];
  let invoices: jest.Mocked<Pick<InvoiceRepository, 'lockForReversals' | 'recordPaymentReversals'>>;
  let outbox: RecordingOutbox;
  let clockAt: string;
  let useCase: ReversePaymentUseCase;

  const applied = (paymentId: string, invoiceId: string, amount: string, reversedAt: Date | null = null) =>
    applications.push({ paymentId, invoiceId, applied: Money.of(amount, 'CNY'), reversedAt });

  beforeEach(() => {
    // A: 1000, 400 of it paid by pay-1 (partially paid). B: 300, paid in full by pay-1.
    stored = new Map([
      [
        INV_A,
        anInvoice({
          id: INV_A,
          number: 'A',
          total: Money.of('1000.00', 'CNY'),
          paid: Money.of('400.00', 'CNY'),
          status: 'partially_paid',
          version: 2n,
        }),
      ],
      [
        INV_B,
        anInvoice({
          id: INV_B,
          number: 'B',
          total: Money.of('300.00', 'CNY'),
          paid: Money.of('300.00', 'CNY'),
          status: 'paid',
          version: 3n,
        }),
      ],
    ]);
    applications = [];
    applied('pay-1', INV_A, '400.00');
    applied('pay-1', INV_B, '300.00');
    invoices = {
      // As the SQL does: the named invoices that exist, locked, and what those payments applied there.
      lockForReversals: jest.fn(
        (_em, reversals: readonly { paymentId: string; invoiceIds: readonly string[] }[]) => {
          const ids = reversals.flatMap((r) => r.invoiceIds.map((id) => id.toLowerCase()));
          const payments = new Set(reversals.map((r) => r.paymentId));
          return Promise.resolve({
            invoices: new Map(
              ids.filter((id) => stored.has(id)).map((id) => [id, stored.get(id) as Invoice]),
            ),
            applications: new Map(
              applications
                .filter((a) => payments.has(a.paymentId) && ids.includes(a.invoiceId))
                .map((a) => [applicationKey(a.paymentId, a.invoiceId), { ...a }]),
            ),
          });
        },
      ),
      recordPaymentReversals: jest.fn((_em: EntityManager, _batch: readonly PaymentReversalRecord[]) =>
        Promise.resolve(),
      ),
    };
    outbox = recordingOutbox();
    clockAt = NOW;
    useCase = new ReversePaymentUseCase(invoices as unknown as InvoiceRepository, outbox.writer, {
      now: () => new Date(clockAt),
    });
  });

  const reverse = (...events: ReturnType<typeof reversal>[]): Promise<void> =>
    useCase.execute(
      events.map((event) => ({ event })),
      fakeEm,
    );

  /** What the use case handed to the one write of the batch, for its `n`th reversal. */
  const written = (n = 0): PaymentReversalRecord => {
    expect(invoices.recordPaymentReversals).toHaveBeenCalledTimes(1);
    return invoices.recordPaymentReversals.mock.calls[0]?.[1][n] as PaymentReversalRecord;
  };
  const updated = (id: string): Invoice | undefined =>
    written().invoices.find((invoice) => invoice.id === id);

  it('reopens a paid invoice: open again, next version, invoice-changed in the same write', async () => {
    await reverse(reversal([{ invoiceId: INV_B, amount: '300.00' }]));

    expect(updated(INV_B)).toMatchObject({ status: 'open', version: 4n, updatedAt: new Date(NOW) });
    expect(updated(INV_B)?.open.toJSON()).toEqual({ amount: '300.00', currency: 'CNY' });
    expect(updated(INV_B)?.paid.isZero()).toBe(true);
    expect(written()).toMatchObject({
      paymentId: 'pay-1',
      customerId: CUSTOMER_ID,
      reason: 'RETURNED',
      detail: 'AC04 closed account',
      occurredAt: new Date(NOW),
      reopened: [{ invoiceId: INV_B, amount: Money.of('300.00', 'CNY') }],
    });
    expect(invoices.recordPaymentReversals.mock.calls[0]?.[0]).toBe(fakeEm);
    expect(outbox.topics()).toEqual([Topic.InvoiceChanged]);
    expect(outbox.events()[0]).toMatchObject({
      key: CUSTOMER_ID,
      event: {
        invoiceId: INV_B,
        invoiceVersion: 4n,
        status: InvoiceStatus.OPEN,
        openAmount: { amount: '300.00', currency: 'CNY' },
        changedFields: [InvoiceField.OPEN_AMOUNT, InvoiceField.STATUS],
      },
    });
  });

  it('gives a partially paid invoice back what the payment paid: open, one change per invoice', async () => {
    await reverse(
      reversal([
        { invoiceId: INV_A, amount: '150.00' },
        { invoiceId: INV_A, amount: '250.00' },
        { invoiceId: INV_B, amount: '300.00' },
      ]),
    );

    expect(updated(INV_A)).toMatchObject({ status: 'open', version: 3n });
    expect(updated(INV_A)?.open.toJSON().amount).toBe('1000.00');
    expect(written().reopened).toEqual([
      { invoiceId: INV_A, amount: Money.of('400.00', 'CNY') },
      { invoiceId: INV_B, amount: Money.of('300.00', 'CNY') },
    ]);
    expect(outbox.topics()).toEqual([Topic.InvoiceChanged, Topic.InvoiceChanged]);
    expect(outbox.writer.appendAll).toHaveBeenCalledTimes(1);
  });

  it('leaves the other payments of an invoice in place: partially paid', async () => {
    stored.set(INV_A, {
      ...(stored.get(INV_A) as Invoice),
      paid: Money.of('1000.00', 'CNY'),
      open: Money.zero('CNY'),
      status: 'paid',
    });
    await reverse(reversal([{ invoiceId: INV_A, amount: '400.00' }]));

    expect(updated(INV_A)).toMatchObject({ status: 'partially_paid' });
    expect(updated(INV_A)?.paid.toJSON().amount).toBe('600.00');
    expect(updated(INV_A)?.open.toJSON().amount).toBe('400.00');
  });

  it('reopens only what the payment paid there when the reversal says more (its excess was rejected)', async () => {
    await reverse(reversal([{ invoiceId: INV_B, amount: '350.00' }]));

    expect(written().reopened).toEqual([{ invoiceId: INV_B, amount: Money.of('300.00', 'CNY') }]);
    expect(updated(INV_B)?.open.toJSON().amount).toBe('300.00');
    expect(updated(INV_B)?.paid.isZero()).toBe(true);
  });

  it('reopens a paid invoice past its due date as overdue, with invoice-overdue', async () => {
    clockAt = '2025-04-01T00:00:00Z'; // 08:00 on 1 April in Shanghai: the day after the due date
    await reverse(reversal([{ invoiceId: INV_B, amount: '300.00' }]));

    expect(updated(INV_B)).toMatchObject({ status: 'overdue' });
    expect(outbox.topics()).toEqual([Topic.InvoiceChanged, Topic.InvoiceOverdue]);
    expect(outbox.events()[1]?.event).toMatchObject({ invoiceId: INV_B, invoiceVersion: 4n });
  });

  it('changes nothing for an application reversed already (the same payment reversed again)', async () => {
    applications = [];
    applied('pay-1', INV_B, '300.00', new Date('2025-03-19T00:00:00Z'));
    await reverse(reversal([{ invoiceId: INV_B, amount: '300.00' }]));

    expect(written()).toMatchObject({ reopened: [], invoices: [] });
    expect(outbox.writer.appendAll).not.toHaveBeenCalled();
  });

  it('changes nothing on an invoice the payment never paid (rejected, or its payment-received still to come)', async () => {
    applications = [];
    await reverse(reversal([{ invoiceId: INV_B, amount: '300.00' }], 'pay-early'));

    // The reversal itself is recorded: the late payment-received will apply nothing.
    expect(written()).toMatchObject({ paymentId: 'pay-early', reopened: [], invoices: [] });
    expect(outbox.events()).toEqual([]);
  });

  it('folds a batch in order: the same reversal twice reopens once, two payments of one invoice both count', async () => {
    stored.set(INV_A, {
      ...(stored.get(INV_A) as Invoice),
      paid: Money.of('1000.00', 'CNY'),
      open: Money.zero('CNY'),
      status: 'paid',
    });
    applied('pay-2', INV_A, '600.00');
    const first = reversal([{ invoiceId: INV_A, amount: '400.00' }]);
    await reverse(first, first, reversal([{ invoiceId: INV_A, amount: '600.00' }], 'pay-2'));

    expect(invoices.lockForReversals).toHaveBeenCalledTimes(1);
    const batch = invoices.recordPaymentReversals.mock.calls[0]?.[1] ?? [];
    expect(batch.map((r) => r.paymentId)).toEqual(['pay-1', 'pay-2']);
    expect(batch[0]?.invoices[0]).toMatchObject({ status: 'partially_paid', version: 3n });
    expect(batch[1]?.invoices[0]).toMatchObject({ status: 'open', version: 4n });
    expect(batch[1]?.invoices[0]?.open.toJSON().amount).toBe('1000.00');
    expect(outbox.events().map((e) => (e.event as { invoiceVersion: bigint }).invoiceVersion)).toEqual([
      3n,
      4n,
    ]);
  });

  it('keeps a void invoice void (the application is marked, nothing reopens)', async () => {
    stored.set(INV_B, { ...(stored.get(INV_B) as Invoice), status: 'void', open: Money.zero('CNY') });
    await reverse(reversal([{ invoiceId: INV_B, amount: '300.00' }]));

    expect(written()).toMatchObject({
      reopened: [{ invoiceId: INV_B, amount: Money.zero('CNY') }],
      invoices: [],
    });
    expect(outbox.events()).toEqual([]);
  });

  it.each([
    ['an unknown invoice', reversal([{ invoiceId: '33333333-3333-4333-8333-333333333333', amount: '1.00' }])],
    ['an invoice id that is no UUID', reversal([{ invoiceId: 'inv-1', amount: '1.00' }])],
    ['a zero amount', reversal([{ invoiceId: INV_B, amount: '0.00' }])],
    ['a negative amount', reversal([{ invoiceId: INV_B, amount: '-5.00' }])],
    ['an amount that is no decimal', reversal([{ invoiceId: INV_B, amount: '1e3' }])],
    ['an unknown currency', reversal([{ invoiceId: INV_B, amount: '1.00', currency: 'XXQ' }])],
    [
      'another currency than the payment paid in',
      reversal([{ invoiceId: INV_B, amount: '1.00', currency: 'USD' }]),
    ],
    ['an empty payment id', reversal([{ invoiceId: INV_B, amount: '1.00' }], '')],
  ])('dead-letters a reversal naming %s, writing nothing', async (_what, event) => {
    await expect(reverse(event)).rejects.toBeInstanceOf(FatalEventError);
    expect(invoices.recordPaymentReversals).not.toHaveBeenCalled();
    expect(outbox.events()).toEqual([]);
  });

  it("dead-letters a reversal of another customer's application", async () => {
    stored.set(INV_B, { ...(stored.get(INV_B) as Invoice), customerId: OTHER_CUSTOMER_ID });
    await expect(reverse(reversal([{ invoiceId: INV_B, amount: '300.00' }]))).rejects.toThrow(/not 0b6f8f1e/);
  });

  it('dead-letters a reversal without its amount', async () => {
    const event = reversal([]);
    event.amount = undefined;
    await expect(reverse(event)).rejects.toThrow(/amount is not set/);
  });

  it('reads nothing for an empty batch', async () => {
    await reverse();
    expect(invoices.lockForReversals).not.toHaveBeenCalled();
  });
});
