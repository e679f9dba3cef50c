import { Money } from '@duemap/money';
import type { OutboxWriter } from '@duemap/messaging';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { PaymentsErrorCode, PaymentsException } from '../../common/payments.exception';
import type { CustomerDirectory } from '../../customers/customer-directory';
import type { CustomerViewRepository } from '../../customers/customer-view.repository';
import type { InvoiceDirectory } from '../../invoices/invoice-directory';
import type { InvoiceViewRepository } from '../../invoices/invoice-view.repository';
import type { PayableInvoice } from '../cash-application';
import { requestHash, type PaymentRequest } from '../payment-request';
import { PaymentEntity } from '../payment.entity';
import type { PaymentView } from '../payment.view';
import type { PaymentsRepository } from '../payments.repository';
import { RecordPaymentUseCase } from './record-payment.usecase';

const request: PaymentRequest = {
  idempotencyKey: 'key-1',
  customerId: 'cust-1',
  amount: Money.of('150.00', 'CNY'),
  receivedAt: new Date('2025-03-31T08:00:00Z'),
  method: 'bank_transfer',
  reference: 'REF',
  allocations: [],
};

const openInvoice: PayableInvoice = {
  invoiceId: 'inv-1',
  customerId: 'cust-1',
  number: 'INV-1',
  kind: 'invoice',
  status: 'open',
  currency: 'CNY',
  issueDate: '2025-03-01',
  dueDate: '2025-03-31',
  open: Money.of('100.00', 'CNY'),
};

const storedView = { id: 'pay-1' } as PaymentView;

function existing(hash: string): PaymentEntity {
  return Object.assign(new PaymentEntity(), { id: 'pay-1', requestHash: hash });
}

function setup() {
  const em = { marker: 'tx' } as unknown as EntityManager;
  const dataSource = {
    manager: { marker: 'root' },
    transaction: jest.fn((work: (em: EntityManager) => Promise<unknown>) => work(em)),
  };
  const outbox = { append: jest.fn().mockResolvedValue('event-1') };
  const payments = {
    findByIdempotencyKey: jest.fn().mockResolvedValue(null),
    payableInvoices: jest.fn().mockResolvedValue([openInvoice]),
    invoicesByIds: jest.fn().mockResolvedValue([]),
    insert: jest.fn().mockResolvedValue(undefined),
    loadView: jest.fn().mockResolvedValue(storedView),
  };
  const customers = { lock: jest.fn().mockResolvedValue(true), insertFetched: jest.fn() };
  const customerDirectory = {
    resolve: jest
      .fn()
      .mockResolvedValue({ snapshot: { customerId: 'cust-1', name: 'ACME' }, fetched: false }),
  };
  const invoices = { insertFetched: jest.fn() };
  const invoiceDirectory = { fetchMissing: jest.fn().mockResolvedValue([]) };
  const useCase = new RecordPaymentUseCase(
    dataSource as unknown as DataSource,
    outbox as unknown as OutboxWriter,
    payments as unknown as PaymentsRepository,
    customers as unknown as CustomerViewRepository,
    customerDirectory as unknown as CustomerDirectory,
    invoices as unknown as InvoiceViewRepository,
    invoiceDirectory as unknown as InvoiceDirectory,
  );
  return { useCase, dataSource, outbox, payments, customers, customerDirectory, invoiceDirectory, em };
}

