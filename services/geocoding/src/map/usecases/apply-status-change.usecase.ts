import { Injectable, Logger } from '@nestjs/common';
import { ArStatus, type StatusChanged } from '@duemap/events';
import type { EntityManager } from 'typeorm';
import type { PinStatus } from '../customer-pin.entity';
import { customerPositionOf } from '../event-time';
import { newestPerCustomer } from '../newest-per-customer';
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

/**
 * Recolours pins on customers.status-changed (creating a pin when it comes first): a batch in one
 * statement. A status older than the pin's (by customer version, else by occurred_at) is stale.
 */
@Injectable()
export class ApplyStatusChangeUseCase {
  private readonly logger = new Logger(ApplyStatusChangeUseCase.name);

  constructor(private readonly pins: PinRepository) {}

  async execute(events: readonly StatusChanged[], em: EntityManager): Promise<StatusOutcome[]> {
    const changes = events.map((event) => {
      const status = pinStatusOf(event.status);
      if (!status) {
        // The contract: a value we do not know is treated like UNSPECIFIED, and does not fail.
        this.logger.warn(`status-changed for ${event.customerId} has status ${event.status}; ignored`);
        return undefined;
      }
      return { customerId: event.customerId, status, ...customerPositionOf(event) };
    });
    const newest = newestPerCustomer(changes.filter((c) => c !== undefined));
    const applied = await this.pins.applyStatuses(em, [...newest.values()]);
    return changes.map((c) => {
      if (c === undefined) return 'ignored';
      return newest.get(c.customerId) === c && applied.has(c.customerId) ? 'applied' : 'stale';
    });
  }
}
