import { Injectable } from '@nestjs/common';
import { Topic } from '@duemap/events';
import {
  eventTopic,
  EventSubscriberProvider,
  subscribe,
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
      subscribe(eventTopic(Topic.CustomerUpserted), (event, ctx) =>
        this.projectCustomer.execute(event, ctx.em),
      ),
    ];
  }
}
