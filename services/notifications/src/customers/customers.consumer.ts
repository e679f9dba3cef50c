import { Injectable } from '@nestjs/common';
import { Topic } from '@duemap/events';
import {
  EventSubscriberProvider,
  eventTopic,
  subscribe,
  type EventSubscriber,
  type Subscription,
} from '@duemap/messaging';
import { ProjectCustomerContactsUseCase } from '../channels/contacts/project-customer-contacts.usecase';
import { ProjectCustomerPlacementUseCase } from '../customer-placements/project-customer-placement.usecase';
import { RecordCustomerUseCase } from './usecases/record-customer.usecase';

/** customers.customer-upserted.v1 -> the customer read model (time zone, locale, tier) and contacts. */
@Injectable()
@EventSubscriberProvider()
export class CustomersConsumer implements EventSubscriber {
  constructor(
    private readonly recordCustomer: RecordCustomerUseCase,
    private readonly projectPlacement: ProjectCustomerPlacementUseCase,
    private readonly projectContacts: ProjectCustomerContactsUseCase,
  ) {}

  subscriptions(): Subscription[] {
    return [
      subscribe(eventTopic(Topic.CustomerUpserted), async (event, ctx) => {
        await this.recordCustomer.execute(event, ctx);
        await this.projectPlacement.execute(event, ctx.em);
        await this.projectContacts.execute(event, ctx.em);
      }),
    ];
  }
}
