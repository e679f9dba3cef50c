import { randomBytes, randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  createEvent,
  encodeRecord,
  type EncodedRecord,
  type EventInitOf,
  type TopicName,
} from '@duemap/events';
import { createProducer } from '@duemap/messaging';
import { testKafka } from './kafka';

export interface PublishOptions {
  /** Reuse an id to redeliver the same event; a fresh one otherwise. */
  eventId?: string;
  /** Sets the event's occurred_at, overriding whatever `init` holds. */
  occurredAt?: Date;
}

/** Publishes events onto a broker the way their owning service's outbox relay would. */
export interface EventPublisher {
  /** Returns the event id, for waiting until a consumer handled it. */
  publish<T extends TopicName>(topic: T, init: EventInitOf<T>, options?: PublishOptions): Promise<string>;
  /** The record `publish` would send, for specs that send the very same record more than once. */
  encode<T extends TopicName>(topic: T, init: EventInitOf<T>, options?: PublishOptions): EncodedRecord<T>;
  /** Sends an already encoded record as it is. */
  publishRaw(record: EncodedRecord<TopicName>): Promise<void>;
  /**
   * Sends encoded records in one produce request, so a consumer finds them all at once (what a
   * spec of batched consumption needs); per topic and key they keep the order given.
   */
  publishAll(records: readonly EncodedRecord<TopicName>[]): Promise<void>;
  close(): Promise<void>;
}

/** A W3C traceparent with fresh ids, as a traced producer would send. */
export function testTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

export async function createEventPublisher(brokers: string[]): Promise<EventPublisher> {
  const producer = createProducer(testKafka(brokers));
  await producer.connect();
  const encode = <T extends TopicName>(
    topic: T,
    init: EventInitOf<T>,
    { eventId = randomUUID(), occurredAt }: PublishOptions = {},
  ): EncodedRecord<T> => {
    const event = createEvent(
      topic,
      occurredAt === undefined ? init : { ...init, occurredAt: timestampFromDate(occurredAt) },
    );
    return encodeRecord(topic, event, { eventId, producer: 'spec', traceparent: testTraceparent() });
  };
  const publishRaw = async (record: EncodedRecord<TopicName>): Promise<void> => {
    await producer.send({
      topic: record.topic,
      messages: [{ key: record.key, value: record.value, headers: { ...record.headers } }],
    });
  };
  const publishAll = async (records: readonly EncodedRecord<TopicName>[]): Promise<void> => {
    const byTopic = new Map<string, { key: string; value: Buffer; headers: Record<string, string> }[]>();
    for (const r of records) {
      const messages = byTopic.get(r.topic) ?? [];
      messages.push({ key: r.key, value: r.value, headers: { ...r.headers } });
      byTopic.set(r.topic, messages);
    }
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  };
  return {
    encode,
    publishRaw,
    publishAll,
    async publish(topic, init, options = {}) {
      const eventId = options.eventId ?? randomUUID();
      await publishRaw(encode(topic, init, { ...options, eventId }));
      return eventId;
    },
    close: () => producer.disconnect(),
  };
}
