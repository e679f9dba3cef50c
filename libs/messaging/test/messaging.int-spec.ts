import { randomUUID } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import { PaymentReceivedSchema } from '@duemap/events';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { collectMessages, testEnv, testLogger, waitFor } from '@duemap/testing';
import type { Producer } from 'kafkajs';
import {
  createProducer,
  DlqHeader,
  FatalEventError,
  InboxPurger,
  MessagingRuntime,
  OUTBOX_SHARDS,
  OutboxRelay,
  OutboxWriter,
  subscribe,
  type EventContext,
} from '../src';
import { paymentBytes, paymentEvent, paymentHeaders, startHarness, type Harness } from './messaging-harness';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

const logger = testLogger();

describe('messaging against the real broker and Postgres', () => {
  let h: Harness;
  let runtime: MessagingRuntime;
  let rawProducer: Producer;
  const handled: string[] = [];

  async function handle(event: { customerId: string; reference: string }, ctx: EventContext): Promise<void> {
    handled.push(ctx.headers.eventId);
    if (event.reference.startsWith('always-fails')) throw new Error(`cannot apply ${event.reference}`);
    if (event.reference.startsWith('fatal')) throw new FatalEventError('invoice is void', 'INVOICE_VOID');
    await ctx.em.query(
      `INSERT INTO effects (event_id, customer_id, reference, trace_id) VALUES ($1, $2, $3, $4)`,
      [
        ctx.headers.eventId,
        event.customerId,
        event.reference,
        trace.getActiveSpan()?.spanContext().traceId ?? null,
      ],
    );
  }

  const effectsOf = async (reference: string): Promise<{ event_id: string; trace_id: string | null }[]> =>
    h.dataSource.query(`SELECT event_id, trace_id FROM effects WHERE reference = $1`, [reference]);

  beforeAll(async () => {
    h = await startHarness('messaging');
    runtime = new MessagingRuntime({
      serviceName: 'messaging-test',
      brokers: testEnv.kafkaBrokers,
      dataSource: h.dataSource,
      logger,
      relay: { idlePollMs: 100 },
      subscriptions: [subscribe(h.topic, handle)],
      consumerGroup: `group-${h.topic.name}`,
      consumer: { maxAttempts: 3, initialBackoffMs: 10, maxBackoffMs: 50 },
    });
    await runtime.start();
    rawProducer = createProducer(h.kafka);
    await rawProducer.connect();
  });

  afterAll(async () => {
    await rawProducer?.disconnect();
    await runtime?.stop();
    await h?.close();
  });

  it('applies an event delivered three times exactly once', async () => {
    const eventId = randomUUID();
    const customer = `cust-${randomUUID()}`;
    const message = {
      key: customer,
      value: paymentBytes(customer, 'dup-1'),
      headers: paymentHeaders(eventId),
    };
    await rawProducer.send({ topic: h.topic.name, messages: [message, message, message] });
    // A later event on the same key (same partition) proves the three copies were all consumed.
    const sentinel = {
      key: customer,
      value: paymentBytes(customer, 'dup-sentinel'),
      headers: paymentHeaders(randomUUID()),
    };
    await rawProducer.send({ topic: h.topic.name, messages: [sentinel] });

    await waitFor('the sentinel effect', async () =>
      (await effectsOf('dup-sentinel')).length === 1 ? true : undefined,
    );
    expect(await effectsOf('dup-1')).toHaveLength(1);
    const inbox: { n: string }[] = await h.dataSource.query(
      `SELECT count(*) AS n FROM inbox WHERE event_id = $1`,
      [eventId],
    );
    expect(Number(inbox[0]?.n)).toBe(1);
  });

  it('parks a malformed message on the .dlq topic with its error and goes on with the partition', async () => {
    const customer = `cust-${randomUUID()}`;
    const garbageId = randomUUID();
    await rawProducer.send({
      topic: h.topic.name,
      messages: [
        // A truncated length-delimited field: not a PaymentReceived.
        { key: customer, value: Buffer.from([0x0a, 0xff, 0x01]), headers: paymentHeaders(garbageId) },
        { key: customer, value: paymentBytes(customer, 'no-headers') },
        {
          key: customer,
          value: paymentBytes(customer, 'always-fails-1'),
          headers: paymentHeaders(randomUUID()),
        },
        { key: customer, value: paymentBytes(customer, 'fatal-1'), headers: paymentHeaders(randomUUID()) },
        {
          key: customer,
          value: paymentBytes(customer, 'after-poison'),
          headers: paymentHeaders(randomUUID()),
        },
      ],
    });

    await waitFor('the message after the poison ones', async () =>
      (await effectsOf('after-poison')).length === 1 ? true : undefined,
    );
    const dead = await collectMessages(h.kafka, `${h.topic.name}.dlq`, 4);
    const byReason = dead.map((d) => ({
      error: d.header(DlqHeader.Error) ?? '',
      attempts: d.header(DlqHeader.Attempts),
      originalTopic: d.header(DlqHeader.OriginalTopic),
      eventId: d.header('event-id'),
    }));
    expect(byReason[0]).toMatchObject({ eventId: garbageId, attempts: '1', originalTopic: h.topic.name });
    expect(byReason[0]?.error).toMatch(/premature|invalid|malformed/i);
    expect(byReason[1]?.error).toMatch(/event-id/);
    // Retryable failures are tried maxAttempts times; fatal ones are parked at once.
    expect(byReason[2]).toMatchObject({ attempts: '3' });
    expect(byReason[2]?.error).toContain('cannot apply always-fails-1');
    expect(byReason[3]).toMatchObject({ attempts: '1' });
    expect(byReason[3]?.error).toContain('invoice is void');
    expect(await effectsOf('always-fails-1')).toHaveLength(0);
  });

  it('continues the writer’s trace in the consuming handler', async () => {
    exporter.reset();
    const tracer = trace.getTracer('test');
    const customer = `cust-${randomUUID()}`;
    const writer = new OutboxWriter('messaging-test');
    const traceId = await tracer.startActiveSpan('POST /api/v1/payments', async (span) => {
      await h.dataSource.transaction((em) =>
        writer.append(em, { topic: h.topic, key: customer, event: paymentEvent(customer, 'traced') }),
      );
      span.end();
      return span.spanContext().traceId;
    });

    const [effect] = await waitFor('the traced effect', async () => {
      const rows = await effectsOf('traced');
      return rows.length ? rows : undefined;
    });
    expect(effect?.trace_id).toBe(traceId);
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const names = spans.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining(['POST /api/v1/payments', `${h.topic.name} publish`, `${h.topic.name} process`]),
    );
    const publish = spans.find((s) => s.name.endsWith('publish'));
    const process = spans.find((s) => s.name.endsWith('process'));
    expect(process?.parentSpanContext?.spanId).toBe(publish?.spanContext().spanId);
  });
});

