import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { Timestamp } from '@bufbuild/protobuf/wkt';
import { AddressChangedSchema } from './gen/duemap/customers/v1/address_changed_pb';
import { BalanceChangedSchema } from './gen/duemap/customers/v1/balance_changed_pb';
import { CreditRatingChangedSchema } from './gen/duemap/customers/v1/credit_rating_changed_pb';
import { CustomerUpsertedSchema } from './gen/duemap/customers/v1/customer_upserted_pb';
import { StatusChangedSchema } from './gen/duemap/customers/v1/status_changed_pb';
import { CustomerGeocodedSchema } from './gen/duemap/geocoding/v1/customer_geocoded_pb';
import { GeocodeFailedSchema } from './gen/duemap/geocoding/v1/geocode_failed_pb';
import { AllocationRejectedSchema } from './gen/duemap/invoicing/v1/allocation_rejected_pb';
import { InvoiceChangedSchema } from './gen/duemap/invoicing/v1/invoice_changed_pb';
import { InvoiceIssuedSchema } from './gen/duemap/invoicing/v1/invoice_issued_pb';
import { InvoiceOverdueSchema } from './gen/duemap/invoicing/v1/invoice_overdue_pb';
import { InvoicePaidSchema } from './gen/duemap/invoicing/v1/invoice_paid_pb';
import { InvoiceVoidedSchema } from './gen/duemap/invoicing/v1/invoice_voided_pb';
import { ReminderCancelledSchema } from './gen/duemap/notifications/v1/reminder_cancelled_pb';
import { ReminderScheduledSchema } from './gen/duemap/notifications/v1/reminder_scheduled_pb';
import { ReminderSentSchema } from './gen/duemap/notifications/v1/reminder_sent_pb';
import { PaymentReceivedSchema } from './gen/duemap/payments/v1/payment_received_pb';
import { PaymentReversedSchema } from './gen/duemap/payments/v1/payment_reversed_pb';
import { RefundIssuedSchema } from './gen/duemap/payments/v1/refund_issued_pb';

/**
 * The one place topic names live. `<service>.<event>.v<major>`: the service is the only
 * producer, the major is the protobuf package version (`duemap.<service>.v<major>`), so a
 * breaking contract change is a new topic that runs beside the old one while consumers move.
 */
export const Topic = {
  PaymentReceived: 'payments.payment-received.v1',
  PaymentReversed: 'payments.payment-reversed.v1',
  RefundIssued: 'payments.refund-issued.v1',

  InvoiceIssued: 'invoicing.invoice-issued.v1',
  InvoiceChanged: 'invoicing.invoice-changed.v1',
  InvoicePaid: 'invoicing.invoice-paid.v1',
  InvoiceOverdue: 'invoicing.invoice-overdue.v1',
  InvoiceVoided: 'invoicing.invoice-voided.v1',
  AllocationRejected: 'invoicing.allocation-rejected.v1',

  CustomerUpserted: 'customers.customer-upserted.v1',
  AddressChanged: 'customers.address-changed.v1',
  BalanceChanged: 'customers.balance-changed.v1',
  StatusChanged: 'customers.status-changed.v1',
  CreditRatingChanged: 'customers.credit-rating-changed.v1',

  CustomerGeocoded: 'geocoding.customer-geocoded.v1',
  GeocodeFailed: 'geocoding.geocode-failed.v1',

  ReminderScheduled: 'notifications.reminder-scheduled.v1',
  ReminderSent: 'notifications.reminder-sent.v1',
  ReminderCancelled: 'notifications.reminder-cancelled.v1',
} as const;

/** A topic carrying a Duemap event (binary protobuf, schema in TOPICS). */
export type TopicName = (typeof Topic)[keyof typeof Topic];

/**
 * Bulk ingestion from ERPs and banks. Written by outside systems, not by Duemap services,
 * so they carry JSON records (idempotent by source keys) rather than a protobuf contract.
 */
export const IngestionTopic = {
  ErpCustomers: 'erp.customers.v1',
  ErpInvoices: 'erp.invoices.v1',
  BankPayments: 'bank.payments.v1',
} as const;

export type IngestionTopicName = (typeof IngestionTopic)[keyof typeof IngestionTopic];

/** Any topic Duemap creates up front, DLQs aside. */
export type AnyTopicName = TopicName | IngestionTopicName;

/**
 * Topic -> protobuf schema of its record value. `satisfies` makes adding a name to `Topic`
 * without a schema here (or the reverse) a compile error.
 */
