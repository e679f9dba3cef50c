import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import {
  DocumentKind,
  formatCalendarDate,
  InvoiceStatus,
  type CalendarDate,
  type EventOf,
  type Money as MoneyMessage,
  type Topic,
} from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import { isMoneyError, Money } from '@duemap/money';
import type { InvoiceUpdate } from './invoice-projection';
import type { InvoiceKind, InvoiceState } from './invoice-view.entity';

type InvoiceIssued = EventOf<typeof Topic.InvoiceIssued>;
type InvoiceChanged = EventOf<typeof Topic.InvoiceChanged>;
type InvoicePaid = EventOf<typeof Topic.InvoicePaid>;
type InvoiceOverdue = EventOf<typeof Topic.InvoiceOverdue>;
type InvoiceVoided = EventOf<typeof Topic.InvoiceVoided>;

// Translations of invoicing's events into read-model updates. A value that can never be applied
// (no total, an unknown currency) is a FatalEventError: retrying cannot fix it, the DLQ shows it.

export function stateOf(status: InvoiceStatus): InvoiceState | undefined {
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
      return undefined;
    default:
      // A status added in a later revision of the contract: treat like UNSPECIFIED.
      return undefined;
  }
}

export function kindOf(kind: DocumentKind): InvoiceKind | undefined {
  switch (kind) {
    case DocumentKind.INVOICE:
      return 'invoice';
    case DocumentKind.CREDIT_NOTE:
      return 'credit_note';
    case DocumentKind.UNSPECIFIED:
      return undefined;
    default:
      return undefined;
  }
}

function occurredAt(ts: Timestamp | undefined): Date {
  if (ts === undefined) throw new FatalEventError('event without occurred_at');
  return timestampDate(ts);
}

function money(value: MoneyMessage | undefined, field: string): Money {
  if (value === undefined) throw new FatalEventError(`${field} is not set`);
  try {
    return Money.of(value.amount, value.currency, { allowNegative: true, field });
  } catch (err) {
    if (isMoneyError(err)) throw new FatalEventError(err.message, err.code);
    throw err;
  }
}

function date(value: CalendarDate | undefined): string | null {
  return value === undefined ? null : formatCalendarDate(value);
}

function fullState(event: InvoiceIssued | InvoiceChanged): InvoiceUpdate {
  const total = money(event.total, 'total');
  const update: InvoiceUpdate = {
    invoiceId: event.invoiceId,
    customerId: event.customerId,
    version: event.invoiceVersion,
    occurredAt: occurredAt(event.occurredAt),
    currency: total.currency,
    totalMinor: total.minor,
    number: event.number,
    kind: kindOf(event.kind),
    issueDate: date(event.issueDate),
    dueDate: date(event.dueDate),
    status: stateOf(event.status),
  };
  if (event.openAmount !== undefined) {
    const open = money(event.openAmount, 'open_amount');
    if (open.currency !== total.currency) {
      throw new FatalEventError(`open_amount is in ${open.currency} but total in ${total.currency}`);
    }
    update.reportedOpenMinor = open.minor;
  }
  return update;
}

export function fromIssued(event: InvoiceIssued): InvoiceUpdate {
  const update = fullState(event);
  if (update.reportedOpenMinor !== undefined) {
    const settled = update.totalMinor - update.reportedOpenMinor;
    // Only an invoice delivered partly settled has something here; a credit note or an odd
    // open amount larger than the total settles nothing in advance.
    update.preSettledMinor = update.totalMinor > 0n && settled > 0n ? settled : 0n;
  }
  return update;
}

export function fromChanged(event: InvoiceChanged): InvoiceUpdate {
  return fullState(event);
}

/** What the summary events (paid, overdue, voided) all carry: identity, total and number. */
function summary(event: {
  invoiceId: string;
  customerId: string;
  invoiceVersion: bigint;
  occurredAt?: Timestamp;
  number: string;
  total?: MoneyMessage;
}): Pick<
  InvoiceUpdate,
  'invoiceId' | 'customerId' | 'version' | 'occurredAt' | 'currency' | 'totalMinor' | 'number'
> {
  const total = money(event.total, 'total');
  return {
    invoiceId: event.invoiceId,
    customerId: event.customerId,
    version: event.invoiceVersion,
    occurredAt: occurredAt(event.occurredAt),
    currency: total.currency,
    totalMinor: total.minor,
    number: event.number,
  };
}

export function fromPaid(event: InvoicePaid): InvoiceUpdate {
  return { ...summary(event), dueDate: date(event.dueDate), reportedOpenMinor: 0n, status: 'paid' };
}

export function fromOverdue(event: InvoiceOverdue): InvoiceUpdate {
  const base = summary(event);
  const open = event.openAmount === undefined ? undefined : money(event.openAmount, 'open_amount');
  return {
    ...base,
    dueDate: date(event.dueDate),
    ...(open && open.currency === base.currency ? { reportedOpenMinor: open.minor } : {}),
    status: 'overdue',
  };
}

export function fromVoided(event: InvoiceVoided): InvoiceUpdate {
  return { ...summary(event), reportedOpenMinor: 0n, status: 'void' };
}
