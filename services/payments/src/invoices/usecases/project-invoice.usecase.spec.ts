import { TransactionScope } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import type { InvoiceRecord, InvoiceUpdate } from '../invoice-projection';
import type { InvoiceViewRepository } from '../invoice-view.repository';
import { ProjectInvoiceUseCase } from './project-invoice.usecase';

const em = {} as EntityManager;
const stored: InvoiceRecord = {
  invoiceId: 'inv-1',
  customerId: 'cust-1',
  number: 'INV-1',
  kind: 'invoice',
  currency: 'CNY',
  totalMinor: 10_000n,
  preSettledMinor: 0n,
  reportedOpenMinor: 10_000n,
  issueDate: '2025-03-01',
  dueDate: '2025-03-31',
  status: 'open',
  lastOccurredAt: new Date('2025-03-01T00:00:00Z'),
};
const update = (over: Partial<InvoiceUpdate>): InvoiceUpdate => ({
  invoiceId: 'inv-1',
  customerId: 'cust-1',
  currency: 'CNY',
  totalMinor: 10_000n,
  occurredAt: new Date('2025-03-10T00:00:00Z'),
  ...over,
});

describe('ProjectInvoiceUseCase', () => {
  it('reads an invoice once per transaction, applies its events in order and writes it once at the end', async () => {
    const repository = {
      findForUpdate: jest.fn().mockResolvedValue(stored),
      save: jest.fn().mockResolvedValue(undefined),
    };
    const useCase = new ProjectInvoiceUseCase(repository as unknown as InvoiceViewRepository);
    const scope = new TransactionScope();
    await useCase.execute(update({ reportedOpenMinor: 4_000n, status: 'partially_paid' }), em, scope);
    await useCase.execute(
      update({ reportedOpenMinor: 0n, status: 'paid', occurredAt: new Date('2025-03-11T00:00:00Z') }),
      em,
      scope,
    );
    expect(repository.save).not.toHaveBeenCalled();
    await scope.flush();
    expect(repository.findForUpdate).toHaveBeenCalledTimes(1);
    expect(repository.save).toHaveBeenCalledTimes(1);
    expect(repository.save).toHaveBeenCalledWith(em, [
      expect.objectContaining({ invoiceId: 'inv-1', status: 'paid', reportedOpenMinor: 0n }),
    ]);
  });
});
