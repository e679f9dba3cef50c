import { Injectable } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { EventOf, Topic } from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import { isMoneyError, Money } from '@duemap/money';
import type { EntityManager } from 'typeorm';
import { rejectionReasonName } from '../payment-enums';
import { PaymentsRepository } from '../payments.repository';
import { isUuid } from './get-payment.usecase';

type AllocationRejected = EventOf<typeof Topic.AllocationRejected>;

/**
 * invoicing.allocation-rejected.v1: invoicing could not apply (part of) an allocation. The rejected
 * part goes back to the payment's unapplied cash, and the invoice's open amount (as payments
 * computes it) goes back up, so a later payment may apply to it again.
 *
 * A rejection for a payment or allocation we never made cannot be fixed by retrying: DLQ.
 */
@Injectable()
export class RejectAllocationUseCase {
  constructor(private readonly payments: PaymentsRepository) {}

  async execute(event: AllocationRejected, em: EntityManager): Promise<void> {
    if (!isUuid(event.paymentId)) throw new FatalEventError(`payment_id "${event.paymentId}" is not ours`);
    // Locks the payment: rejections of its allocations apply one after the other.
    const payment = await this.payments.findPaymentForUpdate(em, event.paymentId);
    if (payment === null) throw new FatalEventError(`payment ${event.paymentId} does not exist`);
    if (payment.customerId !== event.customerId) {
      throw new FatalEventError(
        `payment ${payment.id} belongs to ${payment.customerId}, not ${event.customerId}`,
      );
    }
    const allocation = await this.payments.findAllocation(em, payment.id, event.invoiceId);
    if (allocation === null) {
      throw new FatalEventError(`payment ${payment.id} has no allocation to invoice ${event.invoiceId}`);
    }
    let rejected: Money;
    try {
      if (event.rejected === undefined) throw new FatalEventError('rejected is not set');
      rejected = Money.of(event.rejected.amount, event.rejected.currency, { field: 'rejected' });
    } catch (err) {
      if (isMoneyError(err)) throw new FatalEventError(err.message, err.code);
      throw err;
    }
    if (rejected.currency !== payment.currency || !rejected.isPositive()) {
      throw new FatalEventError(
        `rejected ${rejected.toString()} does not fit payment ${payment.id} in ${payment.currency}`,
      );
    }
    const applied = BigInt(allocation.appliedMinor);
    const before = BigInt(allocation.rejectedMinor);
    // One allocation gets one decision from invoicing; a repeated or larger one never takes back
    // more than was allocated.
    const capped = rejected.minor > applied ? applied : rejected.minor;
    allocation.rejectedMinor = (capped > before ? capped : before).toString();
    allocation.rejectionReason = rejectionReasonName(event.reason);
    allocation.rejectedAt = event.occurredAt ? timestampDate(event.occurredAt) : new Date();
    await this.payments.saveAllocation(em, allocation);
  }
}
