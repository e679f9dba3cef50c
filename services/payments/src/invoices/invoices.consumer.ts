import { Injectable } from '@nestjs/common';
import { Topic } from '@duemap/events';
import {
  eventTopic,
  EventSubscriberProvider,
  subscribe,
  type EventSubscriber,
  type Subscription,
} from '@duemap/messaging';
import { fromChanged, fromIssued, fromOverdue, fromPaid, fromVoided } from './invoice-events';
import { ProjectInvoiceUseCase } from './usecases/project-invoice.usecase';

@Injectable()
@EventSubscriberProvider()
export class InvoicesConsumer implements EventSubscriber {
  constructor(private readonly projectInvoice: ProjectInvoiceUseCase) {}

  subscriptions(): Subscription[] {
    return [
      subscribe(eventTopic(Topic.InvoiceIssued), (event, ctx) =>
        this.projectInvoice.execute(fromIssued(event), ctx.em, ctx.scope),
      ),
      subscribe(eventTopic(Topic.InvoiceChanged), (event, ctx) =>
        this.projectInvoice.execute(fromChanged(event), ctx.em, ctx.scope),
      ),
      subscribe(eventTopic(Topic.InvoicePaid), (event, ctx) =>
        this.projectInvoice.execute(fromPaid(event), ctx.em, ctx.scope),
      ),
      subscribe(eventTopic(Topic.InvoiceOverdue), (event, ctx) =>
        this.projectInvoice.execute(fromOverdue(event), ctx.em, ctx.scope),
      ),
      subscribe(eventTopic(Topic.InvoiceVoided), (event, ctx) =>
        this.projectInvoice.execute(fromVoided(event), ctx.em, ctx.scope),
      ),
    ];
  }
}
