import type { EntityManager } from 'typeorm';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { AllocationRejectionReason, createEvent, InvoiceField, Topic } from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import { Money } from '@duemap/money';
import type { Invoice } from '../../invoices/invoice.model';
import type { InvoiceRepository, PaymentApplication } from '../../invoices/invoice.repository';
import {
  anInvoice,
  CUSTOMER_ID,
  fakeClock,
  fakeEm,
  OTHER_CUSTOMER_ID,
  recordingOutbox,
  type RecordingOutbox,
} from '../../testing/invoice.fixtures';
import { ApplyPaymentUseCase } from './apply-payment.usecase';

const INV_A = '11111111-1111-4111-8111-111111111111';
const INV_B = '22222222-2222-4222-8222-222222222222';
const NOW = '2025-03-20T02:00:00Z';

function payment(
  allocations: { invoiceId: string; amount: string; currency?: string }[],
  paymentId = 'pay-1',
) {
  return createEvent(Topic.PaymentReceived, {
    customerId: CUSTOMER_ID,
    occurredAt: timestampFromDate(new Date(NOW)),
    paymentId,
    amount: { amount: '1', currency: 'CNY' },
    allocations: allocations.map((a) => ({
      invoiceId: a.invoiceId,
      applied: { amount: a.amount, currency: a.currency ?? 'CNY' },
    })),
    unapplied: { amount: '0', currency: 'CNY' },
  });
}

