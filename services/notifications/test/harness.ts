import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { loadConfig } from '@duemap/config';
import {
  calendarDate,
  createEvent,
  decodeRecord,
  DocumentKind,
  encodeRecord,
  InvoiceField,
  InvoiceStatus,
  Topic,
  type EventInitOf,
  type EventOf,
  type TopicName,
} from '@duemap/events';
import { createProducer } from '@duemap/messaging';
import {
  createTestDatabase,
  migrate,
  startPrivateKafka,
  startTestApp,
  testEnv,
  testKafka,
  uniqueName,
  type TestApp,
} from '@duemap/testing';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import type { Consumer, Producer } from 'kafkajs';
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import pino from 'pino';
import { AppModule } from '../src/app.module';
import { redisOptionsFromUrl } from '../src/common/redis';
import { notificationsConfig } from '../src/config';
import { dataSourceOptions } from '../src/database/data-source';
import { REMINDER_QUEUE, type ReminderQueue } from '../src/reminders/reminder.queue';

const NOTIFICATION_TOPICS = [Topic.ReminderScheduled, Topic.ReminderSent, Topic.ReminderCancelled] as const;
type NotificationTopic = (typeof NOTIFICATION_TOPICS)[number];

/** What a spec publishes and reads back, with the service booted in-process on private stores. */
export interface Notifications {
  app: TestApp;
  db: DataSource;
  queue: ReminderQueue;
  /** Every notifications.* event the service published, decoded (headers checked). */
  events: { topic: NotificationTopic; key: string; event: EventOf<NotificationTopic> }[];
  /** Log lines of the service (pino JSON). */
  logs: Record<string, unknown>[];
  publish<T extends TopicName>(topic: T, init: EventInitOf<T>, eventId?: string): Promise<string>;
  publishRaw(topic: TopicName, record: ReturnType<typeof encodeRecord>): Promise<void>;
  get<T>(path: string): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export async function startNotifications(env: Record<string, string> = {}): Promise<Notifications> {
  // Everything started is stopped again in reverse order, also when booting fails half-way.
  const cleanups: (() => Promise<unknown>)[] = [];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    return await boot(env, cleanups, close);
  } catch (err) {
    await close();
    throw err;
  }
}

async function boot(
  env: Record<string, string>,
  cleanups: (() => Promise<unknown>)[],
  close: () => Promise<void>,
): Promise<Notifications> {
  const prefix = uniqueName('test-notifications').replace(/_/g, '-');
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const kafka = await startPrivateKafka();
  cleanups.push(() => kafka.stop());
  const database = await createTestDatabase('notifications');
  cleanups.push(() => database.drop());
  await migrate(dataSourceOptions(database.url));
  const config = loadConfig(
    notificationsConfig,
    {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: kafka.brokers.join(','),
      REDIS_URL: testEnv.redisUrl,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'info',
      ...env,
    },
    { service: 'notifications' },
  );
  const queue: ReminderQueue = new Queue(REMINDER_QUEUE, {
    connection: redisOptionsFromUrl(testEnv.redisUrl),
    prefix,
  });
  cleanups.push(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await deleteKeys(prefix);
  });
  const app = await startTestApp(AppModule.register(config, pino({ level: 'info' }, sink)));
  cleanups.push(() => app.close());
  const db = new DataSource(dataSourceOptions(database.url));
  await db.initialize();
  cleanups.push(() => db.destroy());
  const client = testKafka(kafka.brokers);
  const producer: Producer = createProducer(client);
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  const events: Notifications['events'] = [];
  const consumer: Consumer = client.consumer({ groupId: uniqueName('spec') });
  cleanups.push(() => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topics: [...NOTIFICATION_TOPICS], fromBeginning: true });
  await consumer.run({
    eachMessage: ({ topic, message }) => {
      const record = decodeRecord({
        topic,
        key: message.key,
        value: message.value,
        headers: message.headers,
      });
      events.push({
        topic: record.topic as NotificationTopic,
        key: message.key?.toString() ?? '',
        event: record.event as EventOf<NotificationTopic>,
      });
      return Promise.resolve();
    },
  });
  const publishRaw = async (topic: TopicName, record: ReturnType<typeof encodeRecord>): Promise<void> => {
    await producer.send({
      topic,
      messages: [{ key: record.key, value: record.value, headers: { ...record.headers } }],
    });
  };
  return {
    app,
    db,
    queue,
    events,
    logs,
    async publish(topic, init, eventId = randomUUID()) {
      await publishRaw(
        topic,
        encodeRecord(topic, createEvent(topic, init), {
          eventId,
          producer: 'spec',
          traceparent: traceparent(),
        }),
      );
      return eventId;
    },
    publishRaw,
    async get<T>(path: string) {
      const res = await fetch(`${app.url}${path}`);
      return { status: res.status, body: (await res.json()) as T };
    },
    close,
  };
}

/** Whatever obliterate leaves (e.g. the events stream) under the spec's prefix. */
async function deleteKeys(prefix: string): Promise<void> {
  const redis = new IORedis(testEnv.redisUrl);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

export function traceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

/** The calendar date `days` from today in `timeZone`, as YYYY-MM-DD. */
export function dayFromToday(days: number, timeZone = 'UTC'): string {
  const today = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export function invoiceIssued(
  customerId: string,
  invoiceId: string,
  dueDate: string,
  over: Partial<EventInitOf<typeof Topic.InvoiceIssued>> = {},
): EventInitOf<typeof Topic.InvoiceIssued> {
  return {
    customerId,
    occurredAt: timestampFromDate(new Date()),
    invoiceId,
    number: `INV-${invoiceId.slice(0, 8)}`,
    kind: DocumentKind.INVOICE,
    issueDate: calendarDate(dayFromToday(-20)),
    dueDate: calendarDate(dueDate),
    total: { amount: '1130.00', currency: 'CNY' },
    openAmount: { amount: '1130.00', currency: 'CNY' },
    status: InvoiceStatus.OPEN,
    ...over,
  } as EventInitOf<typeof Topic.InvoiceIssued>;
}

export function customerUpserted(
  customerId: string,
  over: Partial<EventInitOf<typeof Topic.CustomerUpserted>> = {},
): EventInitOf<typeof Topic.CustomerUpserted> {
  return {
    customerId,
    occurredAt: timestampFromDate(new Date()),
    created: true,
    sources: [{ sourceSystem: 'sap', externalId: customerId.slice(0, 8) }],
    name: '上海明远贸易有限公司',
    timeZone: 'Asia/Shanghai',
    locale: 'zh-CN',
    ...over,
  } as EventInitOf<typeof Topic.CustomerUpserted>;
}

export function invoicePaid(
  customerId: string,
  invoiceId: string,
  dueDate: string,
): EventInitOf<typeof Topic.InvoicePaid> {
  return {
    customerId,
    occurredAt: timestampFromDate(new Date()),
    invoiceId,
    number: `INV-${invoiceId.slice(0, 8)}`,
    total: { amount: '1130.00', currency: 'CNY' },
    dueDate: calendarDate(dueDate),
    paymentIds: [randomUUID()],
  };
}

export function invoiceChanged(
  customerId: string,
  invoiceId: string,
  dueDate: string,
  over: Partial<EventInitOf<typeof Topic.InvoiceChanged>> = {},
): EventInitOf<typeof Topic.InvoiceChanged> {
  const { customerSource: _, ...issued } = invoiceIssued(customerId, invoiceId, dueDate);
  return {
    ...issued,
    changedFields: [InvoiceField.DUE_DATE],
    ...over,
  } as EventInitOf<typeof Topic.InvoiceChanged>;
}
