import { randomUUID } from 'node:crypto';
import { create, toBinary, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import { context, propagation, type Context } from '@opentelemetry/api';
import type { EntityManager, QueryRunner } from 'typeorm';
import { EventHeader, PROTOBUF_CONTENT_TYPE, schemaVersionOf } from '@duemap/events';
import type { EventTopic } from '../event-topic';
import { OutboxMessageEntity } from './outbox-message.entity';
import { shardOf } from './shard';

export interface OutboxEvent<Desc extends DescMessage> {
  topic: EventTopic<Desc>;
  /** The Kafka key: the customer id, so one customer's events stay in order on one partition. */
  key: string;
  event: MessageInitShape<Desc>;
  /** Give one when the caller must know it up front (e.g. to return it); a UUID otherwise. */
  eventId?: string;
  occurredAt?: Date;
  /**
   * The trace the event continues. By default the one active when the event is appended; an event
   * built earlier and written later (a batch written at the end of a transaction) keeps the trace
   * of the work that caused it with `inCurrentTrace`.
   */
  traceContext?: Context;
}

/** The columns of an outbox row that its writer fills (the rest have defaults). */
export type OutboxRow = Omit<OutboxMessageEntity, 'id' | 'createdAt'>;

// Rows appended in a transaction that buffers its outbox writes (see bufferOutboxWrites).
const buffers = new WeakMap<QueryRunner, OutboxRow[]>();

// Bounds one statement's arrays (a transaction may append many thousands of events).
const ROWS_PER_INSERT = 5000;

/**
 * Outbox rows as a `SELECT` over seven array parameters starting at `$first` (see
 * `outboxColumns`), in append order. One SQL text whatever the number of rows, so a statement
 * using it is prepared once per connection (a multi-row VALUES list would be a new text, and a
 * new prepared statement, per row count). For a statement that writes events together with the
 * change that caused them (payments' POST).
 */
export function outboxRowsSelect(first: number): string {
  const p = (i: number): string => `$${first + i}`;
  return `SELECT event_id, topic, message_key, event_type, payload, headers::jsonb, shard
  FROM unnest(${p(0)}::uuid[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::text[], ${p(4)}::bytea[], ${p(5)}::text[], ${p(6)}::smallint[])
    WITH ORDINALITY AS r(event_id, topic, message_key, event_type, payload, headers, shard, n)
  ORDER BY n`;
}

/** The seven array parameters of `outboxRowsSelect`. */
export function outboxColumns(rows: readonly OutboxRow[]): unknown[] {
  return [
    rows.map((r) => r.eventId),
    rows.map((r) => r.topic),
    rows.map((r) => r.messageKey),
    rows.map((r) => r.eventType),
    rows.map((r) => r.payload),
    rows.map((r) => JSON.stringify(r.headers)),
    rows.map((r) => r.shard),
  ];
}

// Ids follow the array order, which is the append order.
const INSERT_SQL = `
  INSERT INTO outbox (event_id, topic, message_key, event_type, payload, headers, shard)
  ${outboxRowsSelect(1)}`;

async function insertRows(em: EntityManager, rows: OutboxRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    await em.query(INSERT_SQL, outboxColumns(chunk));
  }
}

/**
 * From now on, events appended in `em`'s transaction are held and written in one statement by
 * `flush()`, which the caller must run before commit (the consumer does, after the handlers of a
 * group transaction: one outbox insert for all the events they caused). Rows keep the order they
 * were appended in, which is each key's order on its partition.
 */
export function bufferOutboxWrites(em: EntityManager): { flush(): Promise<void>; discard(): void } {
  const runner = em.queryRunner;
  if (!runner?.isTransactionActive) throw new Error('bufferOutboxWrites needs an open transaction');
  const rows: OutboxRow[] = [];
  buffers.set(runner, rows);
  return {
    async flush() {
      buffers.delete(runner);
      if (rows.length > 0) await insertRows(em, rows);
    },
    /** The transaction is rolling back: forget what was appended. */
    discard() {
      buffers.delete(runner);
    },
  };
}

/** Stamps an event with the active trace, for events written to the outbox later. */
export function inCurrentTrace<E extends { traceContext?: Context }>(event: E): E {
  return { ...event, traceContext: context.active() };
}

/**
 * Appends events to the outbox inside the caller's transaction. It never talks to Kafka: the
 * relay does, after commit. The W3C trace context of the writing code is stored with the row so
 * the consumer's span continues the same trace.
 */
export class OutboxWriter {
  constructor(private readonly producerName: string) {}

  async append<Desc extends DescMessage>(em: EntityManager, outboxEvent: OutboxEvent<Desc>): Promise<string> {
    const [eventId] = await this.appendAll(em, [outboxEvent]);
    return eventId as string;
  }

  async appendAll(em: EntityManager, events: OutboxEvent<DescMessage>[]): Promise<string[]> {
    const runner = em.queryRunner;
    if (!runner?.isTransactionActive) {
      // Without the caller's transaction the event could commit without its change, or vice versa.
      throw new Error('OutboxWriter.append must be called with the EntityManager of an open transaction');
    }
    const rows = events.map((e) => outboxRow(this.producerName, e));
    const buffer = buffers.get(runner);
    if (buffer) buffer.push(...rows);
    else if (rows.length > 0) await insertRows(em, rows);
    return rows.map((r) => r.eventId);
  }
}

/**
 * The row OutboxWriter inserts for `e`: for a statement that writes it together with the change
 * that caused it (payments' POST writes payment, allocations and event in one round trip).
 */
export function outboxRow<Desc extends DescMessage>(producer: string, e: OutboxEvent<Desc>): OutboxRow {
  if (!e.key) throw new Error(`outbox event for ${e.topic.name} has an empty key (customer id)`);
  const eventId = e.eventId ?? randomUUID();
  const headers: Record<string, string> = {
    [EventHeader.EventId]: eventId,
    [EventHeader.EventType]: e.topic.schema.typeName,
    [EventHeader.SchemaVersion]: schemaVersionOf(e.topic.name),
    [EventHeader.ContentType]: PROTOBUF_CONTENT_TYPE,
    [EventHeader.OccurredAt]: (e.occurredAt ?? new Date()).toISOString(),
    [EventHeader.Producer]: producer,
  };
  propagation.inject(e.traceContext ?? context.active(), headers);
  return {
    eventId,
    topic: e.topic.name,
    messageKey: e.key,
    eventType: e.topic.schema.typeName,
    payload: Buffer.from(toBinary(e.topic.schema, create(e.topic.schema, e.event))),
    headers,
    shard: shardOf(e.key),
  };
}
