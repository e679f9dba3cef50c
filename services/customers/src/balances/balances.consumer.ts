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
import {
  allocationRejectedFact,
  invoiceOverdueFact,
  invoicePaidFact,
  invoiceStateFact,
  invoiceVoidedFact,
  paymentReceivedFact,
  paymentReversedFact,
  refundIssuedFact,
  type CreditFact,
  type InvoiceFact,
} from './balance-facts';
import { ApplyBalanceFactsUseCase } from './usecases/apply-balance-facts.usecase';

/**
 * Feeds invoicing's and payments' events to the balance projection; all writes go through the
 * transaction's em. Every event of a batch is reduced to its fact first, so a malformed one fails
 * the batch (and is dead-lettered when replayed alone) before anything is queued.
 */
@Injectable()
@EventSubscriberProvider()
export class BalancesConsumer implements EventSubscriber {
  constructor(private readonly applyFacts: ApplyBalanceFactsUseCase) {}

  subscriptions(): Subscription[] {
    const invoice = <D extends DescMessage>(
      topic: EventTopic<D>,
      toFact: (event: MessageShape<D>) => InvoiceFact,
    ): Subscription =>
      subscribeBatch(topic, (items, { em, scope }) => {
        const facts = items.map((i) => ({ kind: 'invoice' as const, fact: toFact(i.event), trace: i.trace }));
        this.applyFacts.enqueue(facts, em, scope);
        return Promise.resolve();
      });
    const credit = <D extends DescMessage>(
      topic: EventTopic<D>,
      toFact: (event: MessageShape<D>) => CreditFact,
    ): Subscription =>
      subscribeBatch(topic, (items, { em, scope }) => {
        const facts = items.map((i) => ({ kind: 'credit' as const, fact: toFact(i.event), trace: i.trace }));
        this.applyFacts.enqueue(facts, em, scope);
        return Promise.resolve();
      });
    return [
      invoice(eventTopic(Topic.InvoiceIssued), invoiceStateFact),
      invoice(eventTopic(Topic.InvoiceChanged), invoiceStateFact),
      invoice(eventTopic(Topic.InvoicePaid), invoicePaidFact),
      invoice(eventTopic(Topic.InvoiceOverdue), invoiceOverdueFact),
      invoice(eventTopic(Topic.InvoiceVoided), invoiceVoidedFact),
      credit(eventTopic(Topic.PaymentReceived), paymentReceivedFact),
      credit(eventTopic(Topic.AllocationRejected), allocationRejectedFact),
      credit(eventTopic(Topic.PaymentReversed), paymentReversedFact),
      credit(eventTopic(Topic.RefundIssued), refundIssuedFact),
    ];
  }
}
