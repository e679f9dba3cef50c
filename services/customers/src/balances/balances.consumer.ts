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
  paymentAllocationFacts,
  paymentReceivedFact,
  paymentReversedFact,
  recordedAllocationFacts,
  refundIssuedFact,
  rejectedAllocationFacts,
  reversedAllocationFacts,
  type AllocationFact,
  type CreditFact,
  type InvoiceFact,
} from './balance-facts';
import { ApplyBalanceFactsUseCase, type TracedFact } from './usecases/apply-balance-facts.usecase';

/** A consumed event's facts, before the trace of the event is added. */
type BalanceFact =
  | { kind: 'invoice'; fact: InvoiceFact }
  | { kind: 'credit'; fact: CreditFact }
  | { kind: 'allocation'; fact: AllocationFact };

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
    const facts = <D extends DescMessage>(
      topic: EventTopic<D>,
      toFacts: (event: MessageShape<D>) => BalanceFact[],
    ): Subscription =>
      subscribeBatch(topic, (items, { em, scope }) => {
        const traced = items.flatMap((i) =>
          toFacts(i.event).map((f): TracedFact => ({ ...f, trace: i.trace })),
        );
        this.applyFacts.enqueue(traced, em, scope);
        return Promise.resolve();
      });
    const invoice = (fact: InvoiceFact): BalanceFact => ({ kind: 'invoice', fact });
    const credit = (fact: CreditFact): BalanceFact => ({ kind: 'credit', fact });
    const allocations = (list: AllocationFact[]): BalanceFact[] =>
      list.map((fact) => ({ kind: 'allocation', fact }));
    return [
      facts(eventTopic(Topic.InvoiceIssued), (e) => [invoice(invoiceStateFact(e))]),
      facts(eventTopic(Topic.InvoiceChanged), (e) => [
        invoice(invoiceStateFact(e)),
        ...allocations(recordedAllocationFacts(e)),
      ]),
      facts(eventTopic(Topic.InvoicePaid), (e) => [
        invoice(invoicePaidFact(e)),
        ...allocations(recordedAllocationFacts(e)),
      ]),
      facts(eventTopic(Topic.InvoiceOverdue), (e) => [invoice(invoiceOverdueFact(e))]),
      facts(eventTopic(Topic.InvoiceVoided), (e) => [invoice(invoiceVoidedFact(e))]),
      // ADR 0030: payments' allocations count against the invoices at once, not after invoicing.
      facts(eventTopic(Topic.PaymentReceived), (e) => [
        credit(paymentReceivedFact(e)),
        ...allocations(paymentAllocationFacts(e)),
      ]),
      facts(eventTopic(Topic.AllocationRejected), (e) => [
        credit(allocationRejectedFact(e)),
        ...allocations(rejectedAllocationFacts(e)),
      ]),
      facts(eventTopic(Topic.PaymentReversed), (e) => [
        credit(paymentReversedFact(e)),
        ...allocations(reversedAllocationFacts(e)),
      ]),
      facts(eventTopic(Topic.RefundIssued), (e) => [credit(refundIssuedFact(e))]),
    ];
  }
}
