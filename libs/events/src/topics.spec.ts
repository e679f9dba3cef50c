import { TimestampSchema } from '@bufbuild/protobuf/wkt';
import {
  ALL_TOPICS,
  ALL_TOPICS_WITH_DLQ,
  dlqTopic,
  eventTypeOf,
  INGESTION_TOPICS,
  IngestionTopic,
  isTopicName,
  schemaVersionOf,
  serviceOf,
  Topic,
  TOPICS,
  topicOfEventType,
  type EventOf,
  type TopicName,
} from './topics';

const eventTopics = Object.values(Topic);

describe('topic names', () => {
  it('all follow <service>.<event>.v<major>', () => {
    for (const topic of ALL_TOPICS) expect(topic).toMatch(/^[a-z]+\.[a-z-]+\.v[0-9]+$/);
  });

  it('are unique', () => {
    expect(new Set(ALL_TOPICS).size).toBe(ALL_TOPICS.length);
  });

  it('ALL_TOPICS holds every event topic and the ERP/bank ingestion topics', () => {
    expect([...ALL_TOPICS].sort()).toEqual(
      [...eventTopics, 'erp.customers.v1', 'erp.invoices.v1', 'bank.payments.v1'].sort(),
    );
    expect(Object.keys(INGESTION_TOPICS).sort()).toEqual(Object.values(IngestionTopic).sort());
  });

  it('gives every topic a DLQ beside it', () => {
    expect(dlqTopic('payments.payment-received.v1')).toBe('payments.payment-received.v1.dlq');
    expect(ALL_TOPICS_WITH_DLQ).toHaveLength(ALL_TOPICS.length * 2);
    for (const topic of ALL_TOPICS)
      expect(ALL_TOPICS_WITH_DLQ).toEqual(expect.arrayContaining([topic, `${topic}.dlq`]));
  });
});

describe('TOPICS', () => {
  it('has a schema for exactly the event topics, none for ingestion topics', () => {
    expect(Object.keys(TOPICS).sort()).toEqual([...eventTopics].sort());
    for (const topic of Object.values(IngestionTopic)) expect(isTopicName(topic)).toBe(false);
  });

  // The topic name, the protobuf package and the message name tell the same story, so a
  // consumer can find the schema from any of them.
  it.each(eventTopics)('%s carries duemap.<service>.v<major>.<PascalCaseEvent>', (topic) => {
    const [service, event, version] = topic.split('.') as [string, string, string];
    const pascal = event.replace(/(^|-)([a-z])/g, (_m, _dash, letter: string) => letter.toUpperCase());
    expect(eventTypeOf(topic)).toBe(`duemap.${service}.${version}.${pascal}`);
    expect(serviceOf(topic)).toBe(service);
    expect(schemaVersionOf(topic)).toBe(version.slice(1));
    expect(topicOfEventType(eventTypeOf(topic))).toBe(topic);
  });

  // Field numbers, not just names: the codec and every consumer's partitioning rely on
  // field 1 being the key and field 2 the event time in every message.
  it.each(eventTopics)('%s has customer_id = 1 (string) and occurred_at = 2 (Timestamp)', (topic) => {
    const schema = TOPICS[topic];
    const customerId = schema.fields.find((f) => f.number === 1);
    const occurredAt = schema.fields.find((f) => f.number === 2);
    expect(customerId?.name).toBe('customer_id');
    expect(customerId?.fieldKind === 'scalar' && customerId.scalar).toBe(9 /* ScalarType.STRING */);
    expect(occurredAt?.name).toBe('occurred_at');
    expect(occurredAt?.fieldKind === 'message' && occurredAt.message.typeName).toBe(TimestampSchema.typeName);
  });

  it('maps topic types to message types', () => {
    // Compile-time: the wrong message type for a topic does not type-check.
    const typeName: EventOf<typeof Topic.PaymentReceived>['$typeName'] = 'duemap.payments.v1.PaymentReceived';
    // @ts-expect-error a PaymentReceived is not an InvoicePaid
    const wrong: EventOf<typeof Topic.InvoicePaid>['$typeName'] = 'duemap.payments.v1.PaymentReceived';
    const name: TopicName = Topic.PaymentReceived;
    expect([typeName, wrong, name]).toHaveLength(3);
  });

  it('recognises topic names read off the wire', () => {
    expect(isTopicName('payments.payment-received.v1')).toBe(true);
    expect(isTopicName('payments.payment-received.v2')).toBe(false);
    expect(isTopicName('payments.payment-received.v1.dlq')).toBe(false);
    expect(topicOfEventType('duemap.payments.v1.Nope')).toBeUndefined();
  });
});
