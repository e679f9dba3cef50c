import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import {
  InvoiceStatus,
  type AllocationRejected,
  type InvoiceChanged,
  type InvoiceIssued,
  type InvoiceOverdue,
  type InvoicePaid,
  type InvoiceVoided,
  type Money as MoneyMessage,
  type PaymentReceived,
  type PaymentReversed,
  type RefundIssued,
} from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import { isMoneyError, Money } from '@duemap/money';
import type { CreditKind } from './balance.entity';

// Each consumed event reduced to the one fact the balance projection needs. Pure functions, so
// the mapping of every topic is unit-tested without Kafka or a database.

/** What one invoicing event says about one invoice. `undefined` parts keep what is known. */
export interface InvoiceFact {
  invoiceId: string;
  customerId: string;
  /** The customer the invoice belonged to before it moved (invoice-changed CUSTOMER). */
  previousCustomerId?: string;
  /** The invoice's version (invoice_version); 0 from a producer that predates versions. */
  version: bigint;
  occurredAt: Date;
  currency: string;
  openMinor?: bigint;
  overdue?: boolean;
  /** Void is terminal: once true it stays. */
  void?: boolean;
}

export interface CreditFact {
  /**
   * One key per fact, so that the same fact never counts twice even when it arrives as two events.
   * '/' separates the parts because Duemap ids cannot contain it.
   */
  entryKey: string;
  customerId: string;
  kind: CreditKind;
  paymentId: string | null;
  currency: string;
  /** Signed: positive adds unapplied credit, negative removes it. */
  amountMinor: bigint;
  occurredAt: Date;
}

/**
 * What payments decided about one invoice (an allocation, counted against the invoice at once:
 * ADR 0030), or that it no longer needs counting here (`release`: invoicing recorded it, or it was
 * reversed or rejected).
 */
export interface AllocationFact {
  paymentId: string;
  invoiceId: string;
  customerId: string;
  /** Set for an allocation, absent for a release. */
  applied?: { currency: string; minor: bigint };
  release: boolean;
}

/** Customer ids are our UUIDs; one spelling (lower case) so the projection's rows match the customer. */
function customerOf(id: string): string {
  return id.toLowerCase();
}

function occurred(ts: Timestamp | undefined): Date {
  if (ts === undefined) throw new FatalEventError('event has no occurred_at', 'INVALID_EVENT');
  return timestampDate(ts);
}

/** Minor units of an event's Money; a malformed one can never be applied, so it is fatal (DLQ). */
function minor(money: MoneyMessage | undefined, field: string): { currency: string; minor: bigint } {
  if (money === undefined) throw new FatalEventError(`${field} is not set`, 'INVALID_EVENT');
  try {
    const m = Money.of(money.amount, money.currency, { allowNegative: true, field });
    return { currency: m.currency, minor: m.minor };
  } catch (err) {
    if (isMoneyError(err)) throw new FatalEventError(`${field}: ${err.message}`, 'INVALID_EVENT');
    throw err;
  }
}

/** invoice-issued and invoice-changed carry the full state after the change. */
export function invoiceStateFact(event: InvoiceIssued | InvoiceChanged): InvoiceFact {
  const open = minor(event.openAmount ?? event.total, 'open_amount');
  const fact: InvoiceFact = {
    invoiceId: event.invoiceId,
    customerId: customerOf(event.customerId),
    version: event.invoiceVersion,
    occurredAt: occurred(event.occurredAt),
    currency: open.currency,
    openMinor: open.minor,
    overdue: event.status === InvoiceStatus.OVERDUE,
    void: event.status === InvoiceStatus.VOID,
  };
  if ('previousCustomerId' in event && event.previousCustomerId !== '') {
    fact.previousCustomerId = customerOf(event.previousCustomerId);
  }
  return fact;
}

export function invoicePaidFact(event: InvoicePaid): InvoiceFact {
  return {
    invoiceId: event.invoiceId,
    customerId: customerOf(event.customerId),
    version: event.invoiceVersion,
    occurredAt: occurred(event.occurredAt),
    currency: minor(event.total, 'total').currency,
    openMinor: 0n,
    overdue: false,
  };
}

