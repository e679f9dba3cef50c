import { ROOT_CONTEXT, createContextKey } from '@opentelemetry/api';
import { TransactionScope } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import type { PlanStep, ReminderPlanner } from '../../reminders/reminder-planner';
import type { InvoiceRepository, LockedForPlanning } from '../invoice.repository';
import type { InvoiceState, InvoiceUpdate } from '../invoice-update';
import { RecordInvoiceStateUseCase } from './record-invoice-state.usecase';

const T1 = new Date('2025-03-01T08:00:00Z');
const T2 = new Date('2025-03-02T08:00:00Z');
const T3 = new Date('2025-03-03T08:00:00Z');

const issued = (invoiceId: string, occurredAt = T1, over: Partial<InvoiceUpdate> = {}): InvoiceUpdate => ({
  invoiceId,
  customerId: 'c-1',
  version: 0n,
  occurredAt,
  status: 'open',
  number: 'INV-1',
  kind: 'invoice',
  dueDate: '2025-03-31',
  openMinor: 113000n,
  currency: 'CNY',
  ...over,
});

const paid = (invoiceId: string, occurredAt = T2): InvoiceUpdate => ({
  invoiceId,
  customerId: 'c-1',
  version: 0n,
  occurredAt,
  status: 'paid',
  number: 'INV-1',
  openMinor: 0n,
  currency: 'CNY',
});

const stored: InvoiceState = {
  invoiceId: 'inv-1',
  customerId: 'c-1',
  number: 'INV-1',
  kind: 'invoice',
  status: 'open',
  dueDate: '2025-03-31',
  openMinor: '113000',
  currency: 'CNY',
  version: 0n,
  occurredAt: T1,
};

function setup(known: InvoiceState[] = []) {
  const locked: LockedForPlanning = {
    invoices: new Map(known.map((s) => [s.invoiceId, s])),
    customers: new Map([['c-1', { timeZone: 'Asia/Shanghai', tier: 'standard' }]]),
    held: new Set(),
  };
  const invoices = {
    lockForPlanning: jest.fn().mockResolvedValue(locked),
    saveAll: jest.fn().mockResolvedValue(undefined),
  };
  const planner = { replanAll: jest.fn().mockResolvedValue([]) };
  const tx = { em: {} as EntityManager, scope: new TransactionScope() };
  const useCase = new RecordInvoiceStateUseCase(
    invoices as unknown as InvoiceRepository,
    planner as unknown as ReminderPlanner,
  );
  const steps = () => (planner.replanAll.mock.calls[0] as [unknown, PlanStep[]])[1];
  const saved = () => (invoices.saveAll.mock.calls[0] as [unknown, InvoiceState[], ReadonlySet<string>])[1];
  return { useCase, tx, invoices, planner, steps, saved };
}

// What the SQL does with the rows (locking, writing) is held against Postgres in
// test/repositories.int-spec.ts; the fold of one update in invoice-update.spec.ts.
describe('RecordInvoiceStateUseCase', () => {
  it('locks every invoice of the batch once, writes their states once and plans them in one call', async () => {
    const { useCase, tx, invoices, planner, steps, saved } = setup([stored]);
    const trace = ROOT_CONTEXT.setValue(createContextKey('span'), 'paid');
    await expect(
      useCase.execute([{ update: paid('inv-1'), trace }, { update: issued('inv-2') }], tx),
    ).resolves.toEqual(['applied', 'applied']);
    expect(invoices.lockForPlanning).toHaveBeenCalledTimes(1);
    expect(invoices.lockForPlanning).toHaveBeenCalledWith(tx.em, ['inv-1', 'inv-2'], ['c-1'], []);
    expect(saved().map((s) => [s.invoiceId, s.status, s.openMinor])).toEqual([
      ['inv-1', 'paid', '0'],
      ['inv-2', 'open', '113000'],
    ]);
    expect(invoices.saveAll.mock.calls[0]?.[2]).toEqual(new Set(['inv-1']));
    expect(planner.replanAll).toHaveBeenCalledTimes(1);
    expect(planner.replanAll.mock.calls[0]?.[0]).toBe(tx);
    expect(steps()).toEqual([
      {
        invoice: {
          invoiceId: 'inv-1',
          customerId: 'c-1',
          kind: 'invoice',
          status: 'paid',
          dueDate: '2025-03-31',
          openMinor: '0',
          customer: { timeZone: 'Asia/Shanghai', tier: 'standard' },
          held: false,
          firstSeen: false,
        },
        trace,
      },
      expect.objectContaining({
        invoice: expect.objectContaining({ invoiceId: 'inv-2', firstSeen: true }) as unknown,
      }),
    ]);
  });

  it('folds two events of one invoice in order: the second sees the first, the state is written once', async () => {
    const { useCase, tx, steps, saved } = setup();
    await expect(
      useCase.execute([{ update: issued('inv-1') }, { update: paid('inv-1') }], tx),
    ).resolves.toEqual(['applied', 'applied']);
    expect(steps().map((s) => [s.invoice.status, s.invoice.firstSeen, s.invoice.kind])).toEqual([
      ['open', true, 'invoice'],
      // Paid does not carry the kind: it is kept from the event before.
      ['paid', false, 'invoice'],
    ]);
    expect(saved()).toEqual([
      expect.objectContaining({ invoiceId: 'inv-1', status: 'paid', occurredAt: T2 }),
    ]);
  });

  it('plans nothing for an event older than the state held, stored or folded (topics are not ordered)', async () => {
    const { useCase, tx, steps, saved } = setup([{ ...stored, occurredAt: T2 }]);
    await expect(
      useCase.execute(
        [
          { update: issued('inv-1', T1, { dueDate: '2025-06-30' }) },
          { update: issued('inv-2', T3) },
          { update: issued('inv-2', T2, { dueDate: '2025-06-30' }) },
        ],
        tx,
      ),
    ).resolves.toEqual(['stale', 'applied', 'stale']);
    expect(steps().map((s) => [s.invoice.invoiceId, s.invoice.dueDate])).toEqual([['inv-2', '2025-03-31']]);
    expect(saved().map((s) => s.invoiceId)).toEqual(['inv-2']);
  });

  it('plans with the customer the invoice now belongs to, or none while it is unknown', async () => {
    const { useCase, tx, steps } = setup([stored]);
    await useCase.execute([{ update: issued('inv-1', T2, { customerId: 'c-9' }) }], tx);
    expect(steps()[0]?.invoice).toMatchObject({ customerId: 'c-9', customer: null });
  });
});
