import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import {
  compareEventPositions,
  DocumentKind,
  formatCalendarDate,
  InvoiceStatus,
  type EventOf,
  type Topic,
} from '@duemap/events';
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
  /** The event's invoice_version; 0 from a producer that predates versions. */
  readonly version: bigint;
  readonly occurredAt: Date;
  readonly status: InvoiceStatusName;
  readonly number?: string;
  readonly kind?: InvoiceKind;
  /** YYYY-MM-DD; null when the event says there is none. */
  readonly dueDate?: string | null;
  readonly openMinor?: bigint;
  readonly currency?: string;
  /** invoice-paid: the payments invoicing recorded, whose holds (payment-holds.ts) end here. */
  readonly releasesPayments?: readonly string[];
}

/** An invoice's projection, as its row holds it. */
export interface InvoiceState {
  readonly invoiceId: string;
  readonly customerId: string;
  readonly number: string;
  readonly kind: InvoiceKind;
  readonly status: InvoiceStatusName;
  /** YYYY-MM-DD */
  readonly dueDate: string | null;
  /** Minor units, as text (bigint). */
  readonly openMinor: string | null;
  readonly currency: string | null;
  /** invoice_version of the last event applied; 0 when it had none. */
  readonly version: bigint;
  /** occurred_at of the last event applied. */
  readonly occurredAt: Date;
}

/**
 * The projection after `update` (`current` null: the invoice is not known yet), or null when the
 * update is stale: the projection already holds a state as new or newer (by invoice version, else
 * by occurred_at: compareEventPositions; topics are not ordered relative to each other). Fields the
 * update does not carry keep what is known.
 * Applying a transaction's updates of one invoice one after another with this is what applying
 * each in its own statement would have done, so they can be folded in memory and written once.
 */
export function applyUpdate(current: InvoiceState | null, update: InvoiceUpdate): InvoiceState | null {
  if (current !== null && compareEventPositions(update, current) <= 0) return null;
  const known = current ?? { number: '', kind: 'unknown', dueDate: null, openMinor: null, currency: null };
  return {
    invoiceId: update.invoiceId,
    customerId: update.customerId,
    status: update.status,
    version: update.version,
    occurredAt: update.occurredAt,
    // An empty number (a contract default) never overwrites a known one.
    number: update.number !== undefined && update.number !== '' ? update.number : known.number,
    kind: update.kind ?? known.kind,
    dueDate: update.dueDate !== undefined ? update.dueDate : known.dueDate,
    openMinor: update.openMinor !== undefined ? update.openMinor.toString() : known.openMinor,
    currency: update.currency ?? known.currency,
  };
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
    version: event.invoiceVersion,
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
    version: event.invoiceVersion,
    occurredAt: occurredAtOf(event),
    status: 'paid',
    number: event.number,
    ...(event.dueDate ? { dueDate: formatCalendarDate(event.dueDate) } : {}),
    ...(event.total ? { openMinor: 0n, currency: event.total.currency } : {}),
    releasesPayments: event.paymentIds,
  };
}

export function fromInvoiceVoided(event: EventOf<typeof Topic.InvoiceVoided>): InvoiceUpdate {
  return {
    invoiceId: event.invoiceId,
    customerId: event.customerId,
    version: event.invoiceVersion,
    occurredAt: occurredAtOf(event),
    status: 'void',
    number: event.number,
    ...(event.total ? { openMinor: 0n, currency: event.total.currency } : {}),
  };
}
