import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { AllocationRejectionReason, createEvent, InvoiceField, Topic } from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import { Money } from '@duemap/money';
import type { Invoice } from '../../invoices/invoice.model';
import type { InvoiceRepository } from '../../invoices/invoice.repository';
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
  let invoices: jest.Mocked<
    Pick<
      InvoiceRepository,
      'invoicesHandledForPayment' | 'lockMany' | 'recordPayment' | 'paymentsOf' | 'update' | 'recordRejection'
    >
  >;
  let outbox: RecordingOutbox;
  let useCase: ApplyPaymentUseCase;

  beforeEach(() => {
    stored = new Map([
      [INV_A, anInvoice({ id: INV_A, number: 'A', total: Money.of('1000.00', 'CNY') })],
      [INV_B, anInvoice({ id: INV_B, number: 'B', total: Money.of('300.00', 'CNY') })],
    ]);
    handled = new Set();
    invoices = {
      invoicesHandledForPayment: jest.fn().mockImplementation(() => Promise.resolve(handled)),
      lockMany: jest.fn((_em, ids: readonly string[]) =>
        Promise.resolve(
          new Map(ids.flatMap((id) => (stored.has(id) ? [[id, stored.get(id) as Invoice]] : []))),
        ),
      ),
      recordPayment: jest.fn().mockResolvedValue(undefined),
      paymentsOf: jest.fn((_em, ids: readonly string[]) =>
        Promise.resolve(
          new Map(
            ids.map((id) => [
              id,
              [{ paymentId: 'pay-1', applied: Money.of('1', 'CNY'), appliedAt: new Date() }],
            ]),
          ),
        ),
      ),
      update: jest.fn().mockResolvedValue(undefined),
      recordRejection: jest.fn().mockResolvedValue(undefined),
    };
    outbox = recordingOutbox();
    useCase = new ApplyPaymentUseCase(
      invoices as unknown as InvoiceRepository,
      outbox.writer,
      fakeClock(NOW),
    );
  });

  const updated = (id: string): Invoice | undefined =>
    invoices.update.mock.calls.map(([, invoice]) => invoice).find((invoice) => invoice.id === id);

  it('applies a partial amount: partially paid, invoice-changed with the new open amount', async () => {
    await useCase.execute(payment([{ invoiceId: INV_A, amount: '400.00' }]), fakeEm);

    expect(updated(INV_A)).toMatchObject({ status: 'partially_paid' });
    expect(updated(INV_A)?.open.toJSON().amount).toBe('600.00');
    expect(invoices.recordPayment).toHaveBeenCalledWith(
      fakeEm,
      'pay-1',
      INV_A,
      Money.of('400.00', 'CNY'),
      new Date(NOW),
    );
    expect(outbox.topics()).toEqual([Topic.InvoiceChanged]);
    expect(outbox.events()[0]?.event).toMatchObject({
      changedFields: [InvoiceField.OPEN_AMOUNT, InvoiceField.STATUS],
      openAmount: { amount: '600.00', currency: 'CNY' },
    });
  });

  it('settles an invoice: paid, invoice-changed + invoice-paid with the payment ids', async () => {
    await useCase.execute(payment([{ invoiceId: INV_B, amount: '300.00' }]), fakeEm);

    expect(updated(INV_B)).toMatchObject({ status: 'paid' });
    expect(outbox.topics()).toEqual([Topic.InvoiceChanged, Topic.InvoicePaid]);
    expect(outbox.events()[1]?.event).toMatchObject({ invoiceId: INV_B, paymentIds: ['pay-1'] });
  });

  it('applies what fits and rejects the excess over the open amount', async () => {
    await useCase.execute(payment([{ invoiceId: INV_B, amount: '350.00' }]), fakeEm);

    expect(updated(INV_B)).toMatchObject({ status: 'paid' });
    expect(invoices.recordPayment).toHaveBeenCalledWith(
      fakeEm,
      'pay-1',
      INV_B,
      Money.of('300.00', 'CNY'),
      expect.any(Date),
    );
    const rejected = outbox.events().find((e) => e.topic === Topic.AllocationRejected);
    expect(rejected?.event).toMatchObject({
      paymentId: 'pay-1',
      invoiceId: INV_B,
      requested: { amount: '350.00', currency: 'CNY' },
      rejected: { amount: '50.00', currency: 'CNY' },
      reason: AllocationRejectionReason.EXCEEDS_OPEN_AMOUNT,
    });
    expect(invoices.recordRejection).toHaveBeenCalledWith(
      fakeEm,
      expect.objectContaining({ reason: 'EXCEEDS_OPEN_AMOUNT', rejected: Money.of('50.00', 'CNY') }),
    );
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
    await useCase.execute(payment([{ invoiceId, amount: '100.00' }]), fakeEm);

    expect(invoices.update).not.toHaveBeenCalled();
    expect(invoices.recordPayment).not.toHaveBeenCalled();
    expect(outbox.topics()).toEqual([Topic.AllocationRejected]);
    expect(outbox.events()[0]?.event).toMatchObject({
      invoiceId,
      reason,
      rejected: { amount: '100.00', currency: 'CNY' },
    });
    expect(outbox.events()[0]?.key).toBe(CUSTOMER_ID);
  });

  it('rejects an allocation in another currency than the invoice', async () => {
    await useCase.execute(payment([{ invoiceId: INV_A, amount: '100.00', currency: 'USD' }]), fakeEm);
    expect(outbox.events()[0]?.event).toMatchObject({ reason: AllocationRejectionReason.CURRENCY_MISMATCH });
    expect(invoices.update).not.toHaveBeenCalled();
  });

  it('applies several allocations of one payment, one event per changed invoice', async () => {
    await useCase.execute(
      payment([
        { invoiceId: INV_A, amount: '100.00' },
        { invoiceId: INV_B, amount: '300.00' },
        { invoiceId: INV_A, amount: '50.00' },
      ]),
      fakeEm,
    );
    expect(updated(INV_A)?.open.toJSON().amount).toBe('850.00');
    expect(outbox.topics()).toEqual([Topic.InvoiceChanged, Topic.InvoiceChanged, Topic.InvoicePaid]);
  });

  it('turns an invoice past due but not yet scanned overdue when a partial payment lands', async () => {
    stored.set(INV_A, anInvoice({ id: INV_A, dueDate: '2025-03-10' }));
    await useCase.execute(payment([{ invoiceId: INV_A, amount: '100.00' }]), fakeEm);
    expect(updated(INV_A)?.status).toBe('overdue');
    expect(outbox.topics()).toEqual([Topic.InvoiceChanged, Topic.InvoiceOverdue]);
  });

  it('skips invoices this payment already touched (the same payment under another event id)', async () => {
    handled = new Set([INV_A]);
    await useCase.execute(payment([{ invoiceId: INV_A, amount: '100.00' }]), fakeEm);
    expect(invoices.lockMany).not.toHaveBeenCalled();
    expect(outbox.events()).toEqual([]);
  });

  it('dead-letters an allocation that breaks the contract (not positive)', async () => {
    await expect(
      useCase.execute(payment([{ invoiceId: INV_A, amount: '0' }]), fakeEm),
    ).rejects.toBeInstanceOf(FatalEventError);
    expect(outbox.events()).toEqual([]);
  });
});
