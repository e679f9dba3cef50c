import { Injectable } from '@nestjs/common';
import { Topic } from '@duemap/events';
import {
  eventTopic,
  EventSubscriberProvider,
  subscribe,
  subscribeBatch,
  type EventSubscriber,
  type Subscription,
} from '@duemap/messaging';
import { ProjectCustomerPlacementUseCase } from '../customer-placements/project-customer-placement.usecase';
import { customerPositionOf } from './event-time';
import { ApplyBalanceChangeUseCase } from './usecases/apply-balance-change.usecase';
import { ApplyCustomerAttributesUseCase } from './usecases/apply-customer-attributes.usecase';
import { ApplyStatusChangeUseCase } from './usecases/apply-status-change.usecase';
import { LocateCustomerUseCase } from './usecases/locate-customer.usecase';

/**
 * The customers service's events that shape the map: where a customer is, what it owes, its tier
 * and credit grade.
 */
@Injectable()
@EventSubscriberProvider()
export class MapConsumer implements EventSubscriber {
  constructor(
    private readonly locate: LocateCustomerUseCase,
    private readonly applyStatus: ApplyStatusChangeUseCase,
    private readonly applyBalance: ApplyBalanceChangeUseCase,
    private readonly projectPlacement: ProjectCustomerPlacementUseCase,
    private readonly attributes: ApplyCustomerAttributesUseCase,
  ) {}

  subscriptions(): Subscription[] {
    return [
      subscribe(eventTopic(Topic.CustomerUpserted), async (event, ctx) => {
        await this.locate.execute(
          {
            customerId: event.customerId,
            ...customerPositionOf(event),
            name: event.name,
            address: event.address,
          },
          ctx.em,
        );
        await this.projectPlacement.execute(event, ctx.em);
        await this.attributes.tier(event, ctx.em);
      }),
      subscribe(eventTopic(Topic.CreditRatingChanged), async (event, ctx) => {
        await this.attributes.rating(event, ctx.em);
      }),
      subscribe(eventTopic(Topic.AddressChanged), async (event, ctx) => {
        await this.locate.execute(
          { customerId: event.customerId, ...customerPositionOf(event), address: event.address },
          ctx.em,
        );
        await this.projectPlacement.execute(event, ctx.em);
      }),
      // Every status and balance change of a transaction in one statement each.
      subscribeBatch(eventTopic(Topic.StatusChanged), async (items, { em }) => {
        await this.applyStatus.execute(
          items.map((i) => i.event),
          em,
        );
      }),
      subscribeBatch(eventTopic(Topic.BalanceChanged), async (items, { em }) => {
        await this.applyBalance.execute(
          items.map((i) => i.event),
          em,
        );
      }),
    ];
  }
}
