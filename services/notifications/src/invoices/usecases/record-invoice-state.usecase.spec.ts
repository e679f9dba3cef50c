import type { EntityManager } from 'typeorm';
import type { ReminderPlanner } from '../../reminders/reminder-planner';
import { InvoiceEntity } from '../invoice.entity';
import type { InvoiceUpdate } from '../invoice-update';
import { RecordInvoiceStateUseCase } from './record-invoice-state.usecase';

const T1 = new Date('2025-03-01T08:00:00Z');
const T2 = new Date('2025-03-02T08:00:00Z');

interface InsertBuilder {
  insert(): InsertBuilder;
  values: jest.Mock;
  orIgnore(): InsertBuilder;
  returning(): InsertBuilder;
  execute: jest.Mock;
}

function setup(current: Partial<InvoiceEntity> | null) {
  const insertBuilder: InsertBuilder = {
    insert: () => insertBuilder,
    values: jest.fn(() => insertBuilder),
    orIgnore: () => insertBuilder,
    returning: () => insertBuilder,
    execute: jest.fn().mockResolvedValue({ raw: current === null ? [{ invoice_id: 'inv-1' }] : [] }),
  };
  const repo = {
    createQueryBuilder: () => insertBuilder,
    findOne: jest.fn().mockResolvedValue(current && Object.assign(new InvoiceEntity(), current)),
    update: jest.fn(),
  };
  const em = { getRepository: () => repo } as unknown as EntityManager;
  const planner = { replanInvoice: jest.fn().mockResolvedValue([]) };
  const useCase = new RecordInvoiceStateUseCase(planner as unknown as ReminderPlanner);
  return { useCase, em, repo, insertBuilder, planner };
}

const paid: InvoiceUpdate = {
  invoiceId: 'inv-1',
  customerId: 'c-1',
  occurredAt: T2,
  status: 'paid',
  number: 'INV-1',
  openMinor: 0n,
  currency: 'CNY',
};

describe('RecordInvoiceStateUseCase', () => {
  it('creates the projection of an invoice it did not know, then plans its reminders', async () => {
    const { useCase, em, insertBuilder, repo, planner } = setup(null);
    await expect(useCase.execute(paid, em)).resolves.toBe('applied');
    expect(insertBuilder.values).toHaveBeenCalledWith(
      expect.objectContaining({
        invoiceId: 'inv-1',
        status: 'paid',
        openMinor: '0',
        dueDate: null,
        kind: 'unknown',
      }),
    );
    expect(repo.update).not.toHaveBeenCalled();
    expect(planner.replanInvoice).toHaveBeenCalledWith(em, 'inv-1');
  });

  it('applies a newer event over what it knew, keeping fields the event does not carry', async () => {
    const { useCase, em, repo, planner } = setup({
      invoiceId: 'inv-1',
      occurredAt: T1,
      dueDate: '2025-03-31',
    });
    await expect(useCase.execute(paid, em)).resolves.toBe('applied');
    const [, changes] = repo.update.mock.calls[0] as [unknown, Record<string, unknown>];
    expect(changes).toMatchObject({ status: 'paid', openMinor: '0', occurredAt: T2 });
    expect(changes).not.toHaveProperty('dueDate');
    expect(planner.replanInvoice).toHaveBeenCalled();
  });

  it.each([
    ['older', T2, T1],
    ['as old', T2, T2],
  ])('ignores an event %s than the state it holds (topics are not ordered)', async (_, held, incoming) => {
    const { useCase, em, repo, planner } = setup({ invoiceId: 'inv-1', occurredAt: held, status: 'open' });
    await expect(useCase.execute({ ...paid, occurredAt: incoming }, em)).resolves.toBe('stale');
    expect(repo.update).not.toHaveBeenCalled();
    expect(planner.replanInvoice).not.toHaveBeenCalled();
  });
});
