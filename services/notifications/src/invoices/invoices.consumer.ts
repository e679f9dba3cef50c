import { Injectable } from '@nestjs/common';
import { Topic } from '@duemap/events';
import {
  EventSubscriberProvider,
  eventTopic,
  subscribe,
  type EventSubscriber,
  type Subscription,
} from '@duemap/messaging';
import { fromInvoiceChanged, fromInvoiceIssued, fromInvoicePaid, fromInvoiceVoided } from './invoice-update';
import { RecordInvoiceStateUseCase } from './usecases/record-invoice-state.usecase';

/** invoicing.invoice-{issued,changed,paid,voided}.v1 -> the projection and the reminders. */
@Injectable()
@EventSubscriberProvider()
export class InvoicesConsumer implements EventSubscriber {
  constructor(private readonly recordInvoiceState: RecordInvoiceStateUseCase) {}

  subscriptions(): Subscription[] {
    const record = this.recordInvoiceState;
    return [
      subscribe(eventTopic(Topic.InvoiceIssued), async (event, ctx) => {
        await record.execute(fromInvoiceIssued(event), ctx);
      }),
      subscribe(eventTopic(Topic.InvoiceChanged), async (event, ctx) => {
        await record.execute(fromInvoiceChanged(event), ctx);
      }),
      subscribe(eventTopic(Topic.InvoicePaid), async (event, ctx) => {
        await record.execute(fromInvoicePaid(event), ctx);
      }),
      subscribe(eventTopic(Topic.InvoiceVoided), async (event, ctx) => {
        await record.execute(fromInvoiceVoided(event), ctx);
      }),
    ];
  }
}
