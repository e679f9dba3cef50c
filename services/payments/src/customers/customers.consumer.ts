import { Injectable } from '@nestjs/common';
import { Topic } from '@duemap/events';
import {
  eventTopic,
  EventSubscriberProvider,
  subscribeBatch,
  type EventSubscriber,
  type Subscription,
} from '@duemap/messaging';
import { ProjectCustomerPlacementUseCase } from '../customer-placements/project-customer-placement.usecase';
import { ProjectCustomerUseCase } from './usecases/project-customer.usecase';

@Injectable()
@EventSubscriberProvider()
export class CustomersConsumer implements EventSubscriber {
  constructor(
    private readonly projectCustomer: ProjectCustomerUseCase,
    private readonly projectPlacement: ProjectCustomerPlacementUseCase,
  ) {}

  subscriptions(): Subscription[] {
    return [
      subscribeBatch(eventTopic(Topic.CustomerUpserted), async (items, { em }) => {
        const events = items.map((item) => item.event);
        await this.projectCustomer.execute(events, em);
        // One statement for the batch, rows in customer id order as the read model locks its own.
        await this.projectPlacement.executeAll(events, em);
      }),
    ];
  }
}
