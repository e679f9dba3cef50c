import type { InvoiceStanding } from '../reminder-policy/plan-reminders';
import type { LocalDate } from '../reminder-policy/zoned-time';
import type { InvoiceEntity } from './invoice.entity';

type InvoiceFacts = Pick<InvoiceEntity, 'customerId' | 'kind' | 'status' | 'dueDate' | 'openMinor'> & {
  /** A payment settles it by payments' decision, not yet recorded by invoicing (payment-holds.ts). */
  readonly held?: boolean;
};

/** 'YYYY-MM-DD' (as a Postgres date column reads back) to a LocalDate. */
export function parseIsoDate(iso: string): LocalDate {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (match === null) throw new RangeError(`"${iso}" is not a YYYY-MM-DD date`);
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

/**
 * Whether an invoice is to be chased, per its projection. Open, partially paid and overdue
 * invoices with something open and a due date are; a status from a newer contract revision
 * (unknown here) counts as open while an amount is open, so reminders err on the side of the
 * contract's "treat unknown like UNSPECIFIED and do not fail".
 */
export function invoiceStanding(invoice: InvoiceFacts): InvoiceStanding {
  switch (invoice.status) {
    case 'paid':
      return { remindable: false, reason: 'invoice_paid', detail: 'the invoice was paid' };
    case 'void':
      return { remindable: false, reason: 'invoice_voided', detail: 'the invoice was voided' };
    case 'open':
    case 'partially_paid':
    case 'overdue':
    case 'unknown':
      break;
  }
  if (invoice.held === true) {
    return {
      remindable: false,
      reason: 'invoice_paid',
      detail: 'a payment settles the invoice (payments decided it; invoicing has not recorded it yet)',
    };
  }
  if (invoice.openMinor !== null && BigInt(invoice.openMinor) <= 0n) {
    return { remindable: false, reason: 'invoice_paid', detail: 'nothing is open on the invoice' };
  }
  if (invoice.kind === 'credit_note') {
    return { remindable: false, reason: 'policy_changed', detail: 'credit notes get no reminders' };
  }
  if (invoice.dueDate === null) {
    return { remindable: false, reason: 'due_date_changed', detail: 'the invoice has no due date' };
  }
  return { remindable: true, customerId: invoice.customerId, dueDate: parseIsoDate(invoice.dueDate) };
}
