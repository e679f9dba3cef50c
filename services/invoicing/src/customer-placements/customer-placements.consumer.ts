import { Injectable } from '@nestjs/common';
import { Topic } from '@duemap/events';
import {
  eventTopic,
  EventSubscriberProvider,
  subscribe,
  type EventSubscriber,
  type Subscription,
} from '@duemap/messaging';
import { ProjectCustomerPlacementUseCase } from './project-customer-placement.usecase';

/**
 * customers.address-changed.v1 -> customer_placements. customer-upserted feeds them too, from the
 * customer read model's consumer: a service has one handler per topic.
 */
@Injectable()
@EventSubscriberProvider()
export class CustomerPlacementsConsumer implements EventSubscriber {
  constructor(private readonly projectPlacement: ProjectCustomerPlacementUseCase) {}

  subscriptions(): Subscription[] {
    return [
      subscribe(eventTopic(Topic.AddressChanged), (event, ctx) =>
        this.projectPlacement.execute(event, ctx.em),
      ),
    ];
  }
}
