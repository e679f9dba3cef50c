import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import { DocumentKind, formatCalendarDate, InvoiceStatus, type EventOf, type Topic } from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import { isMoneyError, Money } from '@duemap/money';
import type { InvoiceKind, InvoiceStatusName } from './invoice.entity';

/**
 * What one invoicing event says about an invoice, ready for the projection. Issued and changed
 * carry the full state; paid and voided only what they imply (undefined = keep what is known).
 */
export interface InvoiceUpdate {
  readonly invoiceId: string;
  readonly customerId: string;
  readonly occurredAt: Date;
  readonly status: InvoiceStatusName;
  readonly number?: string;
  readonly kind?: InvoiceKind;
  /** YYYY-MM-DD; null when the event says there is none. */
  readonly dueDate?: string | null;
  readonly openMinor?: bigint;
  readonly currency?: string;
}

export function statusName(status: InvoiceStatus): InvoiceStatusName {
  switch (status) {
    case InvoiceStatus.OPEN:
      return 'open';
    case InvoiceStatus.PARTIALLY_PAID:
      return 'partially_paid';
    case InvoiceStatus.PAID:
      return 'paid';
    case InvoiceStatus.OVERDUE:
      return 'overdue';
    case InvoiceStatus.VOID:
      return 'void';
    case InvoiceStatus.UNSPECIFIED:
      return 'unknown';
    default:
      // A value added in a later revision of the contract: treated like UNSPECIFIED.
      return 'unknown';
  }
}

export function kindName(kind: DocumentKind): InvoiceKind {
  switch (kind) {
    case DocumentKind.INVOICE:
      return 'invoice';
    case DocumentKind.CREDIT_NOTE:
      return 'credit_note';
    case DocumentKind.UNSPECIFIED:
      return 'unknown';
    default:
      return 'unknown';
  }
}

function occurredAtOf(event: { occurredAt?: Timestamp }): Date {
  // decodeMessage guarantees occurred_at is set; the fallback only satisfies the type.
  return event.occurredAt ? timestampDate(event.occurredAt) : new Date(0);
}

function openAmountOf(money: { amount: string; currency: string } | undefined): {
  openMinor?: bigint;
  currency?: string;
} {
  if (money === undefined) return {};
  try {
    const parsed = Money.of(money.amount, money.currency, { allowNegative: true, field: 'open_amount' });
    return { openMinor: parsed.minor, currency: parsed.currency };
  } catch (err) {
    // Retrying cannot make an amount valid: straight to the DLQ with the reason.
    if (isMoneyError(err)) throw new FatalEventError(`open_amount: ${err.message}`, err.code);
    throw err;
  }
}

type FullState = EventOf<typeof Topic.InvoiceIssued> | EventOf<typeof Topic.InvoiceChanged>;

function fromFullState(event: FullState): InvoiceUpdate {
  return {
    invoiceId: event.invoiceId,
    customerId: event.customerId,
    occurredAt: occurredAtOf(event),
    status: statusName(event.status),
    number: event.number,
    kind: kindName(event.kind),
    dueDate: event.dueDate ? formatCalendarDate(event.dueDate) : null,
    ...openAmountOf(event.openAmount),
  };
}

export const fromInvoiceIssued = (event: EventOf<typeof Topic.InvoiceIssued>): InvoiceUpdate =>
  fromFullState(event);

export const fromInvoiceChanged = (event: EventOf<typeof Topic.InvoiceChanged>): InvoiceUpdate =>
  fromFullState(event);

export function fromInvoicePaid(event: EventOf<typeof Topic.InvoicePaid>): InvoiceUpdate {
  return {
    invoiceId: event.invoiceId,
    customerId: event.customerId,
    occurredAt: occurredAtOf(event),
    status: 'paid',
    number: event.number,
    ...(event.dueDate ? { dueDate: formatCalendarDate(event.dueDate) } : {}),
    ...(event.total ? { openMinor: 0n, currency: event.total.currency } : {}),
  };
}

export function fromInvoiceVoided(event: EventOf<typeof Topic.InvoiceVoided>): InvoiceUpdate {
  return {
    invoiceId: event.invoiceId,
    customerId: event.customerId,
    occurredAt: occurredAtOf(event),
    status: 'void',
    number: event.number,
    ...(event.total ? { openMinor: 0n, currency: event.total.currency } : {}),
  };
}
