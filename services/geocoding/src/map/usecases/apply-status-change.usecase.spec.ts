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

  it('applies the status with its occurred_at, and reports a stale one', async () => {
    const applyStatus = jest.fn().mockResolvedValueOnce(true).mockResolvedValueOnce(false);
    const useCase = new ApplyStatusChangeUseCase({ applyStatus } as unknown as PinRepository);
    await expect(useCase.execute(event(ArStatus.OVERDUE), em)).resolves.toBe('applied');
    expect(applyStatus).toHaveBeenCalledWith(em, 'c-1', 'overdue', occurredAt);
    await expect(useCase.execute(event(ArStatus.PAID), em)).resolves.toBe('stale');
  });

  it('ignores a status it does not know instead of failing', async () => {
    const applyStatus = jest.fn();
    const useCase = new ApplyStatusChangeUseCase({ applyStatus } as unknown as PinRepository);
    await expect(useCase.execute(event(ArStatus.UNSPECIFIED), em)).resolves.toBe('ignored');
    expect(applyStatus).not.toHaveBeenCalled();
  });
});
