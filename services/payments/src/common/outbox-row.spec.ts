import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { context, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { Topic } from '@duemap/events';
import { eventTopic, OutboxWriter, type OutboxEvent } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import { outboxRow, type OutboxRow } from './outbox-row';

/** What OutboxWriter inserts, caught at its repository call. */
async function writtenByOutboxWriter(event: OutboxEvent<never>): Promise<OutboxRow> {
  const inserted: OutboxRow[] = [];
  const em = {
    queryRunner: { isTransactionActive: true },
    getRepository: () => ({
      insert: (rows: OutboxRow[]) => Promise.resolve(inserted.push(...rows)),
    }),
  } as unknown as EntityManager;
  await new OutboxWriter('payments').append(em, event);
  return inserted[0] as OutboxRow;
}

describe('outboxRow', () => {
  beforeAll(() => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });

  it('is the row OutboxWriter.append writes for the same event, trace included', async () => {
    const occurredAt = new Date('2025-03-31T08:00:00.123Z');
    const event = {
      topic: eventTopic(Topic.PaymentReceived),
      key: 'cust-1',
      eventId: '6d1f7c7e-8f0e-4c39-9c55-2f0a3f1c9d10',
      occurredAt,
      event: {
        customerId: 'cust-1',
        occurredAt: timestampFromDate(occurredAt),
        paymentId: 'pay-1',
        amount: { amount: '150.00', currency: 'CNY' },
        allocations: [{ invoiceId: 'inv-1', applied: { amount: '100.00', currency: 'CNY' } }],
        unapplied: { amount: '50.00', currency: 'CNY' },
        reference: 'REF',
      },
    } as unknown as OutboxEvent<never>;
    const span = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
    };
    const [ours, theirs] = await context.with(
      trace.setSpanContext(context.active(), span),
      async (): Promise<[OutboxRow, OutboxRow]> => [
        outboxRow('payments', event),
        await writtenByOutboxWriter(event),
      ],
    );
    expect(ours).toEqual(theirs);
    expect(ours.headers.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  });

  it('refuses an empty key, as the writer does', () => {
    expect(() =>
      outboxRow('payments', { topic: eventTopic(Topic.PaymentReceived), key: '', event: {} }),
    ).toThrow(/empty key/);
  });
});
