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
  lastVersion: 0n,
  lastOccurredAt: new Date('2025-03-01T00:00:00Z'),
};
const update = (over: Partial<InvoiceUpdate>): InvoiceUpdate => ({
  invoiceId: 'inv-1',
  customerId: 'cust-1',
  currency: 'CNY',
  totalMinor: 10_000n,
  version: 0n,
  occurredAt: new Date('2025-03-10T00:00:00Z'),
  ...over,
});

function setup(rows: InvoiceRecord[]) {
  const repository = {
    findManyForUpdate: jest.fn().mockResolvedValue(rows),
    save: jest.fn().mockResolvedValue(undefined),
  };
  const useCase = new ProjectInvoiceUseCase(repository as unknown as InvoiceViewRepository);
  return { repository, useCase, scope: new TransactionScope() };
}

describe('ProjectInvoiceUseCase', () => {
  it('reads the invoices of all its batches in one call, applies their events in order and writes once at the end', async () => {
    const { repository, useCase, scope } = setup([stored]);
    // Two topics' batches of one transaction: invoice-changed, then invoice-paid.
    useCase.execute(
      [
        update({ reportedOpenMinor: 4_000n, status: 'partially_paid' }),
        update({ invoiceId: 'inv-2', number: 'INV-2', kind: 'invoice', status: 'open' }),
      ],
      em,
      scope,
    );
    useCase.execute(
      [update({ reportedOpenMinor: 0n, status: 'paid', occurredAt: new Date('2025-03-11T00:00:00Z') })],
      em,
      scope,
    );
    expect(repository.findManyForUpdate).not.toHaveBeenCalled();
    await scope.flush();
    expect(repository.findManyForUpdate).toHaveBeenCalledTimes(1);
    expect(repository.findManyForUpdate).toHaveBeenCalledWith(em, ['inv-1', 'inv-2']);
    expect(repository.save).toHaveBeenCalledTimes(1);
    const [[, saved]] = repository.save.mock.calls as [[unknown, InvoiceRecord[]]];
    expect(saved).toHaveLength(2);
    expect(saved).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ invoiceId: 'inv-1', status: 'paid', reportedOpenMinor: 0n }),
        // Not in the read model yet: created from its first event.
        expect.objectContaining({ invoiceId: 'inv-2', number: 'INV-2', status: 'open' }),
      ]),
    );
  });

  it('gives a later event of the batch what the earlier one set, and lets an older one change nothing it should not', async () => {
    const { repository, useCase, scope } = setup([stored]);
    useCase.execute(
      [
        update({ status: 'void', reportedOpenMinor: 0n, occurredAt: new Date('2025-03-12T00:00:00Z') }),
        // Older than the void: it may only fill unknown fields, and void is terminal anyway.
        update({ status: 'open', reportedOpenMinor: 10_000n, occurredAt: new Date('2025-03-05T00:00:00Z') }),
      ],
      em,
      scope,
    );
    await scope.flush();
    expect(repository.save).toHaveBeenCalledWith(em, [
      expect.objectContaining({
        invoiceId: 'inv-1',
        status: 'void',
        reportedOpenMinor: 0n,
        lastOccurredAt: new Date('2025-03-12T00:00:00Z'),
      }),
    ]);
  });

  it('writes the same rows as applying the events one transaction at a time', async () => {
    const events = [
      update({ reportedOpenMinor: 6_000n, status: 'partially_paid' }),
      update({
        reportedOpenMinor: 3_000n,
        status: 'partially_paid',
        occurredAt: new Date('2025-03-11T00:00:00Z'),
      }),
      update({ reportedOpenMinor: 0n, status: 'paid', occurredAt: new Date('2025-03-12T00:00:00Z') }),
    ];
    let oneByOne: InvoiceRecord | null = stored;
    for (const event of events) {
      const { repository, useCase, scope } = setup(oneByOne === null ? [] : [oneByOne]);
      useCase.execute([event], em, scope);
      await scope.flush();
      oneByOne = (repository.save.mock.calls[0] as [unknown, InvoiceRecord[]])[1][0] ?? null;
    }
    const { repository, useCase, scope } = setup([stored]);
    useCase.execute(events, em, scope);
    await scope.flush();
    expect(repository.save).toHaveBeenCalledWith(em, [oneByOne]);
  });
});
