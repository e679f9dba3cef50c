import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  decodeRecord,
  Topic,
  type AnyDecodedRecord,
  type DecodedRecord,
  type EventInitOf,
  type TopicName,
} from '@duemap/events';
import {
  startServiceUnderTest,
  testKafka,
  uniqueName,
  waitFor,
  callerOf,
  identityHeaders,
  type PrivateKafka,
  type ServiceUnderTest,
  type TestIdentity,
} from '@duemap/testing';
import type { Consumer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';
import { invoicingConfig, type InvoicingConfig } from '../src/config';
import { dataSourceOptions } from '../src/database/data-source';

export interface SourceRef {
  sourceSystem: string;
  externalId: string;
}

export interface RemoteCustomer {
  id: string;
  timeZone: string;
  sources: SourceRef[];
}

/** The customers service's public API as invoicing uses it: by id and by source, 404 otherwise. */
class FakeCustomersApi {
  readonly customers: RemoteCustomer[] = [];
  readonly requests: string[] = [];
  /** Ids the API fails on with a 500, as a broken customers service would. */
  readonly failing = new Set<string>();
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void callerOf(req).then((caller) => {
        if (!caller) {
          res.statusCode = 401;
          res.end('{"error":{"code":"UNAUTHENTICATED","message":"no identity","details":[]}}');
          return;
        }
        const path = req.url ?? '';
        this.requests.push(path);
        const byId = /^\/api\/v1\/customers\/([^/]+)$/.exec(path);
        const bySource = /^\/api\/v1\/customers\/by-source\/([^/]+)\/([^/]+)$/.exec(path);
        if (byId && this.failing.has(decodeURIComponent(byId[1] ?? ''))) {
          res.statusCode = 500;
          res.end('{"error":{"code":"INTERNAL","message":"internal error","details":[]}}');
          return;
        }
        const found = byId
          ? this.customers.find((c) => c.id === decodeURIComponent(byId[1] ?? ''))
          : bySource
            ? this.customers.find((c) =>
                c.sources.some(
                  (s) =>
                    s.sourceSystem === decodeURIComponent(bySource[1] ?? '') &&
                    s.externalId === decodeURIComponent(bySource[2] ?? ''),
                ),
              )
            : undefined;
        res.setHeader('content-type', 'application/json');
        if (found === undefined) {
          res.statusCode = 404;
          res.end(
            JSON.stringify({
              error: { code: 'CUSTOMER_NOT_FOUND', message: 'no such customer', details: [] },
            }),
          );
          return;
        }
        res.end(JSON.stringify({ ...found, name: 'Remote Co', status: 'paid' }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Every record invoicing published, decoded strictly (as any consumer would). */
class EventLog {
  readonly records: AnyDecodedRecord[] = [];
  private consumer?: Consumer;

  async start(kafka: PrivateKafka): Promise<void> {
    this.consumer = testKafka(kafka.brokers).consumer({ groupId: uniqueName('spec-events') });
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [
        Topic.InvoiceIssued,
        Topic.InvoiceChanged,
        Topic.InvoicePaid,
        Topic.InvoiceOverdue,
        Topic.InvoiceVoided,
        Topic.AllocationRejected,
      ],
      fromBeginning: true,
    });
    await this.consumer.run({
      eachMessage: ({ topic, message }) => {
        this.records.push(
          decodeRecord({ topic, key: message.key, value: message.value, headers: message.headers }),
        );
        return Promise.resolve();
      },
    });
  }

  of<T extends TopicName>(
    topic: T,
    match: (event: DecodedRecord<T>['event']) => boolean = () => true,
  ): DecodedRecord<T>[] {
    return this.records.filter(
      (r): r is DecodedRecord<T> & AnyDecodedRecord =>
        r.topic === topic && match(r.event as DecodedRecord<T>['event']),
    );
  }

  waitFor<T extends TopicName>(
    topic: T,
    match: (event: DecodedRecord<T>['event']) => boolean,
    what = topic,
  ): Promise<DecodedRecord<T>> {
    return waitFor(`${what} on Kafka`, () => this.of(topic, match)[0], { timeoutMs: 20_000 });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

interface MoneyJson {
  amount: string;
  currency: string;
}

/** Every shape the API answers with, merged: specs read the fields the request implies. */
export interface ApiBody {
  id: string;
  customerId: string;
  number: string;
  status: string;
  timeZone: string;
  dueDate: string;
  total: MoneyJson;
  openAmount: MoneyJson;
  payments: { paymentId: string; applied: MoneyJson }[];
  items: ApiBody[];
  nextOffset: number | null;
  error: { code: string; message: string; details: { field?: string; message: string }[] };
}

export interface HttpAnswer {
  status: number;
  body: ApiBody;
}

export class InvoicingHarness {
  readonly events = new EventLog();
  readonly customersApi = new FakeCustomersApi();
  service!: ServiceUnderTest<InvoicingConfig>;
  dataSource!: DataSource;

  async start(name: string): Promise<void> {
    await this.customersApi.start();
    this.service = await startServiceUnderTest({
      service: 'invoicing',
      database: name,
      schema: invoicingConfig,
      env: { CUSTOMERS_URL: this.customersApi.url, OVERDUE_SCAN_INTERVAL: '200ms', LOG_LEVEL: 'silent' },
      dataSource: dataSourceOptions,
      module: (config, logger) => AppModule.register(config, logger),
    });
    this.dataSource = this.service.app.app.get(DataSource);
    await this.events.start(this.service.kafka);
  }

  async stop(): Promise<void> {
    await this.events.stop();
    await this.service?.close();
    await this.customersApi.stop();
  }

  /** Publishes an event the way its owning service's relay would. Returns the event id. */
  publish<T extends TopicName>(topic: T, init: EventInitOf<T>, eventId?: string): Promise<string> {
    return this.service.publisher.publish(topic, init, { eventId });
  }

  /** Waits until the consumer group has applied the event (its inbox row exists). */
  async processed(eventId: string): Promise<void> {
    await this.service.handled(eventId);
  }

  /** A customer as the customers service announces it, applied to the read model before returning. */
  async seedCustomer(
    options: { timeZone?: string; sources?: SourceRef[] } = {},
  ): Promise<{ id: string; sources: SourceRef[] }> {
    const id = randomUUID();
    const sources = options.sources ?? [{ sourceSystem: 'sap-ecc-cn', externalId: `C-${id.slice(0, 8)}` }];
    const eventId = await this.publish(Topic.CustomerUpserted, {
      customerId: id,
      occurredAt: timestampFromDate(new Date()),
      created: true,
      sources,
      name: 'ACME Trading',
      timeZone: options.timeZone ?? 'Asia/Shanghai',
    });
    await this.processed(eventId);
    return { id, sources };
  }

  /** As `who` (default an admin), with the signed identity the gateway would add. */
  async request(method: string, path: string, body?: unknown, who?: TestIdentity): Promise<HttpAnswer> {
    const res = await fetch(`${this.service.url}${path}`, {
      method,
      headers: {
        ...(await identityHeaders(who)),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text === '' ? {} : JSON.parse(text)) as ApiBody };
  }

  put(source: SourceRef, body: unknown): Promise<HttpAnswer> {
    return this.request(
      'PUT',
      `/api/v1/invoices/${source.sourceSystem}/${encodeURIComponent(source.externalId)}`,
      body,
    );
  }

  async count(sql: string, params: unknown[] = []): Promise<number> {
    const [row] = await this.dataSource.query<{ n: string }[]>(sql, params);
    return Number(row?.n ?? 0);
  }
}

/** YYYY-MM-DD of today shifted by `days`, in UTC. */
export function isoDay(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

export function invoiceSource(): SourceRef {
  return { sourceSystem: 'sap-ecc-cn', externalId: `INV-${randomUUID().slice(0, 8)}` };
}
