import { TransactionScope } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import type { ReminderPlanner } from '../../reminders/reminder-planner';
import type { InvoiceRepository, InvoiceToPlan } from '../invoice.repository';
import type { InvoiceUpdate } from '../invoice-update';
import { RecordInvoiceStateUseCase } from './record-invoice-state.usecase';

const T2 = new Date('2025-03-02T08:00:00Z');

const paid: InvoiceUpdate = {
  invoiceId: 'inv-1',
  customerId: 'c-1',
  occurredAt: T2,
  status: 'paid',
  number: 'INV-1',
  openMinor: 0n,
  currency: 'CNY',
};

const stored: InvoiceToPlan = {
  invoiceId: 'inv-1',
  customerId: 'c-1',
  kind: 'invoice',
  status: 'paid',
  dueDate: '2025-03-31',
  openMinor: '0',
  customer: null,
  firstSeen: false,
};

function setup(upserted: InvoiceToPlan | null) {
  const invoices = { upsert: jest.fn().mockResolvedValue(upserted) };
  const planner = { replan: jest.fn().mockResolvedValue([]) };
  const tx = { em: {} as EntityManager, scope: new TransactionScope() };
  const useCase = new RecordInvoiceStateUseCase(
    invoices as unknown as InvoiceRepository,
    planner as unknown as ReminderPlanner,
  );
  return { useCase, tx, invoices, planner };
}

// What the upsert does with the rows (keeping fields, the occurred_at guard) is held against
// Postgres in test/repositories.int-spec.ts.
describe('RecordInvoiceStateUseCase', () => {
  it('applies the event to the projection, then plans the invoice as it now stands', async () => {
    const { useCase, tx, invoices, planner } = setup(stored);
    await expect(useCase.execute(paid, tx)).resolves.toBe('applied');
    expect(invoices.upsert).toHaveBeenCalledWith(tx.em, paid);
    expect(planner.replan).toHaveBeenCalledWith(tx, stored);
  });

  it('plans nothing when the projection holds a state as new or newer (topics are not ordered)', async () => {
    const { useCase, tx, planner } = setup(null);
    await expect(useCase.execute(paid, tx)).resolves.toBe('stale');
    expect(planner.replan).not.toHaveBeenCalled();
  });
});
