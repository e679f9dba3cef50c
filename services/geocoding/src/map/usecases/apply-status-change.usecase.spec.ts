import { Logger } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ArStatus, createEvent, Topic } from '@duemap/events';
import type { EntityManager } from 'typeorm';
import type { PinRepository } from '../pin.repository';
import { ApplyStatusChangeUseCase, pinStatusOf } from './apply-status-change.usecase';

const em = {} as EntityManager;
const occurredAt = new Date('2026-01-10T10:00:00Z');
const event = (status: ArStatus) =>
  createEvent(Topic.StatusChanged, { customerId: 'c-1', occurredAt: timestampFromDate(occurredAt), status });

describe('ApplyStatusChangeUseCase', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('maps every AR status to a pin status', () => {
    expect(pinStatusOf(ArStatus.PAID)).toBe('paid');
    expect(pinStatusOf(ArStatus.UNPAID)).toBe('unpaid');
    expect(pinStatusOf(ArStatus.OVERDUE)).toBe('overdue');
    expect(pinStatusOf(ArStatus.UNSPECIFIED)).toBeUndefined();
    expect(pinStatusOf(42 as ArStatus)).toBeUndefined();
  });

  it('applies the status with its customer version and occurred_at, and reports a stale one', async () => {
    const applyStatuses = jest
      .fn()
      .mockResolvedValueOnce(new Set(['c-1']))
      .mockResolvedValueOnce(new Set());
    const useCase = new ApplyStatusChangeUseCase({ applyStatuses } as unknown as PinRepository);
    await expect(useCase.execute([event(ArStatus.OVERDUE)], em)).resolves.toEqual(['applied']);
    expect(applyStatuses).toHaveBeenCalledWith(em, [
      { customerId: 'c-1', status: 'overdue', version: 0n, occurredAt },
    ]);
    await expect(useCase.execute([event(ArStatus.PAID)], em)).resolves.toEqual(['stale']);
  });

  it('writes a batch in one call, each customer once, ignoring unknown statuses', async () => {
    const applyStatuses = jest.fn().mockResolvedValue(new Set(['c-1', 'c-2']));
    const useCase = new ApplyStatusChangeUseCase({ applyStatuses } as unknown as PinRepository);
    const later = createEvent(Topic.StatusChanged, {
      customerId: 'c-1',
      occurredAt: timestampFromDate(new Date(occurredAt.getTime() + 1000)),
      status: ArStatus.PAID,
    });
    const other = createEvent(Topic.StatusChanged, {
      customerId: 'c-2',
      occurredAt: timestampFromDate(occurredAt),
      status: ArStatus.UNPAID,
    });
    const outcomes = await useCase.execute(
      [event(ArStatus.OVERDUE), event(ArStatus.UNSPECIFIED), later, other],
      em,
    );
    expect(outcomes).toEqual(['stale', 'ignored', 'applied', 'applied']);
    expect(applyStatuses).toHaveBeenCalledTimes(1);
    expect(applyStatuses.mock.calls[0]?.[1]).toEqual([
      { customerId: 'c-1', status: 'paid', version: 0n, occurredAt: new Date(occurredAt.getTime() + 1000) },
      { customerId: 'c-2', status: 'unpaid', version: 0n, occurredAt },
    ]);
  });

  it('keeps the higher customer version of a batch, whatever the clocks that stamped them said', async () => {
    const applyStatuses = jest.fn().mockResolvedValue(new Set(['c-1']));
    const useCase = new ApplyStatusChangeUseCase({ applyStatuses } as unknown as PinRepository);
    const versioned = (status: ArStatus, minutes: number, customerVersion: bigint) =>
      createEvent(Topic.StatusChanged, {
        customerId: 'c-1',
        occurredAt: timestampFromDate(new Date(occurredAt.getTime() + minutes * 60_000)),
        status,
        customerVersion,
      });
    const outcomes = await useCase.execute(
      [
        versioned(ArStatus.UNPAID, 10, 3n),
        versioned(ArStatus.PAID, 0, 4n),
        versioned(ArStatus.OVERDUE, 20, 2n),
      ],
      em,
    );
    expect(outcomes).toEqual(['stale', 'applied', 'stale']);
    expect(applyStatuses).toHaveBeenCalledWith(em, [
      { customerId: 'c-1', status: 'paid', version: 4n, occurredAt },
    ]);
  });

  it('ignores a status it does not know instead of failing', async () => {
    const applyStatuses = jest.fn().mockResolvedValue(new Set());
    const useCase = new ApplyStatusChangeUseCase({ applyStatuses } as unknown as PinRepository);
    await expect(useCase.execute([event(ArStatus.UNSPECIFIED)], em)).resolves.toEqual(['ignored']);
    expect(applyStatuses).toHaveBeenCalledWith(em, []);
  });
});
