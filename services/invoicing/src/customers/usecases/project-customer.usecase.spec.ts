import { Logger } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { createEvent, Topic } from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import type { InvoiceRepository } from '../../invoices/invoice.repository';
import { anInvoice, CUSTOMER_ID, fakeEm } from '../../testing/invoice.fixtures';
import type { CustomerRepository, KnownCustomer } from '../customer.repository';
import { ProjectCustomerUseCase } from './project-customer.usecase';

const upserted = (occurredAt: string, timeZone: string, customerId = CUSTOMER_ID, customerVersion = 0n) =>
  createEvent(Topic.CustomerUpserted, {
    customerId,
    customerVersion,
    occurredAt: timestampFromDate(new Date(occurredAt)),
    sources: [{ sourceSystem: 'sap', externalId: 'C-1' }],
    timeZone,
  });

describe('ProjectCustomerUseCase', () => {
  let known: KnownCustomer | null;
  let customers: jest.Mocked<Pick<CustomerRepository, 'findById' | 'save' | 'saveSources'>>;
  let invoices: jest.Mocked<Pick<InvoiceRepository, 'lockLiveInvoicesOfCustomer' | 'retime'>>;
  let useCase: ProjectCustomerUseCase;

  beforeEach(() => {
    // The unknown-zone case logs a warning by design; keep the run quiet.
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    known = null;
    customers = {
      findById: jest.fn().mockImplementation(() => Promise.resolve(known)),
      save: jest.fn().mockResolvedValue(undefined),
      saveSources: jest.fn().mockResolvedValue(undefined),
    };
    invoices = {
      lockLiveInvoicesOfCustomer: jest.fn().mockResolvedValue([anInvoice({ dueDate: '2025-03-31' })]),
      retime: jest.fn().mockResolvedValue(undefined),
    };
    useCase = new ProjectCustomerUseCase(
      customers as unknown as CustomerRepository,
      invoices as unknown as InvoiceRepository,
    );
  });

  it('stores a new customer with its sources and time zone', async () => {
    await useCase.execute(upserted('2025-03-01T00:00:00Z', 'Asia/Shanghai'), fakeEm);
    expect(customers.save).toHaveBeenCalledWith(fakeEm, {
      id: CUSTOMER_ID,
      timeZone: 'Asia/Shanghai',
      lastEventAt: new Date('2025-03-01T00:00:00Z'),
      lastEventVersion: 0n,
    });
    expect(customers.saveSources).toHaveBeenCalledWith(
      fakeEm,
      CUSTOMER_ID,
      [{ sourceSystem: 'sap', externalId: 'C-1' }],
      true,
    );
    expect(invoices.retime).not.toHaveBeenCalled();
  });

  it('defaults an empty time zone to UTC and an unknown one too', async () => {
    await useCase.execute(upserted('2025-03-01T00:00:00Z', ''), fakeEm);
    await useCase.execute(upserted('2025-03-01T00:00:00Z', 'Nowhere/Atlantis'), fakeEm);
    expect(customers.save.mock.calls.map(([, c]) => c.timeZone)).toEqual(['UTC', 'UTC']);
  });

  it('ignores an event older than the last one applied, by occurred_at before versions', async () => {
    known = {
      id: CUSTOMER_ID,
      timeZone: 'UTC',
      lastEventAt: new Date('2025-03-02T00:00:00Z'),
      lastEventVersion: 0n,
    };
    await useCase.execute(upserted('2025-03-01T00:00:00Z', 'Asia/Shanghai'), fakeEm);
    expect(customers.save).not.toHaveBeenCalled();
  });

  it('orders events by customer version, not by the clocks that stamped them', async () => {
    const held = new Date('2025-03-02T00:00:00Z');
    // A later change, stamped by a customers instance whose clock is a day behind: applied.
    known = { id: CUSTOMER_ID, timeZone: 'UTC', lastEventAt: held, lastEventVersion: 4n };
    await useCase.execute(upserted('2025-03-01T00:00:00Z', 'Asia/Shanghai', CUSTOMER_ID, 5n), fakeEm);
    expect(customers.save).toHaveBeenCalledWith(fakeEm, {
      id: CUSTOMER_ID,
      timeZone: 'Asia/Shanghai',
      lastEventAt: new Date('2025-03-01T00:00:00Z'),
      lastEventVersion: 5n,
    });
    // An older change stamped by a clock a day ahead: ignored.
    customers.save.mockClear();
    await useCase.execute(upserted('2025-03-03T00:00:00Z', 'Europe/Berlin', CUSTOMER_ID, 3n), fakeEm);
    expect(customers.save).not.toHaveBeenCalled();
  });

  it('moves the overdue instant of the customer invoices when the time zone changes', async () => {
    known = { id: CUSTOMER_ID, timeZone: 'UTC', lastEventAt: null, lastEventVersion: 0n };
    await useCase.execute(upserted('2025-03-01T00:00:00Z', 'Asia/Shanghai'), fakeEm);
    expect(invoices.retime).toHaveBeenCalledWith(fakeEm, [
      expect.objectContaining({ timeZone: 'Asia/Shanghai', overdueAt: new Date('2025-03-31T16:00:00Z') }),
    ]);
  });

  it('dead-letters a customer id that is not a UUID', async () => {
    await expect(
      useCase.execute(upserted('2025-03-01T00:00:00Z', 'UTC', 'cust-1'), fakeEm),
    ).rejects.toBeInstanceOf(FatalEventError);
  });
});
