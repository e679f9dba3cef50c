import { Injectable } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { applyPlacementChanges, placementChangeOf, type PlacementChange } from '@duemap/auth';
import type { EventOf, Topic } from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';

type PlacementEvent = EventOf<typeof Topic.CustomerUpserted> | EventOf<typeof Topic.AddressChanged>;

/**
 * customers.customer-upserted.v1 / address-changed.v1 -> customer_placements: where the customer
 * is and its sales territory, what collectors' territories are checked against. Older events than
 * those applied (by customer version, else occurred_at) change nothing.
 */
@Injectable()
export class ProjectCustomerPlacementUseCase {
  async execute(event: PlacementEvent, em: EntityManager): Promise<void> {
    await this.executeAll([event], em);
  }

  /** A batch, in its consumer's order, in one statement. */
  async executeAll(events: readonly PlacementEvent[], em: EntityManager): Promise<void> {
    await applyPlacementChanges(em, events.map(changeOf));
  }
}

function changeOf(event: PlacementEvent): PlacementChange {
  if (!event.occurredAt) throw new FatalEventError(`event for ${event.customerId} has no occurred_at`);
  return placementChangeOf(event, timestampDate(event.occurredAt));
}
