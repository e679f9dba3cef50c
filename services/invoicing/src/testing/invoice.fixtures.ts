// Builders shared by the unit specs; not used by the service itself.
import type { DescMessage } from '@bufbuild/protobuf';
import type { OutboxEvent, OutboxWriter } from '@duemap/messaging';
import { Money } from '@duemap/money';
import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../common/clock';
import { overdueStartsAt } from '../invoices/due-date';
import type { Invoice } from '../invoices/invoice.model';

export const CUSTOMER_ID = '0b6f8f1e-3c1a-4f7e-9a51-2f4b7c9d1e02';
export const OTHER_CUSTOMER_ID = '5d1f3c2a-8b4e-4f6a-9c7d-1e2f3a4b5c6d';
export const INVOICE_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

export function anInvoice(overrides: Partial<Invoice> = {}): Invoice {
  const total = overrides.total ?? Money.of('1000.00', 'CNY');
  const paid = overrides.paid ?? Money.zero(total.currency);
  const dueDate = overrides.dueDate ?? '2025-03-31';
  const timeZone = overrides.timeZone ?? 'Asia/Shanghai';
  const at = new Date('2025-03-01T00:00:00Z');
  return {
    id: INVOICE_ID,
    customerId: CUSTOMER_ID,
    source: { sourceSystem: 'sap', externalId: 'INV-1' },
    customerSource: null,
    number: 'INV-1',
    issueDate: '2025-03-01',
    dueDate,
    total,
    paid,
    open: total.subtract(paid),
    status: 'open',
    timeZone,
    overdueAt: overdueStartsAt(dueDate, timeZone),
    lines: [],
    voidReason: null,
    voidedAt: null,
    createdAt: at,
    updatedAt: at,
    version: 1n,
    ...overrides,
  };
}

export const fakeEm = {} as EntityManager;

export function fakeDataSource(): DataSource {
  return {
    manager: fakeEm,
    transaction: jest.fn((work: (em: EntityManager) => Promise<unknown>) => work(fakeEm)),
  } as unknown as DataSource;
}

export function fakeClock(iso: string): Clock {
  return { now: () => new Date(iso) };
}

export interface RecordingOutbox {
  writer: OutboxWriter;
  events(): { topic: string; key: string; event: unknown }[];
  topics(): string[];
}

/** An OutboxWriter that records what would have been appended. */
export function recordingOutbox(): RecordingOutbox {
  const appended: OutboxEvent<DescMessage>[] = [];
  const writer = {
    append: jest.fn((_em: EntityManager, e: OutboxEvent<DescMessage>) => {
      appended.push(e);
      return Promise.resolve('id');
    }),
    appendAll: jest.fn((_em: EntityManager, es: OutboxEvent<DescMessage>[]) => {
      appended.push(...es);
      return Promise.resolve(es.map(() => 'id'));
    }),
  } as unknown as OutboxWriter;
  const events = () => appended.map((e) => ({ topic: e.topic.name, key: e.key, event: e.event }));
  return { writer, events, topics: () => events().map((e) => e.topic) };
}
