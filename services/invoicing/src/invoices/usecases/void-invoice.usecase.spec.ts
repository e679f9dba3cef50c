import { InvoiceField, InvoiceStatus as ProtoStatus, Topic } from '@duemap/events';
import { Money } from '@duemap/money';
import { InvoicingErrorCode } from '../../common/invoicing.exception';
import {
  anInvoice,
  fakeClock,
  fakeDataSource,
  INVOICE_ID,
  recordingOutbox,
  type RecordingOutbox,
} from '../../testing/invoice.fixtures';
import type { Invoice } from '../invoice.model';
import type { InvoiceRepository } from '../invoice.repository';
import { VoidInvoiceUseCase } from './void-invoice.usecase';

describe('VoidInvoiceUseCase', () => {
  let existing: Invoice | null;
  let invoices: jest.Mocked<Pick<InvoiceRepository, 'findById' | 'update'>>;
  let outbox: RecordingOutbox;
  let useCase: VoidInvoiceUseCase;

  beforeEach(() => {
    existing = anInvoice({ status: 'overdue', dueDate: '2025-03-10' });
    invoices = {
      findById: jest.fn().mockImplementation(() => Promise.resolve(existing)),
      update: jest.fn().mockResolvedValue(undefined),
    };
    outbox = recordingOutbox();
    useCase = new VoidInvoiceUseCase(
      fakeDataSource(),
      invoices as unknown as InvoiceRepository,
      outbox.writer,
      fakeClock('2025-03-20T02:00:00Z'),
    );
  });

  it('voids: nothing open, invoice-voided with what it took off, then invoice-changed', async () => {
    const view = await useCase.execute({ id: INVOICE_ID, reason: 'issued twice' });

    expect(view).toMatchObject({
      status: 'void',
      openAmount: { amount: '0.00', currency: 'CNY' },
      voidReason: 'issued twice',
    });
    expect(invoices.findById).toHaveBeenCalledWith(expect.anything(), INVOICE_ID, { lock: true });
    expect(outbox.topics()).toEqual([Topic.InvoiceVoided, Topic.InvoiceChanged]);
    expect(outbox.events()[0]?.event).toMatchObject({
      voidedOpenAmount: { amount: '1000.00', currency: 'CNY' },
      reason: 'issued twice',
    });
    expect(outbox.events()[1]?.event).toMatchObject({
      status: ProtoStatus.VOID,
      changedFields: [InvoiceField.OPEN_AMOUNT, InvoiceField.STATUS],
    });
  });

  it('voids as the next version of the invoice, which both events carry', async () => {
    existing = anInvoice({ status: 'overdue', dueDate: '2025-03-10', version: 6n });
    await useCase.execute({ id: INVOICE_ID });
    expect(invoices.update).toHaveBeenCalledWith(expect.anything(), expect.objectContaining({ version: 7n }));
    expect(outbox.events().map((e) => (e.event as { invoiceVersion: bigint }).invoiceVersion)).toEqual([
      7n,
      7n,
    ]);
  });

  it('answers 404 for an unknown invoice', async () => {
    existing = null;
    await expect(useCase.execute({ id: INVOICE_ID })).rejects.toMatchObject({
      code: InvoicingErrorCode.InvoiceNotFound,
      status: 404,
    });
  });

  it('answers 409 for an invoice that is void already', async () => {
    existing = anInvoice({ status: 'void', open: Money.zero('CNY') });
    await expect(useCase.execute({ id: INVOICE_ID })).rejects.toMatchObject({
      code: InvoicingErrorCode.InvoiceVoided,
      status: 409,
    });
    expect(invoices.update).not.toHaveBeenCalled();
  });

  it('answers 409 for an invoice with payments applied', async () => {
    existing = anInvoice({ paid: Money.of('1.00', 'CNY'), status: 'partially_paid' });
    await expect(useCase.execute({ id: INVOICE_ID })).rejects.toMatchObject({
      code: InvoicingErrorCode.InvoiceHasPayments,
      status: 409,
    });
    expect(outbox.events()).toEqual([]);
  });
});
