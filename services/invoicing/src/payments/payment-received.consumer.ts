import { Injectable } from '@nestjs/common';
import { Topic } from '@duemap/events';
import {
  eventTopic,
  EventSubscriberProvider,
  subscribe,
  type EventSubscriber,
  type Subscription,
} from '@duemap/messaging';
import { ApplyPaymentUseCase } from './usecases/apply-payment.usecase';

@Injectable()
@EventSubscriberProvider()
export class PaymentReceivedConsumer implements EventSubscriber {
  constructor(private readonly applyPayment: ApplyPaymentUseCase) {}

  subscriptions(): Subscription[] {
    return [
      subscribe(eventTopic(Topic.PaymentReceived), (event, ctx) => this.applyPayment.execute(event, ctx.em)),
    ];
  }
}
