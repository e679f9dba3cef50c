import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  calendarDate,
  decodeRecord,
  DocumentKind,
  InvoiceField,
  InvoiceStatus,
  Topic,
  type EventInitOf,
  type EventOf,
} from '@duemap/events';
import {
  callerOf,
  collectMessages,
  startServiceUnderTest,
  testKafka,
  type EventPublisher,
  type PrivateKafka,
  type ServiceUnderTest,
  type TestApp,
} from '@duemap/testing';
import type { Kafka } from 'kafkajs';
import type { Client } from 'pg';
import { AppModule } from '../src/app.module';
import { paymentsConfig, type PaymentsConfig } from '../src/config';
import { dataSourceOptions } from '../src/database/data-source';

/**
 * Stands in for the customers and invoicing services' `GET /api/v1/{customers,invoices}/{id}`:
 * answers what the spec put in its maps, 404 otherwise, and drops connections when `down`.
 */
export class OwnerServicesStub {
  readonly customers = new Map<string, Record<string, unknown>>();
  readonly invoices = new Map<string, Record<string, unknown>>();
  down = false;
  readonly requests: string[] = [];
  private server?: http.Server;
  url = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      this.requests.push(req.url ?? '');
      if (this.down) {
        req.socket.destroy();
        return;
      }
      void callerOf(req).then((caller) => {
        if (!caller) {
          res.statusCode = 401;
          res.end('{"error":{"code":"UNAUTHENTICATED","message":"no identity","details":[]}}');
          return;
        }

        const match = /^\/api\/v1\/(customers|invoices)\/([^/?]+)$/.exec(req.url ?? '');
        const id = match?.[2] === undefined ? undefined : decodeURIComponent(match[2]);
        const body =
          id === undefined
            ? undefined
            : (match?.[1] === 'customers' ? this.customers : this.invoices).get(id);
        res.setHeader('content-type', 'application/json');
        if (body === undefined) {
          res.statusCode = 404;
          res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'not found', details: [] } }));
          return;
        }
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export interface PaymentsHarness {
  app: TestApp;
  db: Client;
  kafka: PrivateKafka;
  client: Kafka;
  stub: OwnerServicesStub;
  /** Publishes events the way their owning services would. */
  publisher: EventPublisher;
  /** Waits until the payments consumer group has handled the events (their inbox rows exist). */
  handled(...eventIds: string[]): Promise<void>;
  close(): Promise<void>;
}

export async function startPaymentsHarness(): Promise<PaymentsHarness> {
  const stub = new OwnerServicesStub();
  await stub.start();
  let service: ServiceUnderTest<PaymentsConfig>;
  try {
    service = await startServiceUnderTest({
      service: 'payments',
      schema: paymentsConfig,
      env: {
        CUSTOMERS_URL: stub.url,
        INVOICING_URL: stub.url,
        DEPENDENCY_TIMEOUT: '1s',
        LOG_LEVEL: 'silent',
      },
      dataSource: dataSourceOptions,
      module: (config, logger) => AppModule.register(config, logger),
    });
  } catch (err) {
    await stub.stop();
    throw err;
  }
  return {
    app: service.app,
    db: service.sql,
    kafka: service.kafka,
    client: testKafka(service.kafka.brokers),
    stub,
    publisher: service.publisher,
    handled: (...eventIds) => service.handled(...eventIds),
    async close() {
      await service.close();
      await stub.stop();
    },
  };
}

export const ts = (iso: string) => timestampFromDate(new Date(iso));
export const cny = (amount: string) => ({ amount, currency: 'CNY' });

export interface SeedInvoice {
  invoiceId?: string;
  customerId: string;
  number: string;
  total: { amount: string; currency: string };
  open?: { amount: string; currency: string };
  issueDate?: string;
  dueDate: string;
  occurredAt?: string;
}

export function customerUpserted(customerId: string, name = 'ACME', occurredAt = '2025-01-01T00:00:00Z') {
  return {
    customerId,
    occurredAt: ts(occurredAt),
    created: true,
    name,
    sources: [{ sourceSystem: 'spec', externalId: customerId }],
  };
}

function invoiceState(seed: SeedInvoice) {
  return {
    customerId: seed.customerId,
    occurredAt: ts(seed.occurredAt ?? '2025-01-02T00:00:00Z'),
    invoiceId: seed.invoiceId ?? randomUUID(),
    number: seed.number,
    kind: DocumentKind.INVOICE,
    issueDate: calendarDate(seed.issueDate ?? '2025-01-01'),
    dueDate: calendarDate(seed.dueDate),
    total: seed.total,
    openAmount: seed.open ?? seed.total,
    status: InvoiceStatus.OPEN,
  };
}

export function invoiceIssued(
  seed: SeedInvoice,
): EventInitOf<typeof Topic.InvoiceIssued> & { invoiceId: string } {
  return invoiceState(seed);
}

export function invoiceChanged(
  seed: SeedInvoice,
  status: InvoiceStatus,
): EventInitOf<typeof Topic.InvoiceChanged> & { invoiceId: string } {
  return { ...invoiceState(seed), status, changedFields: [InvoiceField.STATUS] };
}

export type PaymentReceivedEvent = EventOf<typeof Topic.PaymentReceived>;

/** Every payment-received record on the broker so far (count known from the payment table). */
export async function publishedPayments(client: Kafka, count: number): Promise<PaymentReceivedEvent[]> {
  const messages = await collectMessages(client, Topic.PaymentReceived, count, 20_000);
  return messages.map(
    ({ message }) =>
      decodeRecord({
        topic: Topic.PaymentReceived,
        key: message.key,
        value: message.value,
        headers: message.headers,
      }).event,
  );
}
