import { fromBinary } from '@bufbuild/protobuf';
import { PaymentReceivedSchema } from '@duemap/events';
import { context, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { EntityManager } from 'typeorm';
import type { OutboxMessageEntity } from './outbox-message.entity';
import { OutboxWriter } from './outbox.writer';
import { shardOf } from './shard';

const topic = { name: 'payments.payment-received.v1', schema: PaymentReceivedSchema };

function fakeEntityManager(inTransaction: boolean): {
  em: EntityManager;
  inserted: Partial<OutboxMessageEntity>[];
} {
  const inserted: Partial<OutboxMessageEntity>[] = [];
  // The writer's one INSERT … SELECT FROM unnest(…): its arrays, column by column.
  const query = (_sql: string, [ids, topics, keys, types, payloads, headers, shards]: unknown[][]) => {
    (ids as string[]).forEach((eventId, i) =>
      inserted.push({
        eventId,
        topic: topics?.[i] as string,
        messageKey: keys?.[i] as string,
        eventType: types?.[i] as string,
        payload: payloads?.[i] as Buffer,
        headers: JSON.parse(headers?.[i] as string) as Record<string, string>,
        shard: shards?.[i] as number,
      }),
    );
    return Promise.resolve([]);
  };
  const em = { queryRunner: { isTransactionActive: inTransaction }, query } as unknown as EntityManager;
  return { em, inserted };
}

describe('OutboxWriter', () => {
  beforeAll(() => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });

  it('refuses to write outside a transaction', async () => {
    const { em } = fakeEntityManager(false);
    await expect(
      new OutboxWriter('payments').append(em, { topic, key: 'c1', event: { customerId: 'c1' } }),
    ).rejects.toThrow(/open transaction/);
  });

  it('refuses an empty key', async () => {
    const { em } = fakeEntityManager(true);
    await expect(new OutboxWriter('payments').append(em, { topic, key: '', event: {} })).rejects.toThrow(
      /empty key/,
    );
  });

  it('stores the encoded event, its headers and the active trace context', async () => {
    const { em, inserted } = fakeEntityManager(true);
    const spanContext = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
    };
    const eventId = await context.with(trace.setSpanContext(context.active(), spanContext), () =>
      new OutboxWriter('payments').append(em, {
        topic,
        key: 'c1',
        event: { customerId: 'c1', reference: 'INV-1', amount: { amount: '10.00', currency: 'CNY' } },
      }),
    );
    const [row] = inserted;
    expect(row?.eventId).toBe(eventId);
    expect(row?.shard).toBe(shardOf('c1'));
    expect(row?.headers).toMatchObject({
      'event-id': eventId,
      'event-type': 'duemap.payments.v1.PaymentReceived',
      'schema-version': '1',
      'content-type': 'application/x-protobuf',
      producer: 'payments',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    const decoded = fromBinary(PaymentReceivedSchema, row!.payload!);
    expect(decoded.reference).toBe('INV-1');
    expect(decoded.amount?.amount).toBe('10.00');
  });
});
