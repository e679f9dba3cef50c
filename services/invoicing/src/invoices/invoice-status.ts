import { InvoiceStatus as InvoiceStatusEnum } from '@duemap/events';
import { assertNever } from '@duemap/http';

/** The lifecycle states an invoice can be in, as the HTTP API spells them. */
export const INVOICE_STATUSES = ['open', 'partially_paid', 'paid', 'overdue', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export interface StatusFacts {
  voided: boolean;
  /** Minor units; positive for an invoice. */
  total: bigint;
  /** Minor units still owed. */
  open: bigint;
  /** The due date has passed in the customer's time zone (see due-date.ts). */
  pastDue: boolean;
}

/**
 * The status follows from the facts, never from the previous status, so every path (upsert,
 * payment, scan, void) reaches the same answer: void wins, then paid (a paid invoice never turns
 * overdue), then overdue (partially paid ones included), then partially paid, else open.
 */
export function statusOf({ voided, total, open, pastDue }: StatusFacts): InvoiceStatus {
  if (voided) return 'void';
  if (open <= 0n) return 'paid';
  if (pastDue) return 'overdue';
  if (open < total) return 'partially_paid';
  return 'open';
}

/** What a change of status announces besides invoice-changed (proto: invoice-paid, invoice-overdue). */
export interface StatusTransition {
  becamePaid: boolean;
  becameOverdue: boolean;
}

export function transitionOf(before: InvoiceStatus | undefined, after: InvoiceStatus): StatusTransition {
  return {
    becamePaid: after === 'paid' && before !== 'paid',
    becameOverdue: after === 'overdue' && before !== 'overdue',
  };
}

/** States the scheduled scan may move to overdue. */
export const SCANNED_STATUSES: readonly InvoiceStatus[] = ['open', 'partially_paid'];

export function toProtoStatus(status: InvoiceStatus): InvoiceStatusEnum {
  switch (status) {
    case 'open':
      return InvoiceStatusEnum.OPEN;
    case 'partially_paid':
      return InvoiceStatusEnum.PARTIALLY_PAID;
    case 'paid':
      return InvoiceStatusEnum.PAID;
    case 'overdue':
      return InvoiceStatusEnum.OVERDUE;
    case 'void':
      return InvoiceStatusEnum.VOID;
    default:
      return assertNever(status);
  }
}

export function isInvoiceStatus(value: unknown): value is InvoiceStatus {
  return typeof value === 'string' && (INVOICE_STATUSES as readonly string[]).includes(value);
}
