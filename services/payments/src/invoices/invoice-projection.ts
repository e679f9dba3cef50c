import { isNotOlder } from '@duemap/events';
import type { InvoiceKind, InvoiceState } from './invoice-view.entity';

/** One invoice of the read model, with money in minor units of `currency`. */
export interface InvoiceRecord {
  invoiceId: string;
  customerId: string;
  number: string;
  kind: InvoiceKind;
  currency: string;
  totalMinor: bigint;
  preSettledMinor: bigint;
  reportedOpenMinor: bigint | null;
  /** YYYY-MM-DD */
  issueDate: string | null;
  /** YYYY-MM-DD; null for credit notes. */
  dueDate: string | null;
  status: InvoiceState;
  /** invoice_version of the last event applied; 0 when it had none (or none was applied). */
  lastVersion: bigint;
  lastOccurredAt: Date | null;
}

/**
 * What one invoicing event says about an invoice. Full-state events (issued, changed) fill every
 * field; paid, overdue and voided fill what they carry.
 */
export interface InvoiceUpdate {
  invoiceId: string;
  customerId: string;
  /** The event's invoice_version; 0 from a producer that predates versions. */
  version: bigint;
  occurredAt: Date;
  currency: string;
  totalMinor: bigint;
  number?: string;
  kind?: InvoiceKind;
  reportedOpenMinor?: bigint;
  issueDate?: string | null;
  dueDate?: string | null;
  /** Undefined when the event does not say (or says UNSPECIFIED / a value we do not know). */
  status?: InvoiceState;
  /**
   * Only invoice-issued carries it: total − open at issue, i.e. what was settled before Duemap
   * saw the invoice. It describes the moment of issue, so it is kept whatever order events come in.
   */
  preSettledMinor?: bigint;
}

/**
 * The read-model row after an event. Events of different topics are not ordered relative to each
 * other, so the row keeps the version and occurred_at of the last event applied and an older event
 * (by version, else by occurred_at: isNotOlder) only fills fields that are still unknown. A row
 * fetched over HTTP has no occurred_at: any event is newer. Void is terminal.
 */
export function applyInvoiceUpdate(current: InvoiceRecord | null, update: InvoiceUpdate): InvoiceRecord {
  if (current === null) {
    return {
      invoiceId: update.invoiceId,
      customerId: update.customerId,
      number: update.number ?? '',
      kind: update.kind ?? (update.totalMinor < 0n ? 'credit_note' : 'invoice'),
      currency: update.currency,
      totalMinor: update.totalMinor,
      preSettledMinor: update.preSettledMinor ?? 0n,
      reportedOpenMinor: update.reportedOpenMinor ?? null,
      issueDate: update.issueDate ?? null,
      dueDate: update.dueDate ?? null,
      status: update.status ?? 'open',
      lastVersion: update.version,
      lastOccurredAt: update.occurredAt,
    };
  }
  const next: InvoiceRecord = { ...current };
  const held =
    current.lastOccurredAt === null
      ? null
      : { version: current.lastVersion, occurredAt: current.lastOccurredAt };
  if (isNotOlder(update, held)) {
    next.customerId = update.customerId;
    next.currency = update.currency;
    next.totalMinor = update.totalMinor;
    if (update.number !== undefined && update.number !== '') next.number = update.number;
    if (update.kind !== undefined) next.kind = update.kind;
    if (update.reportedOpenMinor !== undefined) next.reportedOpenMinor = update.reportedOpenMinor;
    if (update.issueDate !== undefined) next.issueDate = update.issueDate;
    if (update.dueDate !== undefined) next.dueDate = update.dueDate;
    if (update.status !== undefined) next.status = update.status;
    next.lastVersion = update.version;
    next.lastOccurredAt = update.occurredAt;
  } else {
    if (next.number === '' && update.number !== undefined) next.number = update.number;
    if (next.issueDate === null && update.issueDate !== undefined) next.issueDate = update.issueDate;
    if (next.dueDate === null && update.dueDate !== undefined) next.dueDate = update.dueDate;
  }
  if (update.preSettledMinor !== undefined && update.currency === next.currency) {
    next.preSettledMinor = update.preSettledMinor;
  }
  if (current.status === 'void') next.status = 'void';
  return next;
}