describe('RecordPaymentUseCase', () => {
  it('stores the payment with its allocations and one event, under the customer lock', async () => {
    const { useCase, outbox, payments, customers, em } = setup();
    const result = await useCase.execute(request);
    // The answer is built from what was written, not read back.
    expect(result.replayed).toBe(false);
    expect(result.payment).toMatchObject({
      customerId: 'cust-1',
      amount: { amount: '150.00', currency: 'CNY' },
      allocations: [{ invoiceId: 'inv-1', applied: { amount: '100.00', currency: 'CNY' } }],
      unapplied: { amount: '50.00', currency: 'CNY' },
    });
    expect(payments.loadView).not.toHaveBeenCalled();
    expect(customers.lock).toHaveBeenCalledWith(em, 'cust-1');
    const [[, stored]] = payments.insert.mock.calls as [
      [unknown, { payment: PaymentEntity; allocations: { appliedMinor: string; rule: string }[] }],
    ];
    expect(stored.payment).toMatchObject({ amountMinor: '15000', currency: 'CNY', idempotencyKey: 'key-1' });
    expect(stored.payment.requestHash).toBe(requestHash(request));
    expect(stored.allocations).toMatchObject([
      { invoiceId: 'inv-1', appliedMinor: '10000', rule: 'oldest_due_first' },
    ]);
    expect(outbox.append).toHaveBeenCalledTimes(1);
    const [[txEm, appended]] = outbox.append.mock.calls as [
      [unknown, { key: string; event: { unapplied: unknown; allocations: unknown[] } }],
    ];
    expect(txEm).toBe(em);
    expect(appended.key).toBe('cust-1');
    expect(appended.event.unapplied).toEqual({ amount: '50.00', currency: 'CNY' });
    expect(appended.event.allocations).toHaveLength(1);
  });

  it('replays the stored payment for the same key and body, storing nothing', async () => {
    const { useCase, payments, outbox, customers, em } = setup();
    payments.findByIdempotencyKey.mockResolvedValue(existing(requestHash(request)));
    await expect(useCase.execute(request)).resolves.toEqual({ payment: storedView, replayed: true });
    // The key is checked once, under the customer's lock.
    expect(customers.lock).toHaveBeenCalledWith(em, 'cust-1');
    expect(payments.findByIdempotencyKey).toHaveBeenCalledTimes(1);
    expect(payments.insert).not.toHaveBeenCalled();
    expect(outbox.append).not.toHaveBeenCalled();
  });

  it('refuses the same key with another body (409)', async () => {
    const { useCase, payments, outbox } = setup();
    payments.findByIdempotencyKey.mockResolvedValue(existing('another-hash'));
    await expect(useCase.execute(request)).rejects.toMatchObject({
      code: PaymentsErrorCode.IdempotencyKeyReused,
      status: 409,
    });
    expect(outbox.append).not.toHaveBeenCalled();
  });

  it('answers a twin that committed while it waited for the customer lock', async () => {
    const { useCase, payments, outbox } = setup();
    // The first read is already under the lock, so it sees the twin.
    payments.findByIdempotencyKey.mockResolvedValueOnce(existing(requestHash(request)));
    await expect(useCase.execute(request)).resolves.toMatchObject({ replayed: true });
    expect(payments.insert).not.toHaveBeenCalled();
    expect(outbox.append).not.toHaveBeenCalled();
  });

  it('turns a unique-key violation into the replay of the payment that won', async () => {
    const { useCase, payments } = setup();
    const violation = new QueryFailedError(
      'INSERT',
      [],
      Object.assign(new Error('duplicate key'), {
        code: '23505',
        constraint: 'payment_idempotency_key_uq',
      }),
    );
    payments.insert.mockRejectedValue(violation);
    payments.findByIdempotencyKey
      .mockResolvedValueOnce(null)
      .mockResolvedValueOnce(existing(requestHash(request)));
    await expect(useCase.execute(request)).resolves.toMatchObject({ replayed: true });
  });

  it('finds a known customer by its lock alone, without a lookup first', async () => {
    const { useCase, customerDirectory, dataSource } = setup();
    await useCase.execute(request);
    expect(customerDirectory.resolve).not.toHaveBeenCalled();
    expect(dataSource.transaction).toHaveBeenCalledTimes(1);
  });

  it('asks the customers service when the read model lacks the customer, and stops at an unknown one', async () => {
    const { useCase, customers, customerDirectory, payments, dataSource } = setup();
    customers.lock.mockResolvedValue(false);
    customerDirectory.resolve.mockRejectedValue(
      PaymentsException.forField(PaymentsErrorCode.CustomerNotFound, 'customerId', 'no such customer'),
    );
    await expect(useCase.execute(request)).rejects.toMatchObject({
      code: PaymentsErrorCode.CustomerNotFound,
    });
    expect(dataSource.transaction).toHaveBeenCalledTimes(1);
    expect(payments.insert).not.toHaveBeenCalled();
  });

  it('stores a customer the customers service knows with the payment, on the second try', async () => {
    const { useCase, customers, customerDirectory, em } = setup();
    customers.lock.mockResolvedValueOnce(false).mockResolvedValueOnce(true);
    const snapshot = { customerId: 'cust-1', name: 'ACME' };
    customerDirectory.resolve.mockResolvedValue({ snapshot, fetched: true });
    await expect(useCase.execute(request)).resolves.toMatchObject({ replayed: false });
    expect(customers.insertFetched).toHaveBeenCalledWith(em, snapshot);
  });

  it('stores customers and invoices fetched over HTTP inside the payment transaction', async () => {
    const { useCase, customerDirectory, customers, invoiceDirectory, payments, em } = setup();
    const snapshot = { customerId: 'cust-1', name: 'ACME' };
    customerDirectory.resolve.mockResolvedValue({ snapshot, fetched: true });
    const fetched = { invoiceId: 'inv-1' };
    invoiceDirectory.fetchMissing.mockResolvedValue([fetched]);
    payments.invoicesByIds.mockResolvedValue([openInvoice]);
    const explicit = { ...request, allocations: [{ invoiceId: 'inv-1', amount: Money.of('20.00', 'CNY') }] };
    await useCase.execute(explicit);
    expect(customers.insertFetched).toHaveBeenCalledWith(em, snapshot);
    expect(invoiceDirectory.fetchMissing).toHaveBeenCalledWith(expect.anything(), [
      { invoiceId: 'inv-1', field: 'allocations[0].invoiceId' },
    ]);
    const [[, stored]] = payments.insert.mock.calls as [
      [unknown, { allocations: { rule: string; appliedMinor: string }[] }],
    ];
    expect(stored.allocations).toMatchObject([{ rule: 'explicit', appliedMinor: '2000' }]);
  });

  it('checks allocations that need no invoice before any lookup', async () => {
    const { useCase, payments } = setup();
    const tooMuch = { ...request, allocations: [{ invoiceId: 'inv-1', amount: Money.of('150.01', 'CNY') }] };
    await expect(useCase.execute(tooMuch)).rejects.toMatchObject({
      code: PaymentsErrorCode.AllocationsExceedPayment,
    });
    expect(payments.findByIdempotencyKey).not.toHaveBeenCalled();
  });
});
