import { Injectable } from '@nestjs/common';
import { AllocationRejectionReason, type EventOf, type Topic } from '@duemap/events';
import { FatalEventError, OutboxWriter } from '@duemap/messaging';
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
import { InvoiceRepository } from '../../invoices/invoice.repository';
import { statusOf, transitionOf } from '../../invoices/invoice-status';

type PaymentReceived = EventOf<typeof Topic.PaymentReceived>;

/**
 * Applies a payment's allocations (payments.payment-received.v1) to invoices, inside the
 * consumer's inbox transaction. Each allocation takes what the invoice still owes; what cannot
 * be applied (unknown or void invoice, another customer's, another currency, nothing open, the
 * excess over the open amount) is rejected with allocation-rejected, which payments turns into
 * unapplied credit. Invoices touched are locked for the whole transaction (FOR UPDATE, id order).
 *
 * Idempotent twice over: the inbox skips a redelivered event, and an invoice this payment already
 * touched (an earlier event of the same payment) is skipped.
 *
 * On the hot path of every payment, so it costs three statements whatever the allocations: find
 * and lock, write everything, append the events. Round trips, not the work in them, are what a
 * busy Postgres pays for.
 */
@Injectable()
export class ApplyPaymentUseCase {
  constructor(
    private readonly invoices: InvoiceRepository,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  async execute(event: PaymentReceived, em: EntityManager): Promise<void> {
    if (event.paymentId === '') throw new FatalEventError('payment_id is empty');
    if (event.allocations.length === 0) return;
    const customerId = event.customerId.toLowerCase();
    const { handled, invoices: before } = await this.invoices.lockForPayment(
      em,
      event.paymentId,
      event.allocations.map((a) => a.invoiceId),
    );
    const allocations = event.allocations
      .filter((a) => !handled.has(a.invoiceId.toLowerCase()))
      .map((a, index) => ({ invoiceId: a.invoiceId, requested: parseApplied(a.applied, index) }));
    if (allocations.length === 0) return;

    const current = new Map(before);
    const now = this.clock.now();
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
      const invoice = current.get(invoiceId.toLowerCase());
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
        const cash = Money.min(requested, invoice.open);
        const paid = invoice.paid.add(cash);
        const open = invoice.open.subtract(cash);
        current.set(invoice.id, {
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

    const changed = [...current.values()].filter((after) => after !== before.get(after.id));
    const original = (after: Invoice): Invoice => before.get(after.id) as Invoice;
    // Only invoice-paid lists the payments, so only invoices that just became paid need them.
    const paymentIds = await this.invoices.recordPaymentApplication(em, {
      paymentId: event.paymentId,
      at: now,
      applied: [...applied].map(([invoiceId, amount]) => ({ invoiceId, amount })),
      invoices: changed,
      rejections: rejections.map((r) => ({
        invoiceId: r.invoiceId,
        customerId: r.customerId,
        requested: r.requested,
        rejected: r.rejected,
        reason: AllocationRejectionReason[r.reason],
        detail: r.detail,
      })),
      paymentIdsOf: changed
        .filter((after) => transitionOf(original(after).status, after.status).becamePaid)
        .map((after) => after.id),
    });
    await this.outbox.appendAll(em, [
      ...changed.flatMap((after) =>
        changedEvents(
          original(after),
          after,
          changedFieldsOf(original(after), after),
          paymentIds.get(after.id) ?? [],
          now,
        ),
      ),
      ...rejections.map((r) => allocationRejectedEvent(r, now)),
    ]);
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