describe('two outbox relays on one database', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness('relays', { partitions: 6 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('never publish the same row twice, and keep each customer in order', async () => {
    const customers = Array.from({ length: 40 }, () => `cust-${randomUUID()}`);
    const total = 2000;
    const writer = new OutboxWriter('messaging-test');
    await h.dataSource.transaction((em) =>
      writer.appendAll(
        em,
        Array.from({ length: total }, (_, i) => {
          const customer = customers[i % customers.length] as string;
          return { topic: h.topic, key: customer, event: paymentEvent(customer, `relay-${i}`) };
        }),
      ),
    );

    const sentBy: string[][] = [[], []];
    const relays = [0, 1].map((i) => {
      const producer = createProducer(h.kafka);
      const send = producer.sendBatch.bind(producer);
      producer.sendBatch = async (batch) => {
        for (const t of batch.topicMessages ?? [])
          for (const m of t.messages)
            sentBy[i]?.push(String((m.headers as Record<string, string>)['event-id']));
        return send(batch);
      };
      return {
        producer,
        // Half the shards per claim each (a lone relay takes them all): both relays get work while
        // the other's claim is open, which is what this checks.
        relay: new OutboxRelay({
          dataSource: h.dataSource,
          producer,
          logger,
          batchSize: 50,
          idlePollMs: 50,
          shardsPerClaim: OUTBOX_SHARDS / 2,
        }),
      };
    });
    await Promise.all(relays.map((r) => r.producer.connect()));
    await Promise.all(relays.map((r) => r.relay.start()));
    try {
      await waitFor('every row published', async () => {
        const [row] = await h.dataSource.query(`SELECT count(*) AS n FROM outbox`);
        return Number(row.n) === 0 ? true : undefined;
      });
    } finally {
      await Promise.all(relays.map((r) => r.relay.stop()));
      await Promise.all(relays.map((r) => r.producer.disconnect()));
    }

    // Both relays worked, and together they sent each row exactly once.
    expect(sentBy[0]?.length).toBeGreaterThan(0);
    expect(sentBy[1]?.length).toBeGreaterThan(0);
    const sent = [...(sentBy[0] ?? []), ...(sentBy[1] ?? [])];
    expect(sent).toHaveLength(total);
    expect(new Set(sent).size).toBe(total);

    // The topic holds each event once, and within a partition a customer's events are in write order.
    const onTopic = await collectMessages(h.kafka, h.topic.name, total);
    expect(new Set(onTopic.map((m) => m.header('event-id'))).size).toBe(total);
    for (const customer of customers) {
      const seq = onTopic
        .filter((m) => m.message.key?.toString() === customer)
        .map((m) =>
          Number(fromBinary(PaymentReceivedSchema, m.message.value!).reference.slice('relay-'.length)),
        );
      expect(seq).toHaveLength(total / customers.length);
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
    }
  });
});

describe('the outbox relay', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness('relay-vacuum', { partitions: 2 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('deletes the rows it publishes and vacuums what they leave behind', async () => {
    const vacuums = async (): Promise<number> =>
      Number(
        (
          await h.dataSource.query(
            `SELECT vacuum_count AS n FROM pg_stat_user_tables WHERE relname = 'outbox'`,
          )
        )[0]?.n ?? 0,
      );
    const vacuumsBefore = await vacuums();
    const total = 300;
    const writer = new OutboxWriter('messaging-test');
    await h.dataSource.transaction((em) =>
      writer.appendAll(
        em,
        Array.from({ length: total }, (_, i) => {
          const customer = `cust-${i % 10}`;
          return { topic: h.topic, key: customer, event: paymentEvent(customer, `vacuum-${i}`) };
        }),
      ),
    );
    const producer = createProducer(h.kafka);
    await producer.connect();
    const relay = new OutboxRelay({
      dataSource: h.dataSource,
      producer,
      logger,
      batchSize: 50,
      idlePollMs: 50,
      vacuumIntervalMs: 100,
    });
    await relay.start();
    try {
      await waitFor('the outbox emptied by publishing', async () => {
        const [row] = await h.dataSource.query(`SELECT count(*) AS n FROM outbox`);
        return Number(row.n) === 0 ? true : undefined;
      });
      // The deleted rows are dead tuples until a VACUUM; the relay runs one within 100 ms of publishing.
      await waitFor(
        'a VACUUM of the outbox',
        async () => ((await vacuums()) > vacuumsBefore ? true : undefined),
        {
          timeoutMs: 10_000,
        },
      );
    } finally {
      await relay.stop();
      await producer.disconnect();
    }

    const onTopic = await collectMessages(h.kafka, h.topic.name, total);
    expect(new Set(onTopic.map((m) => m.header('event-id'))).size).toBe(total);
  });
});

describe('the inbox purger', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness('inbox-purge', { partitions: 1 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('deletes the rows past the retention, batch by batch, and keeps the younger ones', async () => {
    const day = 24 * 3600_000;
    // 25 rows applied 9 days ago, 5 applied 7 days ago, 3 just now; the retention is 8 days.
    const insert = (n: number, agoMs: number) =>
      h.dataSource.query(
        `INSERT INTO inbox (consumer_group, event_id, topic, partition, "offset", processed_at)
         SELECT 'purge-test', gen_random_uuid(), 'payments.payment-received.v1', 0, g, $2
           FROM generate_series(1, $1::int) g`,
        [n, new Date(Date.now() - agoMs)],
      );
    await insert(25, 9 * day);
    await insert(5, 7 * day);
    await insert(3, 0);
    const purger = new InboxPurger({
      dataSource: h.dataSource,
      logger,
      retentionMs: 8 * day,
      intervalMs: 60_000,
      batchSize: 10,
    });

    expect(await purger.purgeOnce()).toBe(25);
    const left: { old: string; total: string }[] = await h.dataSource.query(
      `SELECT count(*) FILTER (WHERE processed_at < now() - interval '8 days') AS old, count(*) AS total
         FROM inbox WHERE consumer_group = 'purge-test'`,
    );
    expect(left[0]).toEqual({ old: '0', total: '8' });
    // Nothing left to purge: the next one deletes nothing.
    expect(await purger.purgeOnce()).toBe(0);
    await purger.stop();
  });
});
