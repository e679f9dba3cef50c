import { Injectable } from '@nestjs/common';
import { Topic } from '@duemap/events';
import {
  eventTopic,
  EventSubscriberProvider,
  subscribe,
  type EventSubscriber,
  type Subscription,
} from '@duemap/messaging';
import { RejectAllocationUseCase } from './usecases/reject-allocation.usecase';

@Injectable()
@EventSubscriberProvider()
export class AllocationRejectedConsumer implements EventSubscriber {
  constructor(private readonly rejectAllocation: RejectAllocationUseCase) {}

  subscriptions(): Subscription[] {
    return [
      subscribe(eventTopic(Topic.AllocationRejected), (event, ctx) =>
        this.rejectAllocation.execute(event, ctx.em),
      ),
    ];
  }
}
