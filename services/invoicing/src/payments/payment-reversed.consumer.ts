import { Injectable } from '@nestjs/common';
import { Topic } from '@duemap/events';
import {
  eventTopic,
  EventSubscriberProvider,
  subscribeBatch,
  type EventSubscriber,
  type Subscription,
} from '@duemap/messaging';
import { ReversePaymentUseCase } from './usecases/reverse-payment.usecase';

/** payments.payment-reversed.v1 -> the invoices the payment paid are reopened (issue 18). */
@Injectable()
@EventSubscriberProvider()
export class PaymentReversedConsumer implements EventSubscriber {
  constructor(private readonly reversePayment: ReversePaymentUseCase) {}

  subscriptions(): Subscription[] {
    return [
      // All of a transaction's reversals at once: three statements for the batch, not per reversal.
      subscribeBatch(eventTopic(Topic.PaymentReversed), (items, { em }) =>
        this.reversePayment.execute(
          items.map(({ event, trace }) => ({ event, trace })),
          em,
        ),
      ),
    ];
  }
}
