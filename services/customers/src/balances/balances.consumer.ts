import { Injectable } from '@nestjs/common';
import { Topic } from '@duemap/events';
import {
  eventTopic,
  EventSubscriberProvider,
  subscribe,
  type EventSubscriber,
  type Subscription,
} from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
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
    const invoice = async (fact: InvoiceFact, em: EntityManager): Promise<void> => {
      await this.applyInvoiceFact.execute(fact, em);
    };
    const credit = async (fact: CreditFact, em: EntityManager): Promise<void> => {
      await this.recordCredit.execute(fact, em);
    };
    return [
      subscribe(eventTopic(Topic.InvoiceIssued), (e, ctx) => invoice(invoiceStateFact(e), ctx.em)),
      subscribe(eventTopic(Topic.InvoiceChanged), (e, ctx) => invoice(invoiceStateFact(e), ctx.em)),
      subscribe(eventTopic(Topic.InvoicePaid), (e, ctx) => invoice(invoicePaidFact(e), ctx.em)),
      subscribe(eventTopic(Topic.InvoiceOverdue), (e, ctx) => invoice(invoiceOverdueFact(e), ctx.em)),
      subscribe(eventTopic(Topic.InvoiceVoided), (e, ctx) => invoice(invoiceVoidedFact(e), ctx.em)),
      subscribe(eventTopic(Topic.PaymentReceived), (e, ctx) => credit(paymentReceivedFact(e), ctx.em)),
      subscribe(eventTopic(Topic.AllocationRejected), (e, ctx) => credit(allocationRejectedFact(e), ctx.em)),
      subscribe(eventTopic(Topic.PaymentReversed), (e, ctx) => credit(paymentReversedFact(e), ctx.em)),
      subscribe(eventTopic(Topic.RefundIssued), (e, ctx) => credit(refundIssuedFact(e), ctx.em)),
    ];
  }
}
