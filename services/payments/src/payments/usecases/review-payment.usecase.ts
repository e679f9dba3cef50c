import { Injectable } from '@nestjs/common';
import { customerInTerritory, type Territory } from '@duemap/auth';
import { OutboxWriter } from '@duemap/messaging';
import { Money } from '@duemap/money';
import { DataSource } from 'typeorm';
import { PaymentsErrorCode, PaymentsException } from '../../common/payments.exception';
import { CustomerDirectory } from '../../customers/customer-directory';
import { CustomerViewRepository } from '../../customers/customer-view.repository';
import { InvoiceDirectory } from '../../invoices/invoice-directory';
import { InvoiceViewRepository } from '../../invoices/invoice-view.repository';
import { applyExplicit, applyOldestDueFirst, type RequestedAllocation } from '../cash-application';
import { paymentReceivedEvent } from '../payment-events';
import { statusOfDecided } from '../payment-ledger';
import { PaymentAllocationEntity } from '../payment.entity';
import type { PaymentView } from '../payment.view';
import { PaymentsRepository } from '../payments.repository';
import { lockPaymentInTerritory } from './payment-access';

export interface ApplyReviewedPayment {
  paymentId: string;
  customerId: string;
  /** The person's split; undefined: the suggestion (same customer) or oldest due first. */
  allocations?: RequestedAllocation[];
  by: string;
  territory?: Territory;
}

/**
 * POST /api/v1/payments/{id}/apply: a person decides a payment from the exceptions worklist —
 * confirms the engine's suggestion or changes customer and split. The choice is checked like an
 * explicit REST allocation (422 naming the field) under the customer's payment lock, recorded with
 * who made it and when (the suggestion stays beside it), the paying account is learned for the
 * next payment, and payment-received goes out: from here on the payment is like any other.
 */
@Injectable()
export class ReviewPaymentUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly payments: PaymentsRepository,
    private readonly outbox: OutboxWriter,
    private readonly customers: CustomerViewRepository,
    private readonly customerDirectory: CustomerDirectory,
    private readonly invoices: InvoiceViewRepository,
    private readonly invoiceDirectory: InvoiceDirectory,
  ) {}

  async execute(command: ApplyReviewedPayment): Promise<PaymentView> {
    const customerId = command.customerId.toLowerCase();
    if (!(await customerInTerritory(this.dataSource.manager, command.territory, customerId))) {
      throw PaymentsException.forField(
        PaymentsErrorCode.CustomerNotFound,
        'customerId',
        `customer ${command.customerId} does not exist`,
      );
    }
    // Look-ups that may leave the process happen before the transaction (no lock waits on the network).
    const customer = await this.customerDirectory.resolve(this.dataSource.manager, customerId);
    const fetchedInvoices = await this.invoiceDirectory.fetchMissing(
      this.dataSource.manager,
      (command.allocations ?? []).map((a, index) => ({
        invoiceId: a.invoiceId,
        field: `allocations[${index}].invoiceId`,
      })),
    );
    return this.dataSource.transaction(async (em) => {
      if (customer.fetched) await this.customers.insertFetched(em, customer.snapshot);
      for (const invoice of fetchedInvoices) await this.invoices.insertFetched(em, invoice);
      await this.payments.lockCustomer(em, customerId);
      const payment = await lockPaymentInTerritory(em, this.payments, command.paymentId, command.territory);
      if (payment.status !== 'needs_review') {
        throw PaymentsException.forField(
          PaymentsErrorCode.PaymentNotInReview,
          'id',
          `payment ${payment.id} is ${payment.status}, not waiting for review`,
        );
      }
      const amount = Money.fromMinor(BigInt(payment.amountMinor), payment.currency);
      const suggestion = payment.suggestion;
      const suggested =
        suggestion !== null && suggestion.customerId === customerId && suggestion.allocations.length > 0
          ? suggestion.allocations.map((a) => ({
              invoiceId: a.invoiceId,
              amount: Money.fromMinor(BigInt(a.amountMinor), payment.currency),
            }))
          : undefined;
      const requested = command.allocations ?? suggested;
      const [grounds] = await this.payments.lockForPayments(em, [
        {
          customerId,
          idempotencyKey: payment.idempotencyKey,
          selection:
            requested !== undefined
              ? { invoiceIds: requested.map((a) => a.invoiceId) }
              : { currency: payment.currency },
        },
      ]);
      if (!grounds) {
        throw PaymentsException.forField(
          PaymentsErrorCode.CustomerNotFound,
          'customerId',
          `customer ${command.customerId} does not exist`,
        );
      }
      const application =
        requested !== undefined
          ? applyExplicit(
              amount,
              customerId,
              requested,
              new Map(grounds.invoices.map((i) => [i.invoiceId, i])),
            )
          : applyOldestDueFirst(amount, customerId, grounds.invoices);
      const now = new Date();
      // Confirmed as suggested: the engine's rules and evidence stand, with the person's confirmation.
      const confirmed = command.allocations === undefined && suggested !== undefined;
      const allocations = application.allocations.map((a, position) => {
        const engine = confirmed
          ? suggestion?.allocations.find((s) => s.invoiceId === a.invoiceId)
          : undefined;
        return Object.assign(new PaymentAllocationEntity(), {
          paymentId: payment.id,
          invoiceId: a.invoiceId,
          position,
          invoiceNumber: a.invoiceNumber,
          appliedMinor: a.applied.minor.toString(),
          invoiceOpenAfterMinor: a.openAfter.minor.toString(),
          rejectedMinor: '0',
          rule: engine?.rule ?? a.rule,
          rejectionReason: null,
          rejectedAt: null,
          confidence: engine ? engine.confidence.toFixed(3) : null,
          evidence: [
            ...(engine?.evidence ?? []),
            confirmed ? `suggestion confirmed by ${command.by}` : `chosen by ${command.by} in review`,
          ],
          reversedAt: null,
        });
      });
      Object.assign(payment, {
        customerId,
        status: statusOfDecided(
          amount.minor,
          allocations.map((a) => BigInt(a.appliedMinor)),
        ),
        reviewedBy: command.by,
        reviewedAt: now,
        updatedAt: now,
      });
      await this.payments.savePayment(em, payment);
      await this.payments.insertAllocations(em, allocations);
      await this.payments.learnPayerAccount(em, payment, 'review');
      await this.outbox.append(
        em,
        paymentReceivedEvent(payment, allocations, {
          sourceSystem: payment.source === 'bank_statement' ? 'bank-statement' : payment.source,
          externalId: payment.idempotencyKey,
        }),
      );
      return (await this.payments.loadView(em, payment.id)) as PaymentView;
    });
  }
}
