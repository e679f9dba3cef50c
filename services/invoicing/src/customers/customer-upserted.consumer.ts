import { Injectable } from '@nestjs/common';
import { Topic } from '@duemap/events';
import {
  eventTopic,
  EventSubscriberProvider,
  subscribe,
  type EventSubscriber,
  type Subscription,
} from '@duemap/messaging';
import { ProjectCustomerPlacementUseCase } from '../customer-placements/project-customer-placement.usecase';
import { ProjectCustomerUseCase } from './usecases/project-customer.usecase';

@Injectable()
@EventSubscriberProvider()
export class CustomerUpsertedConsumer implements EventSubscriber {
  constructor(
    private readonly projectCustomer: ProjectCustomerUseCase,
    private readonly projectPlacement: ProjectCustomerPlacementUseCase,
  ) {}

  subscriptions(): Subscription[] {
    return [
      subscribe(eventTopic(Topic.CustomerUpserted), async (event, ctx) => {
        await this.projectCustomer.execute(event, ctx.em);
        await this.projectPlacement.execute(event, ctx.em);
      }),
    ];
  }
}
