import { Injectable } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { applyPlacementChange, placementChangeOf } from '@duemap/auth';
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
    if (!event.occurredAt) throw new FatalEventError(`event for ${event.customerId} has no occurred_at`);
    await applyPlacementChange(em, placementChangeOf(event, timestampDate(event.occurredAt)));
  }
}
