import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  calendarDate,
  decodeRecord,
  DocumentKind,
  InvoiceField,
  InvoiceStatus,
  Topic,
  type EncodedRecord,
  type EventInitOf,
  type EventOf,
  type TopicName,
} from '@duemap/events';
import {
  startServiceUnderTest,
  testEnv,
  testKafka,
  uniqueName,
  waitFor,
  identityHeaders,
  type EventPublisher,
  type TestApp,
  type TestIdentity,
} from '@duemap/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import type { Consumer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { DataSource, type BeforeQueryEvent, type QueryRunner } from 'typeorm';
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
  /** The service's private Kafka. */
  brokers: string[];
  db: DataSource;
  queue: ReminderQueue;
  /** Every notifications.* event the service published, decoded (headers checked). */
  events: { topic: NotificationTopic; key: string; event: EventOf<NotificationTopic> }[];
  /** Log lines of the service (pino JSON). */
  logs: Record<string, unknown>[];
  publish: EventPublisher['publish'];
  encode: EventPublisher['encode'];
  publishRaw: EventPublisher['publishRaw'];
  /**
   * Sends all the records in one produce request, in order (so in order per topic and key): the
   * consumer then finds them together and applies them in a few transactions of many events.
   */
  publishAll(records: EncodedRecord<TopicName>[]): Promise<void>;
  /** Sum of a counter on the service's /metrics (all label sets). */
  metric(name: string): Promise<number>;
  /** As `who` (default an admin), with the signed identity the gateway would add. */
  get<T>(path: string, who?: TestIdentity): Promise<{ status: number; body: T }>;
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
  // Created first so that it is cleaned up only once the service (and its workers) stopped.
  const queue: ReminderQueue = new Queue(REMINDER_QUEUE, {
    connection: redisOptionsFromUrl(testEnv.redisUrl),
    prefix,
  });
  cleanups.push(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await deleteKeys(prefix);
  });
  const service = await startServiceUnderTest({
    service: 'notifications',
    schema: notificationsConfig,
    env: { REDIS_URL: testEnv.redisUrl, QUEUE_PREFIX: prefix, LOG_LEVEL: 'info', ...env },
    dataSource: dataSourceOptions,
    module: (config, logger) => AppModule.register(config, logger),
    logger: pino({ level: 'info' }, sink),
  });
  cleanups.push(() => service.close());
  const db = new DataSource(dataSourceOptions(service.db.url));
  await db.initialize();
  cleanups.push(() => db.destroy());
  const events: Notifications['events'] = [];
  const consumer: Consumer = testKafka(service.kafka.brokers).consumer({ groupId: uniqueName('spec') });
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
  const { publish, encode, publishRaw } = service.publisher;
  return {
    app: service.app,
    brokers: service.kafka.brokers,
    db,
    queue,
    events,
    logs,
    publish,
    encode,
    publishRaw,
    publishAll: (records) => service.publisher.publishAll(records),
    async metric(name) {
      const text = await (await fetch(`${service.url}/metrics`)).text();
      return text
        .split('\n')
        .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    },
    async get<T>(path: string, who?: TestIdentity) {
      const res = await fetch(`${service.url}${path}`, { headers: await identityHeaders(who) });
      return { status: res.status, body: (await res.json()) as T };
    },
    close,
  };
}

/** One committed transaction of the service's consumer, as its statements showed it. */
export interface ConsumedTransaction {
  /** Events of the inbox insert (duplicates included). */
  events: number;
  /** Their topics, each once. */
  topics: string[];
  /** Statements between BEGIN and COMMIT, the inbox insert left out. */
  statements: string[];
}

/**
 * Watches every statement of the service's DataSource (a subscriber's beforeQuery sees them all)
 * and keeps its committed consumer transactions; `outside` counts statements sent outside any
 * transaction (e.g. jobs recorded as enqueued after commit) whose SQL matches.
 */
export function watchConsumerTransactions(n: Notifications): {
  transactions: ConsumedTransaction[];
  outside: (pattern: RegExp) => number;
  reset(): void;
} {
  const open = new Map<QueryRunner | undefined, { statements: string[]; inbox?: unknown[] }>();
  const transactions: ConsumedTransaction[] = [];
  let outsideStatements: string[] = [];
  const onQuery = (e: BeforeQueryEvent<unknown>): void => {
    const { query, queryRunner: runner } = e;
    if (query === 'START TRANSACTION') {
      open.set(runner, { statements: [] });
    } else if (query === 'COMMIT' || query === 'ROLLBACK') {
      const tx = open.get(runner);
      open.delete(runner);
      if (query === 'COMMIT' && tx?.inbox !== undefined) {
        const [, eventIds, topics] = tx.inbox as [string, string[], string[]];
        transactions.push({
          events: eventIds.length,
          topics: [...new Set(topics)],
          statements: tx.statements,
        });
      }
    } else if (open.has(runner)) {
      const tx = open.get(runner);
      if (query.includes('INSERT INTO inbox')) {
        if (tx) tx.inbox = e.parameters;
      } else {
        tx?.statements.push(query);
      }
    } else {
      outsideStatements.push(query);
    }
  };
  n.app.app.get<DataSource>(getDataSourceToken()).subscribers.push({ beforeQuery: onQuery });
  return {
    transactions,
    outside: (pattern) => outsideStatements.filter((q) => pattern.test(q)).length,
    reset() {
      transactions.splice(0);
      outsideStatements = [];
    },
  };
}

export interface Reminder {
  id: string;
  invoiceId: string;
  customerId: string;
  level: number;
  offsetDays: number;
  scheduledFor: string;
  status: 'scheduled' | 'sending' | 'sent' | 'unconfirmed' | 'cancelled' | 'skipped';
  channel: string;
  sentAt: string | null;
  cancelledAt: string | null;
  reason: string | null;
}

/** The invoice's reminders as the API lists them. */
export async function reminders(n: Notifications, invoiceId: string): Promise<Reminder[]> {
  return (await n.get<Reminder[]>(`/api/v1/reminders?invoiceId=${invoiceId}`)).body;
}

/** The invoice's reminders once `ok` holds for them. */
export function remindersWhen(
  n: Notifications,
  invoiceId: string,
  what: string,
  ok: (r: Reminder[]) => boolean,
): Promise<Reminder[]> {
  return waitFor(what, async () => {
    const list = await reminders(n, invoiceId);
    return ok(list) ? list : undefined;
  });
}

/**
 * Announces a customer and waits until it is in the read model: topics are not ordered relative
 * to each other, and invoices should find the customer's zone.
 */
export async function knownCustomer(n: Notifications, customerId: string): Promise<void> {
  await n.publish(Topic.CustomerUpserted, customerUpserted(customerId));
  await waitFor('the customer in the read model', async () =>
    (await n.db.query<unknown[]>(`SELECT 1 FROM customers WHERE customer_id = $1`, [customerId])).length
      ? true
      : undefined,
  );
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