export function invoiceOverdueFact(event: InvoiceOverdue): InvoiceFact {
  const open = minor(event.openAmount, 'open_amount');
  return {
    invoiceId: event.invoiceId,
    customerId: customerOf(event.customerId),
    version: event.invoiceVersion,
    occurredAt: occurred(event.occurredAt),
    currency: open.currency,
    openMinor: open.minor,
    overdue: true,
  };
}

export function invoiceVoidedFact(event: InvoiceVoided): InvoiceFact {
  return {
    invoiceId: event.invoiceId,
    customerId: customerOf(event.customerId),
    version: event.invoiceVersion,
    occurredAt: occurred(event.occurredAt),
    currency: minor(event.total ?? event.voidedOpenAmount, 'total').currency,
    void: true,
  };
}

export function paymentReceivedFact(event: PaymentReceived): CreditFact {
  const amount = minor(event.amount, 'amount');
  const unapplied =
    event.unapplied === undefined
      ? { currency: amount.currency, minor: 0n }
      : minor(event.unapplied, 'unapplied');
  return {
    entryKey: `payment/${event.paymentId}/unapplied`,
    customerId: customerOf(event.customerId),
    kind: 'payment-unapplied',
    paymentId: event.paymentId,
    currency: unapplied.currency,
    amountMinor: unapplied.minor,
    occurredAt: occurred(event.occurredAt),
  };
}

export function allocationRejectedFact(event: AllocationRejected): CreditFact {
  const rejected = minor(event.rejected, 'rejected');
  return {
    entryKey: `payment/${event.paymentId}/rejected/${event.invoiceId}`,
    customerId: customerOf(event.customerId),
    kind: 'allocation-rejected',
    paymentId: event.paymentId,
    currency: rejected.currency,
    amountMinor: rejected.minor,
    occurredAt: occurred(event.occurredAt),
  };
}

export function paymentReversedFact(event: PaymentReversed): CreditFact {
  const amount = minor(event.amount, 'amount');
  const reversed =
    event.reversedUnapplied === undefined
      ? { currency: amount.currency, minor: 0n }
      : minor(event.reversedUnapplied, 'reversed_unapplied');
  return {
    entryKey: `payment/${event.paymentId}/reversed`,
    customerId: customerOf(event.customerId),
    kind: 'payment-reversed',
    paymentId: event.paymentId,
    currency: reversed.currency,
    amountMinor: -reversed.minor,
    occurredAt: occurred(event.occurredAt),
  };
}

export function refundIssuedFact(event: RefundIssued): CreditFact {
  const amount = minor(event.amount, 'amount');
  return {
    entryKey: `refund/${event.refundId}`,
    customerId: customerOf(event.customerId),
    kind: 'refund',
    paymentId: event.paymentId === '' ? null : event.paymentId,
    currency: amount.currency,
    amountMinor: -amount.minor,
    occurredAt: occurred(event.occurredAt),
  };
}

/** payment-received: every allocation payments decided, to count before invoicing records it. */
export function paymentAllocationFacts(event: PaymentReceived): AllocationFact[] {
  return event.allocations.map((a, index) => ({
    paymentId: event.paymentId,
    invoiceId: a.invoiceId,
    customerId: customerOf(event.customerId),
    applied: minor(a.applied, `allocations[${index}].applied`),
    release: false,
  }));
}

const releases = (customerId: string, pairs: { paymentId: string; invoiceId: string }[]): AllocationFact[] =>
  pairs.map((p) => ({ ...p, customerId: customerOf(customerId), release: true }));

/** invoice-changed / invoice-paid: the payments whose allocations invoicing's open amount includes now. */
export function recordedAllocationFacts(event: InvoiceChanged | InvoicePaid): AllocationFact[] {
  const ids = 'recordedPaymentIds' in event ? event.recordedPaymentIds : event.paymentIds;
  return releases(
    event.customerId,
    ids.map((paymentId) => ({ paymentId, invoiceId: event.invoiceId })),
  );
}

export function reversedAllocationFacts(event: PaymentReversed): AllocationFact[] {
  return releases(
    event.customerId,
    event.reversedAllocations.map((a) => ({ paymentId: event.paymentId, invoiceId: a.invoiceId })),
  );
}

export function rejectedAllocationFacts(event: AllocationRejected): AllocationFact[] {
  return releases(event.customerId, [{ paymentId: event.paymentId, invoiceId: event.invoiceId }]);
}
