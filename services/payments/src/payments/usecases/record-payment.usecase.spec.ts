import { fromBinary } from '@bufbuild/protobuf';
import { PaymentReceivedSchema, Topic } from '@duemap/events';
import { Money } from '@duemap/money';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import type { OutboxRow } from '@duemap/messaging';
import { PaymentsErrorCode, PaymentsException } from '../../common/payments.exception';
import type { PaymentsConfig } from '../../config';
import type { CustomerDirectory } from '../../customers/customer-directory';
import type { CustomerViewRepository } from '../../customers/customer-view.repository';
import type { InvoiceDirectory } from '../../invoices/invoice-directory';
import type { InvoiceViewRepository } from '../../invoices/invoice-view.repository';
import type { PayableInvoice } from '../cash-application';
import { requestHash, type PaymentRequest } from '../payment-request';
import { PaymentEntity } from '../payment.entity';
import type { PaymentView } from '../payment.view';
import type { PaymentAsk, PaymentsRepository } from '../payments.repository';
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

type Grounds = { twin: { id: string; requestHash: string } | null; invoices: PayableInvoice[] };

const grounds = (over: { twin?: { id: string; requestHash: string }; invoices?: PayableInvoice[] } = {}) =>
  ({
    twin: over.twin ?? null,
    invoices: over.invoices ?? [openInvoice],
  }) satisfies Grounds;

function setup() {
  const em = { marker: 'tx' } as unknown as EntityManager;
  const dataSource = {
    manager: { marker: 'root' },
    transaction: jest.fn((work: (em: EntityManager) => Promise<unknown>) => work(em)),
  };
  const config = { SERVICE_NAME: 'payments' } as PaymentsConfig;
  const payments = {
    findByIdempotencyKey: jest.fn().mockResolvedValue(null),
    lockForPayments: jest.fn((_em: unknown, asks: PaymentAsk[]): Promise<(Grounds | null)[]> =>
      Promise.resolve(asks.map(() => grounds())),
    ),
    insertWithEvents: jest.fn().mockResolvedValue(undefined),
    loadView: jest.fn().mockResolvedValue(storedView),
  };
  const customers = { insertFetched: jest.fn() };
  const customerDirectory = {
    resolve: jest
      .fn()
      .mockResolvedValue({ snapshot: { customerId: 'cust-1', name: 'ACME' }, fetched: false }),
  };
  const invoices = { insertFetched: jest.fn() };
  const invoiceDirectory = { fetchMissing: jest.fn().mockResolvedValue([]) };
  const useCase = new RecordPaymentUseCase(
    dataSource as unknown as DataSource,
    config,
    payments as unknown as PaymentsRepository,
    customers as unknown as CustomerViewRepository,
    customerDirectory as unknown as CustomerDirectory,
    invoices as unknown as InvoiceViewRepository,
    invoiceDirectory as unknown as InvoiceDirectory,
  );
  return { useCase, dataSource, payments, customers, customerDirectory, invoiceDirectory, em };
}

type Stored = { payment: PaymentEntity; allocations: { appliedMinor: string; rule: string }[] };
type Written = { payment: Stored; event: OutboxRow }[];

/** The one insert's transaction and its first payment with its event. */
function written(payments: ReturnType<typeof setup>['payments']): [unknown, Stored, OutboxRow] {
  const calls = payments.insertWithEvents.mock.calls as [unknown, Written][];
  expect(calls).toHaveLength(1);
  const [em, rows] = calls[0] as [unknown, Written];
  expect(rows).toHaveLength(1);
  const [row] = rows as [Written[number]];
  return [em, row.payment, row.event];
}

