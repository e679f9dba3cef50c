import { type EventOf, type Topic } from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import { isMoneyError, Money } from '@duemap/money';
import type { PaymentHold, PaymentRelease } from '../invoices/payment-holds';

/** What one payments (or invoicing) event says about payment holds on invoices. */
export interface SettlementChange {
  readonly customerId: string;
  readonly holds: readonly PaymentHold[];
  readonly releases: readonly PaymentRelease[];
}

/**
 * payment-received: each allocation payments decided, and whether it leaves nothing open on its
 * invoice. An allocation without invoice_open_after (a producer before ADR 0030) holds nothing:
 * invoicing's invoice-paid still stops the reminders then, one hop later.
 */
export function fromPaymentReceived(event: EventOf<typeof Topic.PaymentReceived>): SettlementChange {
  return {
    customerId: event.customerId,
    holds: event.allocations.flatMap((allocation, index) => {
      if (allocation.invoiceOpenAfter === undefined) return [];
      const field = `allocations[${index}].invoice_open_after`;
      let openAfter: Money;
      try {
        openAfter = Money.of(allocation.invoiceOpenAfter.amount, allocation.invoiceOpenAfter.currency, {
          allowNegative: true,
          field,
        });
      } catch (err) {
        if (isMoneyError(err)) throw new FatalEventError(`${field}: ${err.message}`, err.code);
        throw err;
      }
      return [
        { invoiceId: allocation.invoiceId, paymentId: event.paymentId, settles: !openAfter.isPositive() },
      ];
    }),
    releases: [],
  };
}

/** payment-reversed: the payment pays none of its invoices any more. */
export function fromPaymentReversed(event: EventOf<typeof Topic.PaymentReversed>): SettlementChange {
  return {
    customerId: event.customerId,
    holds: [],
    releases: event.reversedAllocations.map((a) => ({ invoiceId: a.invoiceId, paymentId: event.paymentId })),
  };
}

/** allocation-rejected: invoicing refused (part of) the allocation; its state speaks for the invoice. */
export function fromAllocationRejected(event: EventOf<typeof Topic.AllocationRejected>): SettlementChange {
  return {
    customerId: event.customerId,
    holds: [],
    releases: [{ invoiceId: event.invoiceId, paymentId: event.paymentId }],
  };
}
