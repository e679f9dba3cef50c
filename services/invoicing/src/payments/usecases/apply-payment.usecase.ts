import { Injectable } from '@nestjs/common';
import { AllocationRejectionReason, type EventOf, type Topic } from '@duemap/events';
import type { DescMessage } from '@bufbuild/protobuf';
import { context, type Context } from '@opentelemetry/api';
import { FatalEventError, OutboxWriter, type OutboxEvent } from '@duemap/messaging';
import { isMoneyError, Money } from '@duemap/money';
import type { EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { isPastDue } from '../../invoices/due-date';
import {
  allocationRejectedEvent,
  changedEvents,
  changedFieldsOf,
  type Rejection,
} from '../../invoices/invoice.events';
import type { Invoice } from '../../invoices/invoice.model';
import {
  InvoiceRepository,
  type PaymentApplication,
  type PaymentBatchTargets,
} from '../../invoices/invoice.repository';
import { statusOf, transitionOf } from '../../invoices/invoice-status';

type PaymentReceived = EventOf<typeof Topic.PaymentReceived>;

/** One payment-received of a batch, with the trace its invoice events continue. */
export interface PaymentToApply {
  event: PaymentReceived;
  trace?: Context;
}

/**
 * Applies payments' allocations (payments.payment-received.v1) to invoices, inside the consumer's
 * inbox transaction. Each allocation takes what the invoice still owes; what cannot be applied
 * (unknown or void invoice, another customer's, another currency, nothing open, the excess over
 * the open amount) is rejected with allocation-rejected, which payments turns into unapplied
 * credit. Invoices touched are locked for the whole transaction (FOR UPDATE, id order).
 *
 * Idempotent twice over: the inbox skips a redelivered event, and an invoice a payment already
 * touched (an earlier event of the same payment) is skipped. A payment reversed already
 * (payment-reversed consumed first) applies nothing.
 *
 * On the hot path of every payment, so a batch costs two statements whatever its size: find and
 * lock everything the payments name, then write everything (the events go with the consumer's one
 * outbox insert). The payments are folded in order in memory, so two payments of one invoice in
 * a batch see each other exactly as they would one after the other.
 */
@Injectable()
export class ApplyPaymentUseCase {
  constructor(
    private readonly invoices: InvoiceRepository,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  async execute(payments: readonly PaymentToApply[], em: EntityManager): Promise<void> {
    for (const { event } of payments) {
      if (event.paymentId === '') throw new FatalEventError('payment_id is empty');
    }
    const withAllocations = payments.filter((p) => p.event.allocations.length > 0);
    if (withAllocations.length === 0) return;
    const targets = await this.invoices.lockForPayments(
      em,
      withAllocations.map(({ event }) => ({
        paymentId: event.paymentId,
        invoiceIds: event.allocations.map((a) => a.invoiceId),
      })),
    );
    const applications: PaymentApplication[] = [];
    const events: OutboxEvent<DescMessage>[] = [];
    for (const { event, trace } of withAllocations) {
      const outcome = this.apply(event, targets);
      if (outcome === undefined) continue;
      applications.push(outcome.application);
      events.push(...outcome.events.map((e) => ({ ...e, traceContext: trace ?? context.active() })));
    }
    if (applications.length === 0) return;
    await this.invoices.recordPaymentApplications(em, applications);
    await this.outbox.appendAll(em, events);
  }

  /**
   * One payment against the batch's invoices as the payments before it left them; updates
   * `targets` (invoices, handled, payment ids) for the payments after it.
   */
  private apply(
    event: PaymentReceived,
    targets: PaymentBatchTargets,
  ): { application: PaymentApplication; events: OutboxEvent<DescMessage>[] } | undefined {
    // Its payment-reversed came first (topics are not ordered relative to each other): payments
    // undid it already, so there is nothing to apply and nothing to reject.
    if (targets.reversed.has(event.paymentId)) return undefined;
    const customerId = event.customerId.toLowerCase();
    const handled = targets.handled.get(event.paymentId) ?? new Set<string>();
    targets.handled.set(event.paymentId, handled);
    const allocations = event.allocations
      .filter((a) => !handled.has(a.invoiceId.toLowerCase()))
      .map((a, index) => ({ invoiceId: a.invoiceId, requested: parseApplied(a.applied, index) }));
    if (allocations.length === 0) return undefined;

    const now = this.clock.now();
    const before = new Map<string, Invoice>();
    // Cash per invoice: two allocations of one payment to one invoice add up to one row.
    const applied = new Map<string, Money>();
    const rejections: Rejection[] = [];
    const reject = (
      invoiceId: string,
      requested: Money,
      rejected: Money,
      reason: AllocationRejectionReason,
      detail: string,
    ) =>
      rejections.push({
        customerId: event.customerId,
        paymentId: event.paymentId,
        invoiceId,
        requested,
        rejected,
        reason,
        detail,
      });

    for (const { invoiceId, requested } of allocations) {
      const invoice = targets.invoices.get(invoiceId.toLowerCase());
      if (invoice === undefined) {
        reject(
          invoiceId,
          requested,
          requested,
          AllocationRejectionReason.INVOICE_NOT_FOUND,
          `no invoice ${invoiceId}`,
        );
      } else if (invoice.customerId !== customerId) {
        reject(
          invoiceId,
          requested,
          requested,
          AllocationRejectionReason.CUSTOMER_MISMATCH,
          `invoice ${invoice.number} belongs to another customer`,
        );
      } else if (invoice.status === 'void') {
        reject(
          invoiceId,
          requested,
          requested,
          AllocationRejectionReason.INVOICE_VOIDED,
          `invoice ${invoice.number} is void`,
        );
      } else if (invoice.total.currency !== requested.currency) {
        reject(
          invoiceId,
          requested,
          requested,
          AllocationRejectionReason.CURRENCY_MISMATCH,
          `invoice ${invoice.number} is in ${invoice.total.currency}, the payment in ${requested.currency}`,
        );
      } else if (invoice.open.isZero()) {
        reject(
          invoiceId,
          requested,
          requested,
          AllocationRejectionReason.INVOICE_ALREADY_PAID,
          `invoice ${invoice.number} is paid`,
        );
      } else {
        if (!before.has(invoice.id)) before.set(invoice.id, invoice);
        const cash = Money.min(requested, invoice.open);
        const paid = invoice.paid.add(cash);
        const open = invoice.open.subtract(cash);
        targets.invoices.set(invoice.id, {
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
        });
        applied.set(invoice.id, applied.get(invoice.id)?.add(cash) ?? cash);
        const excess = requested.subtract(cash);
        if (excess.isPositive()) {
          reject(
            invoiceId,
            requested,
            excess,
            AllocationRejectionReason.EXCEEDS_OPEN_AMOUNT,
            `invoice ${invoice.number} had ${invoice.open.toString()} open; ${excess.toString()} could not be applied`,
          );
        }
      }
    }

    for (const invoiceId of applied.keys()) {
      handled.add(invoiceId);
      const ids = targets.paymentIds.get(invoiceId) ?? [];
      if (!ids.includes(event.paymentId)) ids.push(event.paymentId);
      targets.paymentIds.set(invoiceId, ids);
    }
    for (const r of rejections) handled.add(r.invoiceId.toLowerCase());

    // One change per invoice per payment, however many of its allocations went there: the next
    // version (the rows are locked), which the change's events carry and the next payment builds on.
    const changed = [...before.values()].map((original) => {
      const after: Invoice = {
        ...(targets.invoices.get(original.id) as Invoice),
        version: original.version + 1n,
      };
      targets.invoices.set(after.id, after);
      return [original, after] as const;
    });
    return {
      application: {
        paymentId: event.paymentId,
        at: now,
        applied: [...applied].map(([invoiceId, amount]) => ({ invoiceId, amount })),
        invoices: changed.map(([, after]) => after),
        rejections: rejections.map((r) => ({
          invoiceId: r.invoiceId,
          customerId: r.customerId,
          requested: r.requested,
          rejected: r.rejected,
          reason: AllocationRejectionReason[r.reason],
          detail: r.detail,
        })),
      },
      events: [
        ...changed.flatMap(([original, after]) =>
          changedEvents(
            original,
            after,
            changedFieldsOf(original, after),
            // Only invoice-paid lists the payments, oldest first, this one included.
            transitionOf(original.status, after.status).becamePaid
              ? [...(targets.paymentIds.get(after.id) ?? [])]
              : [],
            now,
            [event.paymentId],
          ),
        ),
        ...rejections.map((r) => allocationRejectedEvent(r, now)),
      ],
    };
  }
}

function parseApplied(applied: { amount: string; currency: string } | undefined, index: number): Money {
  if (applied === undefined) throw new FatalEventError(`allocations[${index}].applied is not set`);
  let money: Money;
  try {
    money = Money.of(applied.amount, applied.currency, { field: `allocations[${index}].applied.amount` });
  } catch (err) {
    // Payments checks amounts with the same library; one it could not have produced is a bug there.
    if (isMoneyError(err)) throw new FatalEventError(err.message, err.code);
    throw err;
  }
  if (!money.isPositive()) throw new FatalEventError(`allocations[${index}].applied must be positive`);
  return money;
}