export const TOPICS = {
  [Topic.PaymentReceived]: PaymentReceivedSchema,
  [Topic.PaymentReversed]: PaymentReversedSchema,
  [Topic.RefundIssued]: RefundIssuedSchema,

  [Topic.InvoiceIssued]: InvoiceIssuedSchema,
  [Topic.InvoiceChanged]: InvoiceChangedSchema,
  [Topic.InvoicePaid]: InvoicePaidSchema,
  [Topic.InvoiceOverdue]: InvoiceOverdueSchema,
  [Topic.InvoiceVoided]: InvoiceVoidedSchema,
  [Topic.AllocationRejected]: AllocationRejectedSchema,

  [Topic.CustomerUpserted]: CustomerUpsertedSchema,
  [Topic.AddressChanged]: AddressChangedSchema,
  [Topic.BalanceChanged]: BalanceChangedSchema,
  [Topic.StatusChanged]: StatusChangedSchema,
  [Topic.CreditRatingChanged]: CreditRatingChangedSchema,

  [Topic.CustomerGeocoded]: CustomerGeocodedSchema,
  [Topic.GeocodeFailed]: GeocodeFailedSchema,

  [Topic.ReminderScheduled]: ReminderScheduledSchema,
  [Topic.ReminderSent]: ReminderSentSchema,
  [Topic.ReminderCancelled]: ReminderCancelledSchema,
} as const satisfies Record<TopicName, DescMessage>;

export const PROTOBUF_CONTENT_TYPE = 'application/x-protobuf';
export const JSON_CONTENT_TYPE = 'application/json';

/** Ingestion topics have no protobuf schema yet; this marks how their values are encoded. */
export const INGESTION_TOPICS = {
  [IngestionTopic.ErpCustomers]: { contentType: JSON_CONTENT_TYPE },
  [IngestionTopic.ErpInvoices]: { contentType: JSON_CONTENT_TYPE },
  [IngestionTopic.BankPayments]: { contentType: JSON_CONTENT_TYPE },
} as const satisfies Record<IngestionTopicName, { contentType: string }>;

/** The protobuf schema (descriptor) of a topic's record value. */
export type SchemaOf<T extends TopicName> = (typeof TOPICS)[T];

/** The decoded message type of a topic, e.g. `EventOf<'payments.payment-received.v1'>`. */
export type EventOf<T extends TopicName> = MessageShape<SchemaOf<T>>;

/** What `create(TOPICS[topic], init)` accepts for a topic. */
export type EventInitOf<T extends TopicName> = MessageInitShape<SchemaOf<T>>;

/** Any Duemap event, a union over all topics. */
export type AnyEvent = EventOf<TopicName>;

/**
 * Every event message starts with `string customer_id = 1` (the Kafka key) and
 * `google.protobuf.Timestamp occurred_at = 2`. This line stops compiling if a schema
 * registered in TOPICS lacks either, so the codec can rely on them for every topic.
 */
type AssertTrue<T extends true> = T;
type _EveryEventHasKeyFields = AssertTrue<
  AnyEvent extends { customerId: string; occurredAt?: Timestamp } ? true : false
>;

/** Kafka topics the platform creates up front (DLQs come from ALL_TOPICS_WITH_DLQ). */
export const ALL_TOPICS: readonly AnyTopicName[] = [
  ...Object.values(Topic),
  ...Object.values(IngestionTopic),
];

export type DlqTopicName<T extends string> = `${T}.dlq`;

/** Where a consumer parks a message that failed for good, with the error in its headers. */
export function dlqTopic<T extends string>(topic: T): DlqTopicName<T> {
  return `${topic}.dlq`;
}

export const ALL_TOPICS_WITH_DLQ: readonly string[] = ALL_TOPICS.flatMap((topic) => [topic, dlqTopic(topic)]);

const topicNames: ReadonlySet<string> = new Set(Object.values(Topic));

/** Narrows a topic name read off the wire (a plain string) to one with a schema. */
export function isTopicName(topic: string): topic is TopicName {
  return topicNames.has(topic);
}

const topicByEventType: ReadonlyMap<string, TopicName> = new Map(
  Object.values(Topic).map((topic) => [TOPICS[topic].typeName, topic]),
);

/** The topic an event type (fully-qualified message name) is published on, if any. */
export function topicOfEventType(eventType: string): TopicName | undefined {
  return topicByEventType.get(eventType);
}

/** Fully-qualified protobuf message name of a topic, the value of the `event-type` header. */
export function eventTypeOf<T extends TopicName>(topic: T): SchemaOf<T>['typeName'] {
  return TOPICS[topic].typeName;
}

/** The contract's major version ("1" for `...v1`), the value of the `schema-version` header. */
export function schemaVersionOf(topic: string): string {
  const match = /\.v([0-9]+)$/.exec(topic);
  if (!match?.[1]) throw new Error(`topic "${topic}" does not end with .v<major>`);
  return match[1];
}

/** The service that owns (and is the only producer of) an event topic, e.g. "payments". */
export function serviceOf(topic: TopicName): string {
  return topic.slice(0, topic.indexOf('.'));
}
