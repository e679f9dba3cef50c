import { randomUUID } from 'node:crypto';
import { create, toBinary, type DescMessage } from '@bufbuild/protobuf';
import { context, propagation } from '@opentelemetry/api';
import { EventHeader, PROTOBUF_CONTENT_TYPE, schemaVersionOf } from '@duemap/events';
import { shardOf, type OutboxEvent, type OutboxMessageEntity } from '@duemap/messaging';

/** The columns of an outbox row that its writer fills (the rest have defaults). */
export type OutboxRow = Pick<
  OutboxMessageEntity,
  'eventId' | 'topic' | 'messageKey' | 'eventType' | 'payload' | 'headers' | 'shard'
>;

/**
 * The row `OutboxWriter.append` would insert for `e`, for a statement that writes it together with
 * the change that caused it (POST /api/v1/payments: one round trip instead of two). A copy of the
 * writer's private toRow, held to it by outbox-row.spec.ts: if libs/messaging changes the row,
 * that spec fails.
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
