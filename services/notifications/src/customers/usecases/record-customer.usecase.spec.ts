import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { CustomerTier, CustomerUpsertedSchema } from '@duemap/events';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { InvoiceEntity } from '../../invoices/invoice.entity';
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
    findOne: jest.fn().mockResolvedValue(current && Object.assign(new CustomerEntity(), current)),
    update: jest.fn(),
  };
  const openInvoices = [{ invoiceId: 'inv-1' }, { invoiceId: 'inv-2' }];
  const invoices = {
    createQueryBuilder: () => {
      const builder = {
        select: () => builder,
        where: () => builder,
        andWhere: () => builder,
        orderBy: () => builder,
        getRawMany: () => Promise.resolve(openInvoices),
      };
      return builder;
    },
  };
  const em = {
    getRepository: (entity: unknown) => (entity === InvoiceEntity ? invoices : customers),
  } as unknown as EntityManager;
  const planner = { replanInvoice: jest.fn().mockResolvedValue([]) };
  const logger = { warn: jest.fn() };
  const useCase = new RecordCustomerUseCase(
    planner as unknown as ReminderPlanner,
    logger as unknown as Logger,
  );
  return { useCase, em, values, customers, planner, logger };
}

const upserted = (over: Partial<{ timeZone: string; occurredAt: Date; tier: CustomerTier }> = {}) =>
  create(CustomerUpsertedSchema, {
    customerId: 'c-1',
    occurredAt: timestampFromDate(over.occurredAt ?? T2),
    name: 'ACME',
    timeZone: over.timeZone ?? 'Asia/Shanghai',
    locale: 'zh-CN',
    tier: over.tier ?? CustomerTier.STANDARD,
  });

describe('RecordCustomerUseCase', () => {
  it('stores a new customer and re-plans its open invoices (planned in UTC so far)', async () => {
    const { useCase, em, values, planner } = setup(null);
    await expect(useCase.execute(upserted(), em)).resolves.toBe('created');
    expect(values).toHaveBeenCalledWith({
      customerId: 'c-1',
      name: 'ACME',
      timeZone: 'Asia/Shanghai',
      locale: 'zh-CN',
      tier: 'standard',
      occurredAt: T2,
    });
    expect(planner.replanInvoice.mock.calls.map((c) => c[1] as string)).toEqual(['inv-1', 'inv-2']);
  });

  it('re-plans when the time zone changed', async () => {
    const { useCase, em, customers, planner } = setup({ occurredAt: T1, timeZone: 'UTC', tier: 'standard' });
    await expect(useCase.execute(upserted(), em)).resolves.toBe('updated');
    expect(customers.update).toHaveBeenCalled();
    expect(planner.replanInvoice).toHaveBeenCalledTimes(2);
  });

  it('does not re-plan when only the name or locale changed', async () => {
    const { useCase, em, customers, planner } = setup({
      occurredAt: T1,
      timeZone: 'Asia/Shanghai',
      tier: 'standard',
    });
    await expect(useCase.execute(upserted(), em)).resolves.toBe('updated');
    expect(customers.update).toHaveBeenCalled();
    expect(planner.replanInvoice).not.toHaveBeenCalled();
  });

  it('ignores an event older than what it holds', async () => {
    const { useCase, em, customers, planner } = setup({ occurredAt: T2, timeZone: 'UTC', tier: 'standard' });
    await expect(useCase.execute(upserted({ occurredAt: T1 }), em)).resolves.toBe('stale');
    expect(customers.update).not.toHaveBeenCalled();
    expect(planner.replanInvoice).not.toHaveBeenCalled();
  });

  it('plans in UTC for a time zone it does not know, and says so', async () => {
    const { useCase, em, values, logger } = setup(null);
    await useCase.execute(upserted({ timeZone: 'Asia/Atlantis' }), em);
    expect(values).toHaveBeenCalledWith(expect.objectContaining({ timeZone: 'UTC' }));
    expect(logger.warn).toHaveBeenCalled();
  });

  it('maps tiers, unknown ones to standard', () => {
    expect(tierName(CustomerTier.VIP)).toBe('vip');
    expect(tierName(CustomerTier.UNSPECIFIED)).toBe('standard');
    expect(tierName(7 as CustomerTier)).toBe('standard');
  });
});
