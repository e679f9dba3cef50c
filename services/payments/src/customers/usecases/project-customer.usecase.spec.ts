import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { createEvent, Topic, type EventOf } from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import type { CustomerViewRepository } from '../customer-view.repository';
import { ProjectCustomerUseCase } from './project-customer.usecase';

const em = {} as EntityManager;

function upserted(customerId: string, name: string, iso?: string): EventOf<typeof Topic.CustomerUpserted> {
  return createEvent(Topic.CustomerUpserted, {
    customerId,
    name,
    ...(iso === undefined ? {} : { occurredAt: timestampFromDate(new Date(iso)) }),
  });
}

function setup() {
  const repository = { upsertFromEvents: jest.fn().mockResolvedValue(undefined) };
  const useCase = new ProjectCustomerUseCase(repository as unknown as CustomerViewRepository);
  return { repository, useCase };
}

describe('ProjectCustomerUseCase', () => {
  it('writes one snapshot per customer: the last of its newest events, as one-by-one would leave it (by occurred_at before versions)', async () => {
    const { repository, useCase } = setup();
    await useCase.execute(
      [
        upserted('c1', 'first', '2025-01-01T00:00:00Z'),
        upserted('c2', 'newer', '2025-01-03T00:00:00Z'),
        upserted('c1', 'second', '2025-01-02T00:00:00Z'),
        // Older than what came before it: applied one by one it would change nothing.
        upserted('c2', 'older', '2025-01-02T00:00:00Z'),
        // Same instant as the kept one: a later event of the same time overwrites.
        upserted('c1', 'second, again', '2025-01-02T00:00:00Z'),
      ],
      em,
    );
    expect(repository.upsertFromEvents).toHaveBeenCalledTimes(1);
    expect(repository.upsertFromEvents).toHaveBeenCalledWith(em, [
      { customerId: 'c1', name: 'second, again', version: 0n, occurredAt: new Date('2025-01-02T00:00:00Z') },
      { customerId: 'c2', name: 'newer', version: 0n, occurredAt: new Date('2025-01-03T00:00:00Z') },
    ]);
  });

  it('keeps the highest customer version of a customer, whatever the clocks that stamped the events', async () => {
    const { repository, useCase } = setup();
    const versioned = (name: string, iso: string, customerVersion: bigint) => ({
      ...upserted('c1', name, iso),
      customerVersion,
    });
    await useCase.execute(
      [
        versioned('v4', '2025-01-03T00:00:00Z', 4n),
        versioned('v5, clock behind', '2025-01-01T00:00:00Z', 5n),
        versioned('v3, late', '2025-01-05T00:00:00Z', 3n),
      ],
      em,
    );
    expect(repository.upsertFromEvents).toHaveBeenCalledWith(em, [
      {
        customerId: 'c1',
        name: 'v5, clock behind',
        version: 5n,
        occurredAt: new Date('2025-01-01T00:00:00Z'),
      },
    ]);
  });

  it('fails the whole batch on an event without occurred_at, before writing anything', async () => {
    const { repository, useCase } = setup();
    await expect(
      useCase.execute([upserted('c1', 'ok', '2025-01-01T00:00:00Z'), upserted('c2', 'no time')], em),
    ).rejects.toBeInstanceOf(FatalEventError);
    expect(repository.upsertFromEvents).not.toHaveBeenCalled();
  });
});
