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
        // In customer id order (a stable sort keeps each customer's own order), as the read model
        // locks its rows, so two transactions never wait on each other crosswise.
        const byCustomer = [...events].sort((a, b) =>
          a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0,
        );
        for (const event of byCustomer) await this.projectPlacement.execute(event, em);
      }),
    ];
  }
}
