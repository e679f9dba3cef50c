import { InvoiceField, InvoiceStatus as ProtoStatus, Topic } from '@duemap/events';
import { Money, MoneyError } from '@duemap/money';
import { InvoicingErrorCode, InvoicingException } from '../../common/invoicing.exception';
import type { CustomerDirectory } from '../../customers/customer-directory';
import {
  anInvoice,
  CUSTOMER_ID,
  fakeClock,
  fakeDataSource,
  OTHER_CUSTOMER_ID,
  recordingOutbox,
  type RecordingOutbox,
} from '../../testing/invoice.fixtures';
import type { AppliedPayment, Invoice } from '../invoice.model';
import type { InvoiceRepository } from '../invoice.repository';
import { UpsertInvoiceUseCase, type UpsertInvoiceInput } from './upsert-invoice.usecase';

// 10:00 on 2025-03-20 in Shanghai.
const NOW = '2025-03-20T02:00:00Z';

const input = (overrides: Partial<UpsertInvoiceInput> = {}): UpsertInvoiceInput => ({
  source: { sourceSystem: 'sap', externalId: 'INV-1' },
  customerId: CUSTOMER_ID,
  number: 'INV-1',
  issueDate: '2025-03-01',
  dueDate: '2025-03-31',
  total: { amount: '1000.00', currency: 'CNY' },
  ...overrides,
});

