import { Injectable } from '@nestjs/common';
import { Topic } from '@duemap/events';
import {
  eventTopic,
  EventSubscriberProvider,
  subscribe,
  type EventContext,
  type EventSubscriber,
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
import { ApplyInvoiceFactUseCase } from './usecases/apply-invoice-fact.usecase';
import { RecordCreditUseCase } from './usecases/record-credit.usecase';

/** Feeds invoicing's and payments' events to the balance projection; all writes go through ctx.em. */
@Injectable()
@EventSubscriberProvider()
export class BalancesConsumer implements EventSubscriber {
  constructor(
    private readonly applyInvoiceFact: ApplyInvoiceFactUseCase,
    private readonly recordCredit: RecordCreditUseCase,
  ) {}

  subscriptions(): Subscription[] {
    const invoice = async (fact: InvoiceFact, ctx: EventContext): Promise<void> => {
      await this.applyInvoiceFact.execute(fact, ctx.em, ctx.scope);
    };
    const credit = async (fact: CreditFact, ctx: EventContext): Promise<void> => {
      await this.recordCredit.execute(fact, ctx.em, ctx.scope);
    };
    return [
      subscribe(eventTopic(Topic.InvoiceIssued), (e, ctx) => invoice(invoiceStateFact(e), ctx)),
      subscribe(eventTopic(Topic.InvoiceChanged), (e, ctx) => invoice(invoiceStateFact(e), ctx)),
      subscribe(eventTopic(Topic.InvoicePaid), (e, ctx) => invoice(invoicePaidFact(e), ctx)),
      subscribe(eventTopic(Topic.InvoiceOverdue), (e, ctx) => invoice(invoiceOverdueFact(e), ctx)),
      subscribe(eventTopic(Topic.InvoiceVoided), (e, ctx) => invoice(invoiceVoidedFact(e), ctx)),
      subscribe(eventTopic(Topic.PaymentReceived), (e, ctx) => credit(paymentReceivedFact(e), ctx)),
      subscribe(eventTopic(Topic.AllocationRejected), (e, ctx) => credit(allocationRejectedFact(e), ctx)),
      subscribe(eventTopic(Topic.PaymentReversed), (e, ctx) => credit(paymentReversedFact(e), ctx)),
      subscribe(eventTopic(Topic.RefundIssued), (e, ctx) => credit(refundIssuedFact(e), ctx)),
    ];
  }
}
