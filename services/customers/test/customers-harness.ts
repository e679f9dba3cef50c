import {
  decodeEvent,
  type AnyEvent,
  type EncodedRecord,
  type EventInitOf,
  type TopicName,
} from '@duemap/events';
import {
  identityHeaders,
  startServiceUnderTest,
  testKafka,
  uniqueName,
  type PublishOptions,
  type TestDatabase,
  type TestIdentity,
} from '@duemap/testing';
import type { Consumer } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
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
  /** As `who` (default an admin), with the signed identity the gateway would add. */
  put(path: string, body: unknown, who?: TestIdentity): Promise<ApiResponse>;
  get(path: string, who?: TestIdentity): Promise<ApiResponse>;
  /** Publishes an event as its owning service would; returns the event id (reuse it to redeliver). */
  publish<T extends TopicName>(
    topic: T,
    init: Omit<EventInitOf<T>, 'occurredAt'>,
    options?: PublishOptions,
  ): Promise<string>;
  /** The record `publish` would send (occurred_at now unless given), to send many with `publishAll`. */
  encode<T extends TopicName>(
    topic: T,
    init: Omit<EventInitOf<T>, 'occurredAt'>,
    options?: PublishOptions,
  ): EncodedRecord<TopicName>;
  /**
   * Sends the records in one produce request, so that the service fetches them together (in order
   * per partition, so per customer); returns their event ids.
   */
  publishAll(records: readonly EncodedRecord<TopicName>[]): Promise<string[]>;
  /** Resolves once the service's consumer has handled (committed) the events with these ids. */
  handled(...eventIds: string[]): Promise<void>;
  /** The sum of a counter (all its labels) on the service's /metrics. */
  metric(name: string): Promise<number>;
  close(): Promise<void>;
}

const CUSTOMER_TOPICS = [
  'customers.customer-upserted.v1',
  'customers.address-changed.v1',
  'customers.balance-changed.v1',
  'customers.status-changed.v1',
] as const;

export async function startCustomers(prefix: string): Promise<CustomersHarness> {
  const service = await startServiceUnderTest({
    service: 'customers',
    database: prefix,
    schema: customersConfig,
    env: { CUSTOMERS_PII_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'silent' },
    dataSource: dataSourceOptions,
    module: (config, logger) => AppModule.register(config, logger),
  });
  let tap: Consumer | undefined;
  try {
    const seen: SeenEvent[] = [];
    tap = testKafka(service.kafka.brokers).consumer({ groupId: uniqueName('tap') });
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

    const { url } = service;
    const call = async (method: string, path: string, body?: unknown, who?: TestIdentity) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(await identityHeaders(who)),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text === '' ? {} : JSON.parse(text)) as ApiBody };
    };
    const openTap = tap;
    return {
      url,
      brokers: service.kafka.brokers,
      db: service.db,
      sql: service.sql,
      seen,
      put: (path, body, who) => call('PUT', path, body, who),
      get: (path, who) => call('GET', path, undefined, who),
      publish: (topic, init, options = {}) =>
        service.publisher.publish(topic, init as EventInitOf<typeof topic>, {
          ...options,
          occurredAt: options.occurredAt ?? new Date(),
        }),
      encode: (topic, init, options = {}) =>
        service.publisher.encode(topic, init as EventInitOf<typeof topic>, {
          ...options,
          occurredAt: options.occurredAt ?? new Date(),
        }),
      async publishAll(records) {
        await service.publisher.publishAll(records);
        return records.map((r) => r.headers['event-id'] ?? '');
      },
      handled: (...eventIds) => service.handled(...eventIds),
      async metric(name) {
        const text = await (await fetch(`${url}/metrics`)).text();
        let total = 0;
        for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) {
          total += Number(m[1]);
        }
        return total;
      },
      async close() {
        await openTap.disconnect();
        await service.close();
      },
    };
  } catch (err) {
    await tap?.disconnect().catch(() => undefined);
    await service.close().catch(() => undefined);
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
