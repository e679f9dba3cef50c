import type { DescMessage } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AllocationRejectionReason,
  calendarDate,
  DocumentKind,
  InvoiceField,
  Topic,
  type EventInitOf,
  type TopicName,
} from '@duemap/events';
import { eventTopic, type OutboxEvent } from '@duemap/messaging';
import type { Money } from '@duemap/money';
import type { Invoice } from './invoice.model';
import { overdueSince } from './due-date';
import { toProtoStatus, transitionOf } from './invoice-status';

// Builders of the events invoicing emits. Every one is keyed by the customer who owes the
// invoice, so a customer's events stay in order on one partition, and every event about an
// invoice carries the version of the invoice after the change (all events of a change the same).

function outboxEvent<T extends TopicName>(
  topic: T,
  event: Omit<EventInitOf<T>, 'occurredAt'> & { customerId: string },
  at: Date,
): OutboxEvent<DescMessage> {
  return {
    topic: eventTopic(topic),
    key: event.customerId,
    event: { ...event, occurredAt: timestampFromDate(at) },
    occurredAt: at,
  };
}

const money = (m: Money) => m.toJSON();

function snapshot(invoice: Invoice) {
  return {
    customerId: invoice.customerId,
    invoiceId: invoice.id,
    invoiceVersion: invoice.version,
    number: invoice.number,
    kind: DocumentKind.INVOICE,
    issueDate: calendarDate(invoice.issueDate),
    dueDate: calendarDate(invoice.dueDate),
    total: money(invoice.total),
    openAmount: money(invoice.open),
    status: toProtoStatus(invoice.status),
    lines: invoice.lines.map((line) => ({
      lineNumber: line.lineNumber,
      description: line.description,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      amount: line.amount,
      tax: line.tax,
    })),
    source: { ...invoice.source },
  };
}

function followUps(before: Invoice | null, after: Invoice, paymentIds: readonly string[], at: Date) {
  const { becamePaid, becameOverdue } = transitionOf(before?.status, after.status);
  const events: OutboxEvent<DescMessage>[] = [];
  if (becamePaid) {
    events.push(
      outboxEvent(
        Topic.InvoicePaid,
        {
          customerId: after.customerId,
          invoiceId: after.id,
          invoiceVersion: after.version,
          number: after.number,
          total: money(after.total),
          dueDate: calendarDate(after.dueDate),
          paymentIds: [...paymentIds],
        },
        at,
      ),
    );
  }
  if (becameOverdue) {
    events.push(
      outboxEvent(
        Topic.InvoiceOverdue,
        {
          customerId: after.customerId,
          invoiceId: after.id,
          invoiceVersion: after.version,
          number: after.number,
          dueDate: calendarDate(after.dueDate),
          overdueSince: calendarDate(overdueSince(after.dueDate)),
          timeZone: after.timeZone,
          openAmount: money(after.open),
          total: money(after.total),
        },
        at,
      ),
    );
  }
  return events;
}

/** First delivery: invoice-issued, then invoice-overdue when it arrived already past due. */
export function issuedEvents(invoice: Invoice, at: Date): OutboxEvent<DescMessage>[] {
  return [
    outboxEvent(
      Topic.InvoiceIssued,
      { ...snapshot(invoice), customerSource: invoice.customerSource ?? undefined },
      at,
    ),
    ...followUps(null, invoice, [], at),
  ];
}

/**
 * invoice-changed with what changed, then invoice-paid / invoice-overdue when the status just
 * became that. `paymentIds` are the payments applied to the invoice, oldest first (for invoice-paid);
 * `recordedPaymentIds` the payments whose allocation this change records (invoice-changed).
 */
export function changedEvents(
  before: Invoice,
  after: Invoice,
  changedFields: readonly InvoiceField[],
  paymentIds: readonly string[],
  at: Date,
  recordedPaymentIds: readonly string[] = [],
): OutboxEvent<DescMessage>[] {
  return [
    outboxEvent(
      Topic.InvoiceChanged,
      {
        ...snapshot(after),
        changedFields: [...changedFields],
        previousCustomerId: before.customerId !== after.customerId ? before.customerId : '',
        recordedPaymentIds: [...recordedPaymentIds],
      },
      at,
    ),
    ...followUps(before, after, paymentIds, at),
  ];
}

/** What differs between two states of an invoice, in the contract's terms. */
export function changedFieldsOf(before: Invoice, after: Invoice): InvoiceField[] {
  const fields: InvoiceField[] = [];
  if (before.number !== after.number) fields.push(InvoiceField.NUMBER);
  if (before.issueDate !== after.issueDate) fields.push(InvoiceField.ISSUE_DATE);
  if (before.dueDate !== after.dueDate) fields.push(InvoiceField.DUE_DATE);
  if (!before.total.equals(after.total)) fields.push(InvoiceField.TOTAL);
  if (!before.open.equals(after.open)) fields.push(InvoiceField.OPEN_AMOUNT);
  if (before.status !== after.status) fields.push(InvoiceField.STATUS);
  if (JSON.stringify(before.lines) !== JSON.stringify(after.lines)) fields.push(InvoiceField.LINES);
  if (before.customerId !== after.customerId) fields.push(InvoiceField.CUSTOMER);
  return fields;
}

/** invoice-voided, then invoice-changed with the void state (status VOID, nothing open). */
export function voidedEvents(
  before: Invoice,
  after: Invoice,
  reason: string,
  at: Date,
): OutboxEvent<DescMessage>[] {
  return [
    outboxEvent(
      Topic.InvoiceVoided,
      {
        customerId: after.customerId,
        invoiceId: after.id,
        invoiceVersion: after.version,
        number: after.number,
        total: money(after.total),
        voidedOpenAmount: money(before.open),
        reason,
        source: { sourceSystem: 'api', externalId: after.id },
      },
      at,
    ),
    ...changedEvents(before, after, changedFieldsOf(before, after), [], at),
  ];
}

export interface Rejection {
  customerId: string;
  paymentId: string;
  invoiceId: string;
  requested: Money;
  rejected: Money;
  reason: AllocationRejectionReason;
  detail: string;
}

export function allocationRejectedEvent(r: Rejection, at: Date): OutboxEvent<DescMessage> {
  return outboxEvent(
    Topic.AllocationRejected,
    {
      customerId: r.customerId,
      paymentId: r.paymentId,
      invoiceId: r.invoiceId,
      requested: money(r.requested),
      rejected: money(r.rejected),
      reason: r.reason,
      detail: r.detail,
    },
    at,
  );
}