describe('UpsertInvoiceUseCase', () => {
  let existing: Invoice | null;
  let payments: AppliedPayment[];
  let invoices: jest.Mocked<
    Pick<InvoiceRepository, 'findBySource' | 'insertIfAbsent' | 'update' | 'paymentsOf'>
  >;
  let customers: jest.Mocked<Pick<CustomerDirectory, 'resolve' | 'remember'>>;
  let outbox: RecordingOutbox;
  let useCase: UpsertInvoiceUseCase;

  beforeEach(() => {
    existing = null;
    payments = [];
    invoices = {
      findBySource: jest.fn().mockImplementation(() => Promise.resolve(existing)),
      insertIfAbsent: jest.fn().mockResolvedValue(true),
      update: jest.fn().mockResolvedValue(undefined),
      paymentsOf: jest.fn((_em, ids: readonly string[]) =>
        Promise.resolve(new Map(ids.map((id) => [id, payments]))),
      ),
    };
    customers = {
      resolve: jest.fn().mockResolvedValue({ id: CUSTOMER_ID, timeZone: 'Asia/Shanghai' }),
      remember: jest.fn().mockResolvedValue(undefined),
    };
    outbox = recordingOutbox();
    useCase = new UpsertInvoiceUseCase(
      fakeDataSource(),
      invoices as unknown as InvoiceRepository,
      customers as unknown as CustomerDirectory,
      outbox.writer,
      fakeClock(NOW),
    );
  });

  async function rejection(promise: Promise<unknown>): Promise<InvoicingException> {
    const err: unknown = await promise.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvoicingException);
    return err as InvoicingException;
  }

  describe('a new source record', () => {
    it('creates an open invoice and emits invoice-issued with the full state', async () => {
      const result = await useCase.execute(input());

      expect(result.created).toBe(true);
      expect(result.invoice).toMatchObject({
        status: 'open',
        customerId: CUSTOMER_ID,
        timeZone: 'Asia/Shanghai',
      });
      expect(result.invoice.open.toJSON()).toEqual({ amount: '1000.00', currency: 'CNY' });
      expect(result.invoice.overdueAt.toISOString()).toBe('2025-03-31T16:00:00.000Z');
      expect(invoices.insertIfAbsent).toHaveBeenCalledWith(expect.anything(), result.invoice);
      expect(outbox.topics()).toEqual([Topic.InvoiceIssued]);
      const [issued] = outbox.events();
      expect(issued?.key).toBe(CUSTOMER_ID);
      expect(issued?.event).toMatchObject({
        customerId: CUSTOMER_ID,
        invoiceId: result.invoice.id,
        number: 'INV-1',
        status: ProtoStatus.OPEN,
        openAmount: { amount: '1000.00', currency: 'CNY' },
        total: { amount: '1000.00', currency: 'CNY' },
        dueDate: expect.objectContaining({ year: 2025, month: 3, day: 31 }),
        source: { sourceSystem: 'sap', externalId: 'INV-1' },
      });
    });

    it('gives the new invoice version 1, which invoice-issued and its follow-up carry', async () => {
      const result = await useCase.execute(input({ dueDate: '2025-03-10' }));
      expect(result.invoice).toMatchObject({ version: 1n });
      expect(outbox.topics()).toEqual([Topic.InvoiceIssued, Topic.InvoiceOverdue]);
      expect(outbox.events().map((e) => (e.event as { invoiceVersion: bigint }).invoiceVersion)).toEqual([
        1n,
        1n,
      ]);
    });

    it('keeps the customer reference of the source and puts it in invoice-issued', async () => {
      const ref = { sourceSystem: 'kingdee', externalId: 'C-9' };
      const result = await useCase.execute(input({ customerId: undefined, customer: ref }));

      expect(customers.resolve).toHaveBeenCalledWith({ source: ref });
      expect(result.invoice.customerSource).toEqual(ref);
      expect(outbox.events()[0]?.event).toMatchObject({ customerSource: ref });
    });

    it('issues an invoice that is already past due as overdue, followed by invoice-overdue', async () => {
      const result = await useCase.execute(input({ dueDate: '2025-03-19' }));

      expect(result.invoice.status).toBe('overdue');
      expect(outbox.topics()).toEqual([Topic.InvoiceIssued, Topic.InvoiceOverdue]);
      expect(outbox.events()[0]?.event).toMatchObject({ status: ProtoStatus.OVERDUE });
      expect(outbox.events()[1]?.event).toMatchObject({
        overdueSince: expect.objectContaining({ year: 2025, month: 3, day: 20 }),
        timeZone: 'Asia/Shanghai',
      });
    });

    it('does not call an invoice due today overdue', async () => {
      const result = await useCase.execute(input({ dueDate: '2025-03-20' }));
      expect(result.invoice.status).toBe('open');
    });

    it('normalises lines: numbered from 1, canonical amounts', async () => {
      const result = await useCase.execute(
        input({
          total: { amount: '490', currency: 'CNY' },
          lines: [
            {
              description: 'A',
              quantity: '2',
              unitPrice: { amount: '250', currency: 'CNY' },
              amount: { amount: '500.0', currency: 'CNY' },
            },
            { description: 'Discount', amount: { amount: '-10', currency: 'CNY' } },
          ],
        }),
      );
      expect(result.invoice.lines).toEqual([
        {
          lineNumber: 1,
          description: 'A',
          quantity: '2',
          amount: { amount: '500.00', currency: 'CNY' },
          unitPrice: { amount: '250.00', currency: 'CNY' },
        },
        {
          lineNumber: 2,
          description: 'Discount',
          quantity: '',
          amount: { amount: '-10.00', currency: 'CNY' },
        },
      ]);
    });
  });

  describe('a first delivery that loses the race to another one of the same source', () => {
    it('creates nothing and updates the invoice the other created, read again under lock', async () => {
      const other = anInvoice({ number: 'INV-0' });
      invoices.findBySource.mockResolvedValueOnce(null).mockResolvedValueOnce(other);
      invoices.insertIfAbsent.mockResolvedValue(false);

      const result = await useCase.execute(input());

      expect(invoices.findBySource).toHaveBeenLastCalledWith(expect.anything(), input().source, {
        lock: true,
      });
      expect(result.created).toBe(false);
      expect(invoices.update).toHaveBeenCalledWith(expect.anything(), result.invoice);
      expect(outbox.topics()).toEqual([Topic.InvoiceChanged]);
      expect(outbox.events()[0]?.event).toMatchObject({ invoiceId: other.id, number: 'INV-1' });
    });
  });

  describe('refuses bad input before touching anything', () => {
    afterEach(() => {
      expect(invoices.insertIfAbsent).not.toHaveBeenCalled();
      expect(invoices.update).not.toHaveBeenCalled();
      expect(outbox.events()).toEqual([]);
    });

    it('both customerId and customer -> 400 naming both', async () => {
      const err = await rejection(
        useCase.execute(input({ customer: { sourceSystem: 'erp', externalId: 'C1' } })),
      );
      expect(err.code).toBe(InvoicingErrorCode.CustomerReferenceAmbiguous);
      expect(err.status).toBe(400);
      expect(err.details.map((d) => d.field)).toEqual(['customerId', 'customer']);
    });

    it('neither customerId nor customer -> 400', async () => {
      const err = await rejection(useCase.execute(input({ customerId: undefined })));
      expect(err.code).toBe(InvoicingErrorCode.CustomerReferenceMissing);
      expect(err.status).toBe(400);
      expect(customers.resolve).not.toHaveBeenCalled();
    });

    it('a zero total -> 422 on total.amount', async () => {
      const err = await rejection(useCase.execute(input({ total: { amount: '0.00', currency: 'CNY' } })));
      expect(err.code).toBe(InvoicingErrorCode.TotalNotPositive);
      expect(err.details[0]?.field).toBe('total.amount');
    });

    it('a negative total or an unknown currency -> MoneyError naming the field', async () => {
      await expect(
        useCase.execute(input({ total: { amount: '-5.00', currency: 'CNY' } })),
      ).rejects.toMatchObject({
        code: 'NEGATIVE_NOT_ALLOWED',
        field: 'total.amount',
      });
      await expect(
        useCase.execute(input({ total: { amount: '5.00', currency: 'ABC' } })),
      ).rejects.toBeInstanceOf(MoneyError);
    });

    it('a line in another currency -> 422 naming the line', async () => {
      const err = await rejection(
        useCase.execute(
          input({ lines: [{ description: 'x', amount: { amount: '1.00', currency: 'USD' } }] }),
        ),
      );
      expect(err.code).toBe(InvoicingErrorCode.LineCurrencyMismatch);
      expect(err.details[0]?.field).toBe('lines[0].amount.currency');
    });

    it('an unknown customer -> the directory 404 passes through', async () => {
      customers.resolve.mockRejectedValue(
        InvoicingException.forField(InvoicingErrorCode.CustomerNotFound, 'customerId', 'no customer'),
      );
      const err = await rejection(useCase.execute(input()));
      expect(err.status).toBe(404);
      expect(err.details[0]?.field).toBe('customerId');
    });
  });

  describe('a known source record', () => {
    beforeEach(() => {
      existing = anInvoice();
    });

    it('answers the same body with 200, no write and no event', async () => {
      const result = await useCase.execute(input());

      expect(result.created).toBe(false);
      expect(result.invoice).toBe(existing);
      expect(invoices.update).not.toHaveBeenCalled();
      expect(outbox.events()).toEqual([]);
    });

    it('emits invoice-changed naming what changed', async () => {
      const result = await useCase.execute(
        input({ number: 'INV-1a', total: { amount: '1200.00', currency: 'CNY' } }),
      );

      expect(invoices.update).toHaveBeenCalledWith(expect.anything(), result.invoice);
      expect(outbox.topics()).toEqual([Topic.InvoiceChanged]);
      expect(outbox.events()[0]?.event).toMatchObject({
        changedFields: [InvoiceField.NUMBER, InvoiceField.TOTAL, InvoiceField.OPEN_AMOUNT],
        openAmount: { amount: '1200.00', currency: 'CNY' },
        previousCustomerId: '',
      });
    });

    it('writes the next version with the change, and every event of the change carries it', async () => {
      existing = anInvoice({ version: 3n });
      const result = await useCase.execute(input({ dueDate: '2025-03-10' }));
      expect(invoices.update).toHaveBeenCalledWith(
        expect.anything(),
        expect.objectContaining({ version: 4n }),
      );
      expect(result.invoice.version).toBe(4n);
      expect(outbox.topics()).toEqual([Topic.InvoiceChanged, Topic.InvoiceOverdue]);
      expect(outbox.events().map((e) => (e.event as { invoiceVersion: bigint }).invoiceVersion)).toEqual([
        4n,
        4n,
      ]);
    });

    it('moves the due date into the past: overdue at once, with invoice-overdue', async () => {
      const result = await useCase.execute(input({ dueDate: '2025-03-10' }));

      expect(result.invoice.status).toBe('overdue');
      expect(outbox.topics()).toEqual([Topic.InvoiceChanged, Topic.InvoiceOverdue]);
      expect(outbox.events()[0]?.event).toMatchObject({
        changedFields: [InvoiceField.DUE_DATE, InvoiceField.STATUS],
      });
    });

    it('moves the due date out again: overdue becomes open', async () => {
      existing = anInvoice({ dueDate: '2025-03-10', status: 'overdue' });
      const result = await useCase.execute(input({ dueDate: '2025-04-30' }));
      expect(result.invoice.status).toBe('open');
      expect(outbox.topics()).toEqual([Topic.InvoiceChanged]);
    });

    it('moves an unpaid invoice to another customer, naming the previous one', async () => {
      customers.resolve.mockResolvedValue({ id: OTHER_CUSTOMER_ID, timeZone: 'UTC' });
      await useCase.execute(input({ customerId: OTHER_CUSTOMER_ID }));
      const [changed] = outbox.events();
      expect(changed?.key).toBe(OTHER_CUSTOMER_ID);
      expect(changed?.event).toMatchObject({
        changedFields: [InvoiceField.CUSTOMER],
        previousCustomerId: CUSTOMER_ID,
      });
    });

    it('refuses to change a void invoice (409)', async () => {
      existing = anInvoice({ status: 'void', open: Money.zero('CNY'), voidedAt: new Date() });
      const err = await rejection(useCase.execute(input({ number: 'X' })));
      expect(err.code).toBe(InvoicingErrorCode.InvoiceVoided);
      expect(err.status).toBe(409);
      expect(invoices.update).not.toHaveBeenCalled();
    });

    describe('with payments applied', () => {
      beforeEach(() => {
        existing = anInvoice({ paid: Money.of('400.00', 'CNY'), status: 'partially_paid' });
        payments = [{ paymentId: 'pay-1', applied: Money.of('400.00', 'CNY'), appliedAt: new Date() }];
      });

      it('refuses a new currency (422 on total.currency)', async () => {
        const err = await rejection(
          useCase.execute(input({ total: { amount: '1000.00', currency: 'USD' } })),
        );
        expect(err.code).toBe(InvoicingErrorCode.CurrencyChangeNotAllowed);
        expect(err.details[0]?.field).toBe('total.currency');
      });

      it('refuses a total below what was paid (422 on total.amount)', async () => {
        const err = await rejection(useCase.execute(input({ total: { amount: '399.99', currency: 'CNY' } })));
        expect(err.code).toBe(InvoicingErrorCode.TotalBelowPaid);
        expect(err.details[0]?.field).toBe('total.amount');
      });

      it('refuses to move the invoice to another customer (422)', async () => {
        customers.resolve.mockResolvedValue({ id: OTHER_CUSTOMER_ID, timeZone: 'UTC' });
        const err = await rejection(useCase.execute(input({ customerId: OTHER_CUSTOMER_ID })));
        expect(err.code).toBe(InvoicingErrorCode.CustomerChangeNotAllowed);
        expect(err.details[0]?.field).toBe('customerId');
      });

      it('a total lowered to exactly what was paid settles it: invoice-changed + invoice-paid', async () => {
        const result = await useCase.execute(input({ total: { amount: '400.00', currency: 'CNY' } }));

        expect(result.invoice.status).toBe('paid');
        expect(result.invoice.open.isZero()).toBe(true);
        expect(outbox.topics()).toEqual([Topic.InvoiceChanged, Topic.InvoicePaid]);
        expect(outbox.events()[1]?.event).toMatchObject({ paymentIds: ['pay-1'] });
      });

      it('keeps paid and recomputes open when the total rises', async () => {
        const result = await useCase.execute(input({ total: { amount: '1500.00', currency: 'CNY' } }));
        expect(result.invoice.paid.toJSON().amount).toBe('400.00');
        expect(result.invoice.open.toJSON().amount).toBe('1100.00');
        expect(result.invoice.status).toBe('partially_paid');
      });
    });
  });
});
