import { Injectable, Logger } from '@nestjs/common';
import { ArStatus, type StatusChanged } from '@duemap/events';
import type { EntityManager } from 'typeorm';
import type { PinStatus } from '../customer-pin.entity';
import { occurredAtOf } from '../event-time';
import { PinRepository } from '../pin.repository';

export type StatusOutcome = 'applied' | 'stale' | 'ignored';

/** The proto status a pin can show; undefined for UNSPECIFIED and values added after this build. */
export function pinStatusOf(status: ArStatus): PinStatus | undefined {
  switch (status) {
    case ArStatus.PAID:
      return 'paid';
    case ArStatus.UNPAID:
      return 'unpaid';
    case ArStatus.OVERDUE:
      return 'overdue';
    case ArStatus.UNSPECIFIED:
      return undefined;
    default:
      return undefined;
  }
}

/** Recolours a pin on customers.status-changed (creating the pin when it comes first). */
@Injectable()
export class ApplyStatusChangeUseCase {
  private readonly logger = new Logger(ApplyStatusChangeUseCase.name);

  constructor(private readonly pins: PinRepository) {}

  async execute(event: StatusChanged, em: EntityManager): Promise<StatusOutcome> {
    const status = pinStatusOf(event.status);
    if (!status) {
      // The contract: a value we do not know is treated like UNSPECIFIED, and does not fail.
      this.logger.warn(`status-changed for ${event.customerId} has status ${event.status}; ignored`);
      return 'ignored';
    }
    const occurredAt = occurredAtOf(event);
    const applied = await this.pins.applyStatus(em, event.customerId, status, occurredAt);
    return applied ? 'applied' : 'stale';
  }
}
