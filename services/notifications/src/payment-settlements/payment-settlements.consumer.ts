import { Injectable } from '@nestjs/common';
import { Topic } from '@duemap/events';
import {
  EventSubscriberProvider,
  eventTopic,
  subscribeBatch,
  type EventSubscriber,
  type Subscription,
} from '@duemap/messaging';
import { fromAllocationRejected, fromPaymentReceived, fromPaymentReversed } from './payment-settlement';
import { RecordPaymentSettlementsUseCase } from './usecases/record-payment-settlements.usecase';

/**
 * payments.payment-received.v1 and payment-reversed.v1, invoicing.allocation-rejected.v1 -> payment
 * holds on invoices and their reminders (ADR 0030: a payment stops the chasing of the invoices it
 * settles in one hop, not after invoicing's invoice-paid).
 */
@Injectable()
@EventSubscriberProvider()
export class PaymentSettlementsConsumer implements EventSubscriber {
  constructor(private readonly record: RecordPaymentSettlementsUseCase) {}

  subscriptions(): Subscription[] {
    return [
      subscribeBatch(eventTopic(Topic.PaymentReceived), (items, tx) =>
        this.record.execute(
          items.map((i) => ({ change: fromPaymentReceived(i.event), trace: i.trace })),
          tx,
        ),
      ),
      subscribeBatch(eventTopic(Topic.PaymentReversed), (items, tx) =>
        this.record.execute(
          items.map((i) => ({ change: fromPaymentReversed(i.event), trace: i.trace })),
          tx,
        ),
      ),
      subscribeBatch(eventTopic(Topic.AllocationRejected), (items, tx) =>
        this.record.execute(
          items.map((i) => ({ change: fromAllocationRejected(i.event), trace: i.trace })),
          tx,
        ),
      ),
    ];
  }
}
