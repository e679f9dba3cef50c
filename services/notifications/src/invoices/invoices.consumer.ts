import { Injectable } from '@nestjs/common';
import { Topic } from '@duemap/events';
import {
  EventSubscriberProvider,
  eventTopic,
  subscribeBatch,
  type EventSubscriber,
  type Subscription,
} from '@duemap/messaging';
import { fromInvoiceChanged, fromInvoiceIssued, fromInvoicePaid, fromInvoiceVoided } from './invoice-update';
import { RecordInvoiceStateUseCase, type InvoiceEvent } from './usecases/record-invoice-state.usecase';
import type { PlanTransaction } from '../reminders/reminder-planner';

/**
 * invoicing.invoice-{issued,changed,paid,voided}.v1 -> the projection and the reminders, all of a
 * transaction's events of a topic at once. An event whose amount cannot be read throws while the
 * batch is decoded here, so the batch fails and the consumer isolates it (then the DLQ).
 */
@Injectable()
@EventSubscriberProvider()
export class InvoicesConsumer implements EventSubscriber {
  constructor(private readonly recordInvoiceState: RecordInvoiceStateUseCase) {}

  subscriptions(): Subscription[] {
    const record = async (events: InvoiceEvent[], tx: PlanTransaction): Promise<void> => {
      await this.recordInvoiceState.execute(events, tx);
    };
    return [
      subscribeBatch(eventTopic(Topic.InvoiceIssued), (items, tx) =>
        record(
          items.map((i) => ({ update: fromInvoiceIssued(i.event), trace: i.trace })),
          tx,
        ),
      ),
      subscribeBatch(eventTopic(Topic.InvoiceChanged), (items, tx) =>
        record(
          items.map((i) => ({ update: fromInvoiceChanged(i.event), trace: i.trace })),
          tx,
        ),
      ),
      subscribeBatch(eventTopic(Topic.InvoicePaid), (items, tx) =>
        record(
          items.map((i) => ({ update: fromInvoicePaid(i.event), trace: i.trace })),
          tx,
        ),
      ),
      subscribeBatch(eventTopic(Topic.InvoiceVoided), (items, tx) =>
        record(
          items.map((i) => ({ update: fromInvoiceVoided(i.event), trace: i.trace })),
          tx,
        ),
      ),
    ];
  }
}
