import { Injectable } from '@nestjs/common';
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { Topic } from '@duemap/events';
import {
  eventTopic,
  EventSubscriberProvider,
  subscribeBatch,
  type EventSubscriber,
  type EventTopic,
  type Subscription,
} from '@duemap/messaging';
import { fromChanged, fromIssued, fromOverdue, fromPaid, fromVoided } from './invoice-events';
import type { InvoiceUpdate } from './invoice-projection';
import { ProjectInvoiceUseCase } from './usecases/project-invoice.usecase';

@Injectable()
@EventSubscriberProvider()
export class InvoicesConsumer implements EventSubscriber {
  constructor(private readonly projectInvoice: ProjectInvoiceUseCase) {}

  subscriptions(): Subscription[] {
    return [
      this.project(eventTopic(Topic.InvoiceIssued), fromIssued),
      this.project(eventTopic(Topic.InvoiceChanged), fromChanged),
      this.project(eventTopic(Topic.InvoicePaid), fromPaid),
      this.project(eventTopic(Topic.InvoiceOverdue), fromOverdue),
      this.project(eventTopic(Topic.InvoiceVoided), fromVoided),
    ];
  }

  /**
   * All of a transaction's events of the topic at once. Each is translated first, so one that can
   * never be applied (a FatalEventError) fails the batch before anything is written, and the
   * consumer's replay finds it and dead-letters it alone.
   */
  private project<Desc extends DescMessage>(
    topic: EventTopic<Desc>,
    translate: (event: MessageShape<Desc>) => InvoiceUpdate,
  ): Subscription {
    return subscribeBatch(topic, (items, { em, scope }) => {
      const updates = items.map((item) => translate(item.event));
      this.projectInvoice.execute(updates, em, scope);
      return Promise.resolve();
    });
  }
}
