import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { CustomerTier, CustomerUpsertedSchema } from '@duemap/events';
import type { Logger } from 'pino';
import { TransactionScope } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import type { InvoiceRepository, InvoiceToPlan } from '../../invoices/invoice.repository';
import type { ReminderPlanner } from '../../reminders/reminder-planner';
import { CustomerEntity } from '../customer.entity';
import { RecordCustomerUseCase, tierName } from './record-customer.usecase';

const T1 = new Date('2025-03-01T08:00:00Z');
const T2 = new Date('2025-03-02T08:00:00Z');

function setup(current: Partial<CustomerEntity> | null) {
  const values = jest.fn();
  const customers = {
    createQueryBuilder: () => {
      const builder = {
        insert: () => builder,
        values: (v: unknown) => {
          values(v);
          return builder;
        },
        orIgnore: () => builder,
        returning: () => builder,
        execute: () => Promise.resolve({ raw: current === null ? [{ customer_id: 'c-1' }] : [] }),
      };
      return builder;
    },
    findOne: jest
      .fn()
      .mockResolvedValue(current && Object.assign(new CustomerEntity(), { version: '0', ...current })),
    update: jest.fn(),
  };
  const openInvoices = ['inv-1', 'inv-2'].map((invoiceId): InvoiceToPlan => ({
    invoiceId,
    customerId: 'c-1',
    kind: 'invoice',
    status: 'open',
    dueDate: '2025-03-31',
    openMinor: '100',
    customer: { timeZone: 'Asia/Shanghai', tier: 'standard' },
    firstSeen: false,
  }));
  const invoices = { lockOpenOfCustomer: jest.fn().mockResolvedValue(openInvoices) };
  const em = { getRepository: () => customers } as unknown as EntityManager;
  const tx = { em, scope: new TransactionScope() };
  const planner = { replanAll: jest.fn().mockResolvedValue([]) };
  const logger = { warn: jest.fn() };
  const useCase = new RecordCustomerUseCase(
    invoices as unknown as InvoiceRepository,
    planner as unknown as ReminderPlanner,
    logger as unknown as Logger,
  );
  return { useCase, tx, values, customers, invoices, planner, logger };
}

const upserted = (
  over: Partial<{ timeZone: string; occurredAt: Date; tier: CustomerTier; version: bigint }> = {},
) =>
  create(CustomerUpsertedSchema, {
    customerId: 'c-1',
    customerVersion: over.version ?? 0n,
    occurredAt: timestampFromDate(over.occurredAt ?? T2),
    name: 'ACME',
    timeZone: over.timeZone ?? 'Asia/Shanghai',
    locale: 'zh-CN',
    tier: over.tier ?? CustomerTier.STANDARD,
  });

describe('RecordCustomerUseCase', () => {
  it('stores a new customer and re-plans its open invoices (planned in UTC so far)', async () => {
    const { useCase, tx, values, invoices, planner } = setup(null);
    await expect(useCase.execute(upserted(), tx)).resolves.toBe('created');
    expect(values).toHaveBeenCalledWith({
      customerId: 'c-1',
      name: 'ACME',
      timeZone: 'Asia/Shanghai',
      locale: 'zh-CN',
      tier: 'standard',
      version: '0',
      occurredAt: T2,
    });
    expect(invoices.lockOpenOfCustomer).toHaveBeenCalledWith(tx.em, 'c-1');
    // One plan for all of them.
    expect(planner.replanAll).toHaveBeenCalledTimes(1);
    const [planTx, steps] = planner.replanAll.mock.calls[0] as [unknown, { invoice: InvoiceToPlan }[]];
    expect(planTx).toBe(tx);
    expect(steps.map((s) => s.invoice.invoiceId)).toEqual(['inv-1', 'inv-2']);
    expect(steps[0]).toMatchObject({ reanchorDetail: expect.stringContaining('Asia/Shanghai') as unknown });
  });

  it('re-plans when the time zone changed', async () => {
    const { useCase, tx, customers, planner } = setup({ occurredAt: T1, timeZone: 'UTC', tier: 'standard' });
    await expect(useCase.execute(upserted(), tx)).resolves.toBe('updated');
    expect(customers.update).toHaveBeenCalled();
    expect(planner.replanAll).toHaveBeenCalledTimes(1);
  });

  it('does not re-plan when only the name or locale changed', async () => {
    const { useCase, tx, customers, planner } = setup({
      occurredAt: T1,
      timeZone: 'Asia/Shanghai',
      tier: 'standard',
    });
    await expect(useCase.execute(upserted(), tx)).resolves.toBe('updated');
    expect(customers.update).toHaveBeenCalled();
    expect(planner.replanAll).not.toHaveBeenCalled();
  });

  it('ignores an event older than what it holds, by occurred_at before versions', async () => {
    const { useCase, tx, customers, planner } = setup({ occurredAt: T2, timeZone: 'UTC', tier: 'standard' });
    await expect(useCase.execute(upserted({ occurredAt: T1 }), tx)).resolves.toBe('stale');
    expect(customers.update).not.toHaveBeenCalled();
    expect(planner.replanAll).not.toHaveBeenCalled();
  });

  it('orders events by customer version, not by the clocks that stamped them', async () => {
    // A later change, stamped by a customers instance whose clock is a day behind: applied.
    const later = setup({ occurredAt: T2, version: '3', timeZone: 'UTC', tier: 'standard' });
    await expect(later.useCase.execute(upserted({ occurredAt: T1, version: 4n }), later.tx)).resolves.toBe(
      'updated',
    );
    expect(later.customers.update).toHaveBeenCalledWith(
      { customerId: 'c-1' },
      expect.objectContaining({ version: '4', occurredAt: T1, timeZone: 'Asia/Shanghai' }),
    );
    // An older change stamped by a clock a day ahead: stale.
    const older = setup({ occurredAt: T1, version: '3', timeZone: 'UTC', tier: 'standard' });
    await expect(older.useCase.execute(upserted({ occurredAt: T2, version: 2n }), older.tx)).resolves.toBe(
      'stale',
    );
    expect(older.customers.update).not.toHaveBeenCalled();
  });

  it('plans in UTC for a time zone it does not know, and says so', async () => {
    const { useCase, tx, values, logger } = setup(null);
    await useCase.execute(upserted({ timeZone: 'Asia/Atlantis' }), tx);
    expect(values).toHaveBeenCalledWith(expect.objectContaining({ timeZone: 'UTC' }));
    expect(logger.warn).toHaveBeenCalled();
  });

  it('maps tiers, unknown ones to standard', () => {
    expect(tierName(CustomerTier.VIP)).toBe('vip');
    expect(tierName(CustomerTier.UNSPECIFIED)).toBe('standard');
    expect(tierName(7 as CustomerTier)).toBe('standard');
  });
});
