import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { loadConfig } from '@duemap/config';
import {
  createEvent,
  decodeEvent,
  encodeRecord,
  type AnyEvent,
  type EventInitOf,
  type TopicName,
} from '@duemap/events';
import { createProducer } from '@duemap/messaging';
import {
  createTestDatabase,
  migrate,
  startPrivateKafka,
  startTestApp,
  testKafka,
  testLogger,
  uniqueName,
  waitFor,
  type PrivateKafka,
  type TestApp,
  type TestDatabase,
} from '@duemap/testing';
import type { Consumer, Producer } from 'kafkajs';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { ErrorBody } from '@duemap/http';
import { AppModule } from '../src/app.module';
import type { CustomerView } from '../src/customers/customer-record';
import type { CustomerPage } from '../src/customers/usecases/list-customers.usecase';
import { customersConfig } from '../src/config';
import { dataSourceOptions } from '../src/database/data-source';

/**
 * What the API answers, typed loosely enough for assertions: a customer, a page or an error
 * (the fields of the others are simply absent at run time).
 */
export type ApiBody = CustomerView & CustomerPage & ErrorBody;

export interface ApiResponse {
  status: number;
  body: ApiBody;
}

export interface SeenEvent {
  topic: string;
  eventId: string;
  key: string;
  event: AnyEvent;
}

/** The customers service in this process, on its own broker and database, plus a Kafka tap. */
export interface CustomersHarness {
  url: string;
  brokers: string[];
  db: TestDatabase;
  sql: Client;
  /** Every event the service published so far, in arrival order. */
  seen: SeenEvent[];
  put(path: string, body: unknown): Promise<ApiResponse>;
  get(path: string): Promise<ApiResponse>;
  /** Publishes an event as its owning service would; returns the event id (reuse it to redeliver). */
  publish<T extends TopicName>(
    topic: T,
    init: Omit<EventInitOf<T>, 'occurredAt'>,
    options?: PublishOptions,
  ): Promise<string>;
  /** Resolves once the service's consumer has handled (committed) the event with this id. */
  handled(eventId: string): Promise<void>;
  close(): Promise<void>;
}

export interface PublishOptions {
  eventId?: string;
  occurredAt?: Date;
}

const CUSTOMER_TOPICS = [
  'customers.customer-upserted.v1',
  'customers.address-changed.v1',
  'customers.balance-changed.v1',
  'customers.status-changed.v1',
] as const;

export async function startCustomers(prefix: string): Promise<CustomersHarness> {
  const [kafka, db]: [PrivateKafka, TestDatabase] = await Promise.all([
    startPrivateKafka(),
    createTestDatabase(prefix),
  ]);
  let app: TestApp | undefined;
  let producer: Producer | undefined;
  let tap: Consumer | undefined;
  let sql: Client | undefined;
  try {
    await migrate(dataSourceOptions(db.url));
    const config = loadConfig(
      customersConfig,
      {
        DATABASE_URL: db.url,
        KAFKA_BROKERS: kafka.brokers.join(','),
        CUSTOMERS_PII_KEY: randomBytes(32).toString('base64'),
        LOG_LEVEL: 'silent',
      },
      { service: 'customers' },
    );
    app = await startTestApp(AppModule.register(config, testLogger()));
    const client = testKafka(kafka.brokers);
    producer = createProducer(client);
    await producer.connect();
    const seen: SeenEvent[] = [];
    tap = client.consumer({ groupId: uniqueName('tap') });
    await tap.connect();
    await tap.subscribe({ topics: [...CUSTOMER_TOPICS], fromBeginning: true });
    await tap.run({
      eachMessage: ({ topic, message }) => {
        seen.push({
          topic,
          eventId: message.headers?.['event-id']?.toString() ?? '',
          key: message.key?.toString() ?? '',
          event: decodeEvent(topic, message.value ?? Buffer.alloc(0)),
        });
        return Promise.resolve();
      },
    });
    sql = new Client({ connectionString: db.url });
    await sql.connect();

    const { url } = app;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text === '' ? {} : JSON.parse(text)) as ApiBody };
    };
    const openProducer = producer;
    const openApp = app;
    const openTap = tap;
    const openSql = sql;
    return {
      url,
      brokers: kafka.brokers,
      db,
      sql: openSql,
      seen,
      put: (path, body) => call('PUT', path, body),
      get: (path) => call('GET', path),
      async publish(topic, init, options = {}) {
        const eventId = options.eventId ?? randomUUID();
        const event = createEvent(topic, {
          ...init,
          occurredAt: timestampFromDate(options.occurredAt ?? new Date()),
        } as EventInitOf<typeof topic>);
        const record = encodeRecord(topic, event, {
          eventId,
          producer: 'spec',
          traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
        });
        await openProducer.send({
          topic,
          messages: [{ key: record.key, value: record.value, headers: { ...record.headers } }],
        });
        return eventId;
      },
      async handled(eventId) {
        await waitFor(`event ${eventId} to be handled`, async () => {
          const { rows } = await openSql.query('SELECT 1 FROM inbox WHERE event_id = $1', [eventId]);
          return rows.length > 0 ? true : undefined;
        });
      },
      async close() {
        await openTap.disconnect();
        await openProducer.disconnect();
        await openSql.end();
        await openApp.close();
        await db.drop();
        await kafka.stop();
      },
    };
  } catch (err) {
    await tap?.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await sql?.end().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await db.drop().catch(() => undefined);
    await kafka.stop().catch(() => undefined);
    throw err;
  }
}

export const shenzhen = {
  country: 'CN',
  province: '广东省',
  city: '深圳市',
  district: '南山区',
  line1: '科技园南区高新南七道18号',
  postcode: '518057',
};

export function cny(amount: string): { amount: string; currency: string } {
  return { amount, currency: 'CNY' };
}
