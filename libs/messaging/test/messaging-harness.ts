import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { PaymentReceivedSchema } from '@duemap/events';
import {
  createTestDatabase,
  createTestTopics,
  testKafka,
  testTopicName,
  type TestDatabase,
} from '@duemap/testing';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { messagingEntities, messagingMigrations, type EventTopic } from '../src';

export type PaymentTopic = EventTopic<typeof PaymentReceivedSchema>;

export interface Harness {
  db: TestDatabase;
  dataSource: DataSource;
  kafka: Kafka;
  topic: PaymentTopic;
  close(): Promise<void>;
}

/** A private database (migrated) and a private topic with its .dlq twin, per spec file. */
export async function startHarness(
  name: string,
  {
    partitions = 3,
    brokers,
    serverUrl,
  }: { partitions?: number; brokers?: string[]; serverUrl?: string } = {},
): Promise<Harness> {
  const db = await createTestDatabase(name, serverUrl);
  const dataSource = new DataSource({
    type: 'postgres',
    url: db.url,
    entities: messagingEntities,
    migrations: messagingMigrations,
    migrationsRun: true,
    poolSize: 8,
  });
  await dataSource.initialize();
  // The effect handlers apply in these tests: one row per applied event.
  await dataSource.query(
    `CREATE TABLE effects (event_id uuid NOT NULL, customer_id text NOT NULL, reference text NOT NULL, trace_id text)`,
  );
  const kafka = testKafka(brokers);
  const topic: PaymentTopic = { name: testTopicName(name), schema: PaymentReceivedSchema };
  await createTestTopics(kafka, [topic.name], { partitions });
  return {
    db,
    dataSource,
    kafka,
    topic,
    async close() {
      await dataSource.destroy();
      await db.drop();
    },
  };
}

export function paymentEvent(
  customerId: string,
  reference: string,
): MessageInitShape<typeof PaymentReceivedSchema> {
  return {
    customerId,
    occurredAt: timestampFromDate(new Date()),
    paymentId: reference,
    amount: { amount: '100.00', currency: 'CNY' },
    reference,
  };
}

export function paymentBytes(customerId: string, reference: string): Buffer {
  return Buffer.from(
    toBinary(PaymentReceivedSchema, create(PaymentReceivedSchema, paymentEvent(customerId, reference))),
  );
}

/** What a well-behaved producer would have put on the wire, sent around the outbox. */
export function paymentHeaders(eventId: string): Record<string, string> {
  return {
    'event-id': eventId,
    'event-type': 'duemap.payments.v1.PaymentReceived',
    'schema-version': '1',
    'content-type': 'application/x-protobuf',
    'occurred-at': new Date().toISOString(),
    producer: 'test',
  };
}
