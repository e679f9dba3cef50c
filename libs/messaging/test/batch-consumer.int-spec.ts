import { randomUUID } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import { PaymentReceivedSchema } from '@duemap/events';
import { testEnv, testLogger, waitFor } from '@duemap/testing';
import type { Producer } from 'kafkajs';
import type { EntityManager } from 'typeorm';
import { createProducer, MessagingRuntime, OutboxWriter, subscribeBatch, type BatchItem } from '../src';
import { paymentBytes, paymentEvent, paymentHeaders, startHarness, type Harness } from './messaging-harness';

const logger = testLogger();

describe('a batch subscription', () => {
  let h: Harness;
  let runtime: MessagingRuntime | undefined;
  let producer: Producer;
  const batches: string[][] = [];
  const writer = new OutboxWriter('batch-test');

  // One statement for the whole batch, and one outbox event per item; a reference starting with
  // "fails" makes the whole batch fail, as a constraint violation in a set-based write would.
  async function handleBatch(
    items: BatchItem<typeof PaymentReceivedSchema>[],
    { em }: { em: EntityManager },
  ): Promise<void> {
    batches.push(items.map((i) => i.event.reference));
    if (items.some((i) => i.event.reference.startsWith('fails'))) throw new Error('cannot apply this batch');
    await em.query(
      `INSERT INTO effects (event_id, customer_id, reference)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])`,
      [
        items.map((i) => i.ctx.headers.eventId),
        items.map((i) => i.event.customerId),
        items.map((i) => i.event.reference),
      ],
    );
    await writer.appendAll(
      em,
      items.map((i) => ({
        topic: h.topic,
        key: i.event.customerId,
        event: paymentEvent(i.event.customerId, `echo-${i.event.reference}`),
        traceContext: i.trace,
      })),
    );
  }

  const effects = async (): Promise<{ reference: string; customer_id: string }[]> =>
    h.dataSource.query(`SELECT reference, customer_id FROM effects ORDER BY reference`);

  beforeAll(async () => {
    h = await startHarness('batch', { partitions: 3 });
    producer = createProducer(h.kafka);
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await runtime?.stop();
    await h?.close();
  });

  it('gets a transaction’s new events of its topic together, in order per key, each once', async () => {
    const customers = Array.from({ length: 8 }, () => `cust-${randomUUID()}`);
    // Written before the consumer starts, so its first transactions find a backlog to batch.
    const messages = Array.from({ length: 240 }, (_, i) => {
      const customer = customers[i % customers.length] as string;
      return {
        key: customer,
        value: paymentBytes(customer, `ref-${String(i).padStart(4, '0')}`),
        headers: paymentHeaders(randomUUID()),
      };
    });
    // Two redeliveries (same event id): no second effect, and not handed to the batch again.
    messages.push(
      { ...(messages[3] as (typeof messages)[number]) },
      { ...(messages[100] as (typeof messages)[number]) },
    );
    await producer.send({ topic: h.topic.name, messages });

    runtime = new MessagingRuntime({
      serviceName: 'batch-test',
      brokers: testEnv.kafkaBrokers,
      dataSource: h.dataSource,
      logger,
      relay: false,
      subscriptions: [subscribeBatch(h.topic, handleBatch)],
      consumerGroup: `group-${h.topic.name}`,
      consumer: { maxAttempts: 2, initialBackoffMs: 10, maxBackoffMs: 20 },
    });
    await runtime.start();

    await waitFor('every effect', async () => ((await effects()).length >= 240 ? true : undefined));
    const rows = await effects();
    expect(rows).toHaveLength(240);
    expect(new Set(rows.map((r) => r.reference)).size).toBe(240);
    // Batching happened: some call carried many events.
    expect(Math.max(...batches.map((b) => b.length))).toBeGreaterThan(10);
    // Each customer's events reached the handler in the order they were written.
    const seen = batches.flat();
    for (const customer of customers) {
      const own = messages
        .slice(0, 240)
        .filter((m) => m.key === customer)
        .map((m) => `ref-${String(messages.indexOf(m)).padStart(4, '0')}`);
      expect(seen.filter((r) => own.includes(r))).toEqual(own);
    }
    // The outbox events the batches appended were written in that order too (one insert per
    // transaction, rows in append order).
    const outbox: { message_key: string; payload: Buffer }[] = await h.dataSource.query(
      `SELECT message_key, payload FROM outbox ORDER BY id`,
    );
    expect(outbox).toHaveLength(240);
    const echoed = outbox.map((o) => ({
      key: o.message_key,
      reference: fromBinary(PaymentReceivedSchema, o.payload).reference.replace(/^echo-/, ''),
    }));
    for (const customer of customers) {
      const refs = echoed.filter((o) => o.key === customer).map((o) => o.reference);
      expect(refs).toEqual([...refs].sort());
    }
  });

  it('falls back to smaller batches when one fails, and parks only the failing event', async () => {
    const customer = `cust-${randomUUID()}`;
    const before = (await effects()).length;
    batches.length = 0;
    await producer.send({
      topic: h.topic.name,
      messages: ['z-ok-1', 'fails-1', 'z-ok-2'].map((reference) => ({
        key: customer,
        value: paymentBytes(customer, reference),
        headers: paymentHeaders(randomUUID()),
      })),
    });
    await waitFor('the events around the failing one', async () =>
      (await effects()).length >= before + 2 ? true : undefined,
    );
    const mine = (await effects()).filter((r) => r.customer_id === customer).map((r) => r.reference);
    expect(mine.sort()).toEqual(['z-ok-1', 'z-ok-2']);
    // The last calls are one event each (the per-message path, where retries and the DLQ apply).
    expect(batches.slice(-2).every((b) => b.length === 1)).toBe(true);
  });
});
