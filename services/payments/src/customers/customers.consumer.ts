import { Injectable } from '@nestjs/common';
import { Topic } from '@duemap/events';
import {
  eventTopic,
  EventSubscriberProvider,
  subscribeBatch,
  type EventSubscriber,
  type Subscription,
} from '@duemap/messaging';
import { ProjectCustomerUseCase } from './usecases/project-customer.usecase';

@Injectable()
@EventSubscriberProvider()
export class CustomersConsumer implements EventSubscriber {
  constructor(private readonly projectCustomer: ProjectCustomerUseCase) {}

  subscriptions(): Subscription[] {
    return [
      subscribeBatch(eventTopic(Topic.CustomerUpserted), (items, { em }) =>
        this.projectCustomer.execute(
          items.map((item) => item.event),
          em,
        ),
      ),
    ];
  }
}
