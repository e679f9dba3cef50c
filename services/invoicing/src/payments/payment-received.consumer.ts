import { Injectable } from '@nestjs/common';
import { Topic } from '@duemap/events';
import {
  eventTopic,
  EventSubscriberProvider,
  subscribeBatch,
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
      // All of a transaction's payments at once: two statements for the batch, not per payment.
      subscribeBatch(eventTopic(Topic.PaymentReceived), (items, { em }) =>
        this.applyPayment.execute(
          items.map(({ event, trace }) => ({ event, trace })),
          em,
        ),
      ),
    ];
  }
}
