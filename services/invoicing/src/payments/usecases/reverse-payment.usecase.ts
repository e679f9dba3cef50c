import { Injectable } from '@nestjs/common';
import type { DescMessage } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { ReversalReason, type EventOf, type Topic } from '@duemap/events';
import { FatalEventError, OutboxWriter, type OutboxEvent } from '@duemap/messaging';
import { isMoneyError, Money } from '@duemap/money';
import { context, type Context } from '@opentelemetry/api';
import type { EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { isPastDue } from '../../invoices/due-date';
import { changedEvents, changedFieldsOf } from '../../invoices/invoice.events';
import { isUuid, type Invoice } from '../../invoices/invoice.model';
import {
  applicationKey,
  InvoiceRepository,
  type PaymentReversalRecord,
  type ReversalBatchTargets,
} from '../../invoices/invoice.repository';
import { statusOf } from '../../invoices/invoice-status';

type PaymentReversed = EventOf<typeof Topic.PaymentReversed>;

/** One payment-reversed of a batch, with the trace its invoice events continue. */
export interface PaymentToReverse {
  event: PaymentReversed;
  trace?: Context;
}

/** A reversed allocation, read and checked: the invoice and the cash it gets back. */
interface ReversedAllocation {
  invoiceId: string;
  amount: Money;
}

/**
 * Undoes a reversed payment's applications (payments.payment-reversed.v1), inside the consumer's
 * inbox transaction: each invoice named gets back what this payment paid there — paid −= amount,
 * open += amount, capped at what invoicing recorded for that payment on that invoice (the part it
 * had rejected was never paid there) — its status follows from the facts again (paid -> open,
 * partially paid or overdue per due date and the customer's time zone), its version goes up by
 * one, and invoice-changed (+ invoice-overdue when it reopens past due) goes out with it.
 *
 * Idempotent: an application once reversed is marked (reversed_at) and never reopened again, so a
 * redelivered reversal, or the same payment reversed twice, changes nothing. The reversed payment
 * is remembered, so its payment-received arriving after the reversal applies nothing. A void
 * invoice stays void. An unknown invoice or a malformed event can never apply: FatalEventError
 * (the DLQ; the partition moves on).
 *
 * Like apply-payment, a batch costs three statements whatever its size (lock, read applications,
 * write) and is folded in order in memory, so two reversals touching one invoice see each other.
 */
@Injectable()
export class ReversePaymentUseCase {
  constructor(
    private readonly invoices: InvoiceRepository,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  async execute(reversals: readonly PaymentToReverse[], em: EntityManager): Promise<void> {
    if (reversals.length === 0) return;
    const read = reversals.map(({ event, trace }) => ({ event, trace, allocations: readAllocations(event) }));
    const targets = await this.invoices.lockForReversals(
      em,
      read.map(({ event, allocations }) => ({
        paymentId: event.paymentId,
        invoiceIds: allocations.map((a) => a.invoiceId),
      })),
    );
    const records: PaymentReversalRecord[] = [];
    const events: OutboxEvent<DescMessage>[] = [];
    const seen = new Set<string>();
    for (const { event, trace, allocations } of read) {
      const outcome = this.reverse(event, allocations, targets);
      // The same payment twice in one batch (two event ids) is recorded once.
      if (seen.has(event.paymentId)) continue;
      seen.add(event.paymentId);
      records.push(outcome.record);
      events.push(...outcome.events.map((e) => ({ ...e, traceContext: trace ?? context.active() })));
    }
    await this.invoices.recordPaymentReversals(em, records);
    if (events.length > 0) await this.outbox.appendAll(em, events);
  }

  /**
   * One reversal against the batch's invoices as the reversals before it left them; updates
   * `targets` (invoices, applications marked reversed) for the ones after it.
   */
  private reverse(
    event: PaymentReversed,
    allocations: readonly ReversedAllocation[],
    targets: ReversalBatchTargets,
  ): { record: PaymentReversalRecord; events: OutboxEvent<DescMessage>[] } {
    const now = this.clock.now();
    const customerId = event.customerId.toLowerCase();
    // Two allocations of one invoice are one return of cash, like two of one payment are one application.
    const perInvoice = new Map<string, Money>();
    for (const { invoiceId, amount } of allocations) {
      const id = invoiceId.toLowerCase();
      if (!targets.invoices.has(id)) {
        throw new FatalEventError(
          `reversed_allocations names invoice ${invoiceId}, which invoicing does not know`,
        );
      }
      perInvoice.set(id, perInvoice.get(id)?.add(amount) ?? amount);
    }

    const reopened: { invoiceId: string; amount: Money }[] = [];
    const changed: (readonly [Invoice, Invoice])[] = [];
    for (const [invoiceId, requested] of perInvoice) {
      const application = targets.applications.get(applicationKey(event.paymentId, invoiceId));
      // Nothing of this payment is in effect there: rejected when it arrived, reversed already, or
      // its payment-received is still to come (and will then apply nothing).
      if (application === undefined || application.reversedAt !== null) continue;
      const invoice = targets.invoices.get(invoiceId) as Invoice;
      if (invoice.customerId !== customerId) {
        throw new FatalEventError(
          `invoice ${invoice.number} was paid by payment ${event.paymentId} of customer ${invoice.customerId}, not ${event.customerId}`,
        );
      }
      if (requested.currency !== application.applied.currency) {
        throw new FatalEventError(
          `payment ${event.paymentId} paid invoice ${invoice.number} in ${application.applied.currency}; the reversal gives back ${requested.currency}`,
        );
      }
      // A void invoice owes nothing and never changes again; never more back than was paid there.
      const back =
        invoice.status === 'void'
          ? Money.zero(requested.currency)
          : Money.min(Money.min(requested, application.applied), invoice.paid);
      targets.applications.set(applicationKey(event.paymentId, invoiceId), {
        ...application,
        reversedAt: now,
      });
      reopened.push({ invoiceId, amount: back });
      if (back.isZero()) continue;
      const paid = invoice.paid.subtract(back);
      const open = invoice.total.subtract(paid);
      const after: Invoice = {
        ...invoice,
        paid,
        open,
        status: statusOf({
          voided: false,
          total: invoice.total.minor,
          open: open.minor,
          pastDue: isPastDue(invoice.dueDate, now, invoice.timeZone),
        }),
        updatedAt: now,
        version: invoice.version + 1n,
      };
      targets.invoices.set(invoiceId, after);
      changed.push([invoice, after]);
    }

    return {
      record: {
        paymentId: event.paymentId,
        customerId: event.customerId,
        amount: readMoney(event.amount, 'amount'),
        reason: reasonName(event.reason),
        detail: event.detail,
        occurredAt: event.occurredAt ? timestampDate(event.occurredAt) : now,
        at: now,
        reopened,
        invoices: changed.map(([, after]) => after),
      },
      // A reopened invoice is never paid, so no invoice-paid: invoice-changed, and invoice-overdue
      // when it reopens past its due date.
      events: changed.flatMap(([before, after]) =>
        changedEvents(before, after, changedFieldsOf(before, after), [], now),
      ),
    };
  }
}

/** The event's allocations, checked; a contract breach can never apply (FatalEventError). */
function readAllocations(event: PaymentReversed): ReversedAllocation[] {
  if (event.paymentId === '') throw new FatalEventError('payment_id is empty');
  if (event.customerId === '') throw new FatalEventError('customer_id is empty');
  return event.reversedAllocations.map((a, index) => {
    if (!isUuid(a.invoiceId)) {
      throw new FatalEventError(
        `reversed_allocations[${index}].invoice_id "${a.invoiceId.slice(0, 64)}" is not an invoice id`,
      );
    }
    return { invoiceId: a.invoiceId, amount: readMoney(a.amount, `reversed_allocations[${index}].amount`) };
  });
}

function readMoney(money: { amount: string; currency: string } | undefined, field: string): Money {
  if (money === undefined) throw new FatalEventError(`${field} is not set`);
  let parsed: Money;
  try {
    parsed = Money.of(money.amount, money.currency, { field: `${field}.amount` });
  } catch (err) {
    // Payments checks amounts with the same library; one it could not have produced is a bug there.
    if (isMoneyError(err)) throw new FatalEventError(err.message, err.code);
    throw err;
  }
  if (!parsed.isPositive()) {
    throw new FatalEventError(`${field} must be positive`);
  }
  return parsed;
}

/** The reason as the audit row keeps it: the enum's name ('RETURNED'), or the number of an unknown one. */
function reasonName(reason: ReversalReason): string {
  return ReversalReason[reason] ?? String(reason);
}