describe('ApplyPaymentUseCase', () => {
  let stored: Map<string, Invoice>;
  let handled: Set<string>;
  let reversed: Set<string>;
  let invoices: jest.Mocked<Pick<InvoiceRepository, 'lockForPayments' | 'recordPaymentApplications'>>;
  let outbox: RecordingOutbox;
  let useCase: ApplyPaymentUseCase;

  beforeEach(() => {
    stored = new Map([
      [INV_A, anInvoice({ id: INV_A, number: 'A', total: Money.of('1000.00', 'CNY') })],
      [INV_B, anInvoice({ id: INV_B, number: 'B', total: Money.of('300.00', 'CNY') })],
    ]);
    handled = new Set();
    reversed = new Set();
    invoices = {
      // As the SQL does: the named invoices that exist (UUIDs, lower case), each with the payments
      // applied to it so far, and what each payment handled before.
      lockForPayments: jest.fn(
        (_em, payments: readonly { paymentId: string; invoiceIds: readonly string[] }[]) => {
          const ids = payments
            .flatMap((p) => p.invoiceIds.map((id) => id.toLowerCase()))
            .filter((id) => stored.has(id));
          return Promise.resolve({
            handled: new Map([['pay-1', new Set(handled)]]),
            invoices: new Map(ids.map((id) => [id, stored.get(id) as Invoice])),
            paymentIds: new Map(ids.map((id) => [id, ['pay-0']])),
            reversed: new Set(reversed),
          });
        },
      ),
      recordPaymentApplications: jest.fn((_em: EntityManager, _batch: readonly PaymentApplication[]) =>
        Promise.resolve(),
      ),
    };
    outbox = recordingOutbox();
    useCase = new ApplyPaymentUseCase(
      invoices as unknown as InvoiceRepository,
      outbox.writer,
      fakeClock(NOW),
    );
  });

  const apply = (...events: ReturnType<typeof payment>[]): Promise<void> =>
    useCase.execute(
      events.map((event) => ({ event })),
      fakeEm,
    );

  /** What the use case handed to the one write of the batch, for its `n`th payment. */
  const written = (n = 0): PaymentApplication => {
    expect(invoices.recordPaymentApplications).toHaveBeenCalledTimes(1);
    return invoices.recordPaymentApplications.mock.calls[0]?.[1][n] as PaymentApplication;
  };
  const updated = (id: string): Invoice | undefined =>
    written().invoices.find((invoice) => invoice.id === id);

  it('applies a partial amount: partially paid, invoice-changed with the new open amount', async () => {
    await apply(payment([{ invoiceId: INV_A, amount: '400.00' }]));

    expect(updated(INV_A)).toMatchObject({ status: 'partially_paid' });
    expect(updated(INV_A)?.open.toJSON().amount).toBe('600.00');
    expect(written()).toMatchObject({
      paymentId: 'pay-1',
      at: new Date(NOW),
      applied: [{ invoiceId: INV_A, amount: Money.of('400.00', 'CNY') }],
      rejections: [],
    });
    expect(invoices.recordPaymentApplications.mock.calls[0]?.[0]).toBe(fakeEm);
    expect(outbox.topics()).toEqual([Topic.InvoiceChanged]);
    expect(outbox.events()[0]?.event).toMatchObject({
      changedFields: [InvoiceField.OPEN_AMOUNT, InvoiceField.STATUS],
      openAmount: { amount: '600.00', currency: 'CNY' },
    });
  });

  it('settles an invoice: paid, invoice-changed + invoice-paid with the payment ids', async () => {
    await apply(payment([{ invoiceId: INV_B, amount: '300.00' }]));

    expect(updated(INV_B)).toMatchObject({ status: 'paid' });
    expect(outbox.topics()).toEqual([Topic.InvoiceChanged, Topic.InvoicePaid]);
    expect(outbox.events()[1]?.event).toMatchObject({ invoiceId: INV_B, paymentIds: ['pay-0', 'pay-1'] });
    // All events of the payment in one outbox insert.
    expect(outbox.writer.appendAll).toHaveBeenCalledTimes(1);
  });

  it('applies what fits and rejects the excess over the open amount', async () => {
    await apply(payment([{ invoiceId: INV_B, amount: '350.00' }]));

    expect(updated(INV_B)).toMatchObject({ status: 'paid' });
    expect(written().applied).toEqual([{ invoiceId: INV_B, amount: Money.of('300.00', 'CNY') }]);
    const rejected = outbox.events().find((e) => e.topic === Topic.AllocationRejected);
    expect(rejected?.event).toMatchObject({
      paymentId: 'pay-1',
      invoiceId: INV_B,
      requested: { amount: '350.00', currency: 'CNY' },
      rejected: { amount: '50.00', currency: 'CNY' },
      reason: AllocationRejectionReason.EXCEEDS_OPEN_AMOUNT,
    });
    expect(written().rejections).toEqual([
      {
        invoiceId: INV_B,
        customerId: CUSTOMER_ID,
        requested: Money.of('350.00', 'CNY'),
        rejected: Money.of('50.00', 'CNY'),
        reason: 'EXCEEDS_OPEN_AMOUNT',
        detail: 'invoice B had 300.00 CNY open; 50.00 CNY could not be applied',
      },
    ]);
    expect(outbox.topics()).toEqual([Topic.InvoiceChanged, Topic.InvoicePaid, Topic.AllocationRejected]);
  });

  it.each([
    [
      'an unknown invoice',
      () => '33333333-3333-4333-8333-333333333333',
      AllocationRejectionReason.INVOICE_NOT_FOUND,
    ],
    ['a malformed invoice id', () => 'not-a-uuid', AllocationRejectionReason.INVOICE_NOT_FOUND],
    [
      "another customer's invoice",
      () => {
        stored.set(INV_A, anInvoice({ id: INV_A, customerId: OTHER_CUSTOMER_ID }));
        return INV_A;
      },
      AllocationRejectionReason.CUSTOMER_MISMATCH,
    ],
    [
      'a void invoice',
      () => {
        stored.set(INV_A, anInvoice({ id: INV_A, status: 'void', open: Money.zero('CNY') }));
        return INV_A;
      },
      AllocationRejectionReason.INVOICE_VOIDED,
    ],
    [
      'a paid invoice',
      () => {
        stored.set(INV_A, anInvoice({ id: INV_A, paid: Money.of('1000.00', 'CNY'), status: 'paid' }));
        return INV_A;
      },
      AllocationRejectionReason.INVOICE_ALREADY_PAID,
    ],
  ])('rejects all of an allocation to %s', async (_what, arrange, reason) => {
    const invoiceId = arrange();
    await apply(payment([{ invoiceId, amount: '100.00' }]));

    expect(written()).toMatchObject({
      applied: [],
      invoices: [],
      rejections: [{ invoiceId, reason: AllocationRejectionReason[reason] }],
    });
    expect(outbox.topics()).toEqual([Topic.AllocationRejected]);
    expect(outbox.events()[0]?.event).toMatchObject({
      invoiceId,
      reason,
      rejected: { amount: '100.00', currency: 'CNY' },
    });
    expect(outbox.events()[0]?.key).toBe(CUSTOMER_ID);
  });

  it('rejects an allocation in another currency than the invoice', async () => {
    await apply(payment([{ invoiceId: INV_A, amount: '100.00', currency: 'USD' }]));
    expect(outbox.events()[0]?.event).toMatchObject({ reason: AllocationRejectionReason.CURRENCY_MISMATCH });
    expect(written().invoices).toEqual([]);
  });

  it('applies several allocations of one payment, one event per changed invoice', async () => {
    await apply(
      payment([
        { invoiceId: INV_A, amount: '100.00' },
        { invoiceId: INV_B, amount: '300.00' },
        { invoiceId: INV_A, amount: '50.00' },
      ]),
    );
    expect(updated(INV_A)?.open.toJSON().amount).toBe('850.00');
    // One row per invoice: the two allocations to A add up.
    expect(written().applied).toEqual([
      { invoiceId: INV_A, amount: Money.of('150.00', 'CNY') },
      { invoiceId: INV_B, amount: Money.of('300.00', 'CNY') },
    ]);
    expect(outbox.topics()).toEqual([Topic.InvoiceChanged, Topic.InvoiceChanged, Topic.InvoicePaid]);
  });

  it('turns an invoice past due but not yet scanned overdue when a partial payment lands', async () => {
    stored.set(INV_A, anInvoice({ id: INV_A, dueDate: '2025-03-10' }));
    await apply(payment([{ invoiceId: INV_A, amount: '100.00' }]));
    expect(updated(INV_A)?.status).toBe('overdue');
    expect(outbox.topics()).toEqual([Topic.InvoiceChanged, Topic.InvoiceOverdue]);
  });

  it('skips invoices this payment already touched (the same payment under another event id)', async () => {
    handled = new Set([INV_A]);
    await apply(payment([{ invoiceId: INV_A.toUpperCase(), amount: '100.00' }]));
    expect(invoices.lockForPayments).toHaveBeenCalledWith(fakeEm, [
      { paymentId: 'pay-1', invoiceIds: [INV_A.toUpperCase()] },
    ]);
    expect(invoices.recordPaymentApplications).not.toHaveBeenCalled();
    expect(outbox.events()).toEqual([]);
  });

  it('applies the allocations the payment has not touched yet, a rejected one counting as touched', async () => {
    const unknown = '33333333-3333-4333-8333-333333333333';
    handled = new Set([unknown]);
    await apply(
      payment([
        { invoiceId: unknown, amount: '20.00' },
        { invoiceId: INV_A, amount: '100.00' },
      ]),
    );
    expect(written()).toMatchObject({
      applied: [{ invoiceId: INV_A, amount: Money.of('100.00', 'CNY') }],
      rejections: [],
    });
    expect(outbox.topics()).toEqual([Topic.InvoiceChanged]);
  });

  it('reads nothing for a payment without allocations', async () => {
    await apply(payment([]));
    expect(invoices.lockForPayments).not.toHaveBeenCalled();
    expect(outbox.events()).toEqual([]);
  });

  it('dead-letters an allocation that breaks the contract (not positive)', async () => {
    await expect(apply(payment([{ invoiceId: INV_A, amount: '0' }]))).rejects.toBeInstanceOf(FatalEventError);
    expect(outbox.events()).toEqual([]);
  });

  it('folds a batch in order: the second payment of an invoice sees the first, one read and one write', async () => {
    await apply(
      payment([{ invoiceId: INV_B, amount: '100.00' }], 'pay-1'),
      payment([{ invoiceId: INV_B, amount: '250.00' }], 'pay-2'),
    );
    expect(invoices.lockForPayments).toHaveBeenCalledTimes(1);
    expect(written(0).invoices[0]?.open.toJSON().amount).toBe('200.00');
    expect(written(1)).toMatchObject({
      paymentId: 'pay-2',
      applied: [{ invoiceId: INV_B, amount: Money.of('200.00', 'CNY') }],
      rejections: [{ invoiceId: INV_B, reason: 'EXCEEDS_OPEN_AMOUNT' }],
    });
    expect(written(1).invoices[0]?.status).toBe('paid');
    expect(outbox.topics()).toEqual([
      Topic.InvoiceChanged,
      Topic.InvoiceChanged,
      Topic.InvoicePaid,
      Topic.AllocationRejected,
    ]);
    // invoice-paid lists every payment of the invoice, oldest first: the one before, then both.
    expect(outbox.events()[2]?.event).toMatchObject({ paymentIds: ['pay-0', 'pay-1', 'pay-2'] });
    expect(outbox.writer.appendAll).toHaveBeenCalledTimes(1);
  });

  it('gives each change a payment makes to an invoice the next version, which its events carry', async () => {
    stored.set(INV_B, anInvoice({ id: INV_B, number: 'B', total: Money.of('300.00', 'CNY'), version: 2n }));
    await apply(
      payment([{ invoiceId: INV_B, amount: '100.00' }], 'pay-1'),
      // Two allocations of one payment to one invoice are one change.
      payment(
        [
          { invoiceId: INV_B, amount: '50.00' },
          { invoiceId: INV_B, amount: '150.00' },
        ],
        'pay-2',
      ),
    );
    expect(written(0).invoices[0]?.version).toBe(3n);
    expect(written(1).invoices[0]?.version).toBe(4n);
    const versions = outbox
      .events()
      .filter((e) => e.topic !== Topic.AllocationRejected)
      .map((e) => [e.topic, (e.event as { invoiceVersion: bigint }).invoiceVersion]);
    expect(versions).toEqual([
      [Topic.InvoiceChanged, 3n],
      [Topic.InvoiceChanged, 4n],
      [Topic.InvoicePaid, 4n],
    ]);
  });

  it('applies a payment once when it comes twice in one batch (under two event ids)', async () => {
    const twice = payment([{ invoiceId: INV_A, amount: '100.00' }], 'pay-1');
    await apply(twice, twice);
    expect(invoices.recordPaymentApplications.mock.calls[0]?.[1]).toHaveLength(1);
    expect(written().invoices[0]?.open.toJSON().amount).toBe('900.00');
    expect(outbox.topics()).toEqual([Topic.InvoiceChanged]);
  });

  it('applies nothing, and rejects nothing, for a payment whose reversal came first', async () => {
    reversed.add('pay-2');
    await apply(
      payment([{ invoiceId: INV_A, amount: '100.00' }], 'pay-2'),
      payment([{ invoiceId: INV_B, amount: '100.00' }], 'pay-1'),
    );
    expect(invoices.recordPaymentApplications.mock.calls[0]?.[1]).toHaveLength(1);
    expect(written().paymentId).toBe('pay-1');
    expect(written().invoices.map((i) => i.id)).toEqual([INV_B]);
    expect(outbox.topics()).toEqual([Topic.InvoiceChanged]);
  });
});