describe('RecordPaymentUseCase', () => {
  it('reads under the customer lock, then stores the payment, its allocations and its event in one call', async () => {
    const { useCase, payments, em } = setup();
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
    expect(payments.findByIdempotencyKey).not.toHaveBeenCalled();
    expect(payments.lockForPayments).toHaveBeenCalledWith(em, [
      { customerId: 'cust-1', idempotencyKey: 'key-1', selection: { currency: 'CNY' } },
    ]);
    const [txEm, stored, event] = written(payments);
    expect(txEm).toBe(em);
    expect(stored.payment).toMatchObject({ amountMinor: '15000', currency: 'CNY', idempotencyKey: 'key-1' });
    expect(stored.payment.requestHash).toBe(requestHash(request));
    expect(stored.allocations).toMatchObject([
      { invoiceId: 'inv-1', appliedMinor: '10000', rule: 'oldest_due_first' },
    ]);
    expect(event).toMatchObject({ topic: Topic.PaymentReceived, messageKey: 'cust-1' });
    expect(event.headers).toMatchObject({ producer: 'payments', 'event-id': event.eventId });
    const decoded = fromBinary(PaymentReceivedSchema, event.payload);
    expect(decoded.paymentId).toBe(stored.payment.id);
    expect(decoded.unapplied).toMatchObject({ amount: '50.00', currency: 'CNY' });
    expect(decoded.allocations).toHaveLength(1);
    expect(decoded.source).toMatchObject({ sourceSystem: 'api', externalId: 'key-1' });
  });

  it('replays the stored payment for the same key and body, storing nothing', async () => {
    const { useCase, payments, em } = setup();
    payments.lockForPayments.mockResolvedValue([grounds({ twin: existing(requestHash(request)) })]);
    await expect(useCase.execute(request)).resolves.toEqual({ payment: storedView, replayed: true });
    // The key is checked once, by the read under the customer's lock.
    expect(payments.lockForPayments).toHaveBeenCalledTimes(1);
    expect(payments.findByIdempotencyKey).not.toHaveBeenCalled();
    expect(payments.loadView).toHaveBeenCalledWith(em, 'pay-1');
    expect(payments.insertWithEvents).not.toHaveBeenCalled();
  });

  it('refuses the same key with another body (409)', async () => {
    const { useCase, payments } = setup();
    payments.lockForPayments.mockResolvedValue([grounds({ twin: existing('another-hash') })]);
    await expect(useCase.execute(request)).rejects.toMatchObject({
      code: PaymentsErrorCode.IdempotencyKeyReused,
      status: 409,
    });
    expect(payments.insertWithEvents).not.toHaveBeenCalled();
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
    payments.insertWithEvents.mockRejectedValue(violation);
    payments.findByIdempotencyKey.mockResolvedValueOnce(existing(requestHash(request)));
    await expect(useCase.execute(request)).resolves.toMatchObject({ replayed: true });
  });

  it('finds a known customer by its lock alone, without a lookup first', async () => {
    const { useCase, customerDirectory, dataSource } = setup();
    await useCase.execute(request);
    expect(customerDirectory.resolve).not.toHaveBeenCalled();
    expect(dataSource.transaction).toHaveBeenCalledTimes(1);
  });

  it('asks the customers service when the read model lacks the customer, and stops at an unknown one', async () => {
    const { useCase, customerDirectory, payments, dataSource } = setup();
    payments.lockForPayments.mockResolvedValue([null]);
    customerDirectory.resolve.mockRejectedValue(
      PaymentsException.forField(PaymentsErrorCode.CustomerNotFound, 'customerId', 'no such customer'),
    );
    await expect(useCase.execute(request)).rejects.toMatchObject({
      code: PaymentsErrorCode.CustomerNotFound,
    });
    expect(dataSource.transaction).toHaveBeenCalledTimes(1);
    expect(payments.insertWithEvents).not.toHaveBeenCalled();
  });

  it('stores a customer the customers service knows with the payment, on the second try', async () => {
    const { useCase, customers, customerDirectory, payments, em } = setup();
    payments.lockForPayments.mockResolvedValueOnce([null]).mockResolvedValueOnce([grounds()]);
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
    const explicit = { ...request, allocations: [{ invoiceId: 'inv-1', amount: Money.of('20.00', 'CNY') }] };
    await useCase.execute(explicit);
    expect(customers.insertFetched).toHaveBeenCalledWith(em, snapshot);
    expect(invoiceDirectory.fetchMissing).toHaveBeenCalledWith(expect.anything(), [
      { invoiceId: 'inv-1', field: 'allocations[0].invoiceId' },
    ]);
    expect(payments.lockForPayments).toHaveBeenCalledWith(em, [
      { customerId: 'cust-1', idempotencyKey: 'key-1', selection: { invoiceIds: ['inv-1'] } },
    ]);
    const [, stored] = written(payments);
    expect(stored.allocations).toMatchObject([{ rule: 'explicit', appliedMinor: '2000' }]);
  });

  it('names the allocation of an invoice the read does not return', async () => {
    const { useCase, payments } = setup();
    payments.lockForPayments.mockResolvedValue([grounds({ invoices: [] })]);
    const explicit = { ...request, allocations: [{ invoiceId: 'inv-9', amount: Money.of('20.00', 'CNY') }] };
    await expect(useCase.execute(explicit)).rejects.toMatchObject({
      code: PaymentsErrorCode.InvoiceNotFound,
    });
    expect(payments.insertWithEvents).not.toHaveBeenCalled();
  });

  it('checks allocations that need no invoice before any lookup', async () => {
    const { useCase, payments } = setup();
    const tooMuch = { ...request, allocations: [{ invoiceId: 'inv-1', amount: Money.of('150.01', 'CNY') }] };
    await expect(useCase.execute(tooMuch)).rejects.toMatchObject({
      code: PaymentsErrorCode.AllocationsExceedPayment,
    });
    expect(payments.lockForPayments).not.toHaveBeenCalled();
  });

  describe('concurrent requests (group commit)', () => {
    const of = (customerId: string, key = `key-${customerId}`): PaymentRequest => ({
      ...request,
      customerId,
      idempotencyKey: key,
    });

    it('decides and stores concurrent payments of different customers in one transaction', async () => {
      const { useCase, payments, dataSource } = setup();
      const first = useCase.execute(of('c-0'));
      const rest = ['c-1', 'c-2', 'c-3'].map((c) => useCase.execute(of(c)));
      const answers = await Promise.all([first, ...rest]);
      expect(answers.map((a) => a.payment.customerId)).toEqual(['c-0', 'c-1', 'c-2', 'c-3']);
      // The first went alone (nothing was running); the three that came meanwhile went together.
      expect(dataSource.transaction).toHaveBeenCalledTimes(2);
      const asks = payments.lockForPayments.mock.calls.map(([, a]) =>
        (a as { customerId: string }[]).map((x) => x.customerId),
      );
      expect(asks).toEqual([['c-0'], ['c-1', 'c-2', 'c-3']]);
      const inserts = payments.insertWithEvents.mock.calls as [unknown, Written][];
      expect(inserts.map(([, rows]) => rows.map((r) => r.event.messageKey))).toEqual([
        ['c-0'],
        ['c-1', 'c-2', 'c-3'],
      ]);
    });

    it('never puts two payments of one customer or one key in the same transaction', async () => {
      const { useCase, payments } = setup();
      const first = useCase.execute(of('c-0'));
      const rest = [of('c-1'), of('c-1', 'other-key'), of('c-2', 'key-c-1'), of('c-3')].map((r) =>
        useCase.execute(r),
      );
      await Promise.all([first, ...rest]);
      const asks = payments.lockForPayments.mock.calls.map(([, a]) =>
        (a as { customerId: string; idempotencyKey: string }[]).map(
          (x) => `${x.customerId}/${x.idempotencyKey}`,
        ),
      );
      expect(asks).toEqual([
        ['c-0/key-c-0'],
        ['c-1/key-c-1', 'c-3/key-c-3'],
        ['c-1/other-key', 'c-2/key-c-1'],
      ]);
    });

    it('answers a refused request on its own and commits the others of its transaction', async () => {
      const { useCase, payments } = setup();
      payments.lockForPayments.mockImplementation((_em: unknown, asks: PaymentAsk[]) =>
        Promise.resolve(
          asks.map((a) => (a.customerId === 'c-2' ? grounds({ twin: existing('another-hash') }) : grounds())),
        ),
      );
      const first = useCase.execute(of('c-0'));
      const rest = ['c-1', 'c-2', 'c-3'].map((c) => useCase.execute(of(c)));
      const settled = await Promise.allSettled([first, ...rest]);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({
        code: PaymentsErrorCode.IdempotencyKeyReused,
      });
      const [, rows] = payments.insertWithEvents.mock.calls[1] as [unknown, Written];
      expect(rows.map((r) => r.event.messageKey)).toEqual(['c-1', 'c-3']);
    });

    it('tries each request again alone when their shared transaction fails', async () => {
      const { useCase, payments, dataSource } = setup();
      const violation = new QueryFailedError(
        'INSERT',
        [],
        Object.assign(new Error('duplicate key'), {
          code: '23505',
          constraint: 'payment_idempotency_key_uq',
        }),
      );
      // The shared insert fails once (a key taken meanwhile); the retries alone succeed.
      payments.insertWithEvents.mockResolvedValueOnce(undefined).mockRejectedValueOnce(violation);
      const first = useCase.execute(of('c-0'));
      const rest = ['c-1', 'c-2'].map((c) => useCase.execute(of(c)));
      const answers = await Promise.all([first, ...rest]);
      expect(answers.map((a) => a.replayed)).toEqual([false, false, false]);
      // c-0 alone, then c-1 + c-2 together (failed), then c-1 and c-2 alone.
      expect(dataSource.transaction).toHaveBeenCalledTimes(4);
      const inserts = payments.insertWithEvents.mock.calls as [unknown, Written][];
      expect(inserts.map(([, rows]) => rows.map((r) => r.event.messageKey))).toEqual([
        ['c-0'],
        ['c-1', 'c-2'],
        ['c-1'],
        ['c-2'],
      ]);
    });
  });
});
