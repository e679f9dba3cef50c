/**
 * Outbox -> Kafka -> idempotent consumer, measured on this machine with the real broker and
 * Postgres. Writers append one event per transaction (as one HTTP request would); the relay
 * publishes; a consumer group applies each event with its inbox row. Latency is from the moment
 * the event is created inside the writing transaction to the end of the handler's transaction.
 *
 *   npm run bench:outbox                      # both phases with defaults
 *   BENCH_EVENTS=20000 BENCH_RATE=1000 BENCH_SECONDS=20 BENCH_WRITERS=16 npm run bench:outbox
 */
import { randomUUID } from 'node:crypto';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { PaymentReceivedSchema } from '@duemap/events';
import { MessagingRuntime, subscribe, type EventTopic } from '@duemap/messaging';
import {
  createTestDatabase,
  createTestTopics,
  testEnv,
  testKafka,
  testLogger,
  testTopicName,
} from '@duemap/testing';
import { DataSource } from 'typeorm';
import { messagingEntities, messagingMigrations } from '@duemap/messaging';

const SATURATION_EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const RATE_SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WRITERS = Number(process.env.BENCH_WRITERS ?? 16);
const CUSTOMERS = 500;

interface PhaseResult {
  name: string;
  events: number;
  seconds: number;
  latencies: number[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function report(r: PhaseResult): void {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const line = [
    `${r.name.padEnd(24)}`,
    `events=${r.events}`,
    `throughput=${(r.events / r.seconds).toFixed(0)} events/s`,
    `p50=${percentile(sorted, 50).toFixed(1)} ms`,
    `p95=${percentile(sorted, 95).toFixed(1)} ms`,
    `p99=${percentile(sorted, 99).toFixed(1)} ms`,
    `max=${(sorted[sorted.length - 1] ?? NaN).toFixed(1)} ms`,
  ].join('  ');
  console.log(line);
}

async function main(): Promise<void> {
  const db = await createTestDatabase('bench_outbox');
  const dataSource = new DataSource({
    type: 'postgres',
    url: db.url,
    entities: messagingEntities,
    migrations: messagingMigrations,
    migrationsRun: true,
    poolSize: WRITERS + 6,
  });
  await dataSource.initialize();
  await dataSource.query(`CREATE TABLE effects (event_id uuid PRIMARY KEY, customer_id text NOT NULL)`);
  const topic: EventTopic<typeof PaymentReceivedSchema> = {
    name: testTopicName('bench-outbox'),
    schema: PaymentReceivedSchema,
  };
  await createTestTopics(testKafka(), [topic.name], { partitions: 6 });

  let latencies: number[] = [];
  let consumed = 0;
  let onConsumed: (() => void) | undefined;
  const runtime = new MessagingRuntime({
    serviceName: 'bench-outbox',
    brokers: testEnv.kafkaBrokers,
    dataSource,
    logger: testLogger(),
    databaseUrl: db.url,
    subscriptions: [
      subscribe(topic, async (event, ctx) => {
        await ctx.em.query(`INSERT INTO effects (event_id, customer_id) VALUES ($1, $2)`, [
          ctx.headers.eventId,
          event.customerId,
        ]);
        const written = event.occurredAt ? timestampDate(event.occurredAt).getTime() : NaN;
        latencies.push(Date.now() - written);
        consumed++;
        onConsumed?.();
      }),
    ],
    consumer: { partitionsConsumedConcurrently: 6 },
  });
  await runtime.start();

  const customers = Array.from({ length: CUSTOMERS }, () => randomUUID());
  let seq = 0;
  const writeOne = async (): Promise<void> => {
    const customerId = customers[seq++ % CUSTOMERS] as string;
    await dataSource.transaction((em) =>
      runtime.outbox.append(em, {
        topic,
        key: customerId,
        event: {
          customerId,
          occurredAt: { seconds: BigInt(Math.floor(Date.now() / 1000)), nanos: (Date.now() % 1000) * 1e6 },
          paymentId: randomUUID(),
          amount: { amount: '100.00', currency: 'CNY' },
          reference: `bench-${seq}`,
        },
      }),
    );
  };
  const untilConsumed = (target: number): Promise<void> =>
    new Promise((resolve) => {
      onConsumed = () => {
        if (consumed >= target) resolve();
      };
      onConsumed();
    });

  // Warm-up: connections, JIT, consumer group join.
  const warm = 500;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (seq < warm) await writeOne();
    }),
  );
  await untilConsumed(warm);

  // Phase 1: as fast as the writers can go.
  latencies = [];
  const base = consumed;
  const t0 = performance.now();
  const target = seq + SATURATION_EVENTS;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (seq < target) await writeOne();
    }),
  );
  await untilConsumed(base + SATURATION_EVENTS);
  const saturation: PhaseResult = {
    name: 'saturation',
    events: SATURATION_EVENTS,
    seconds: (performance.now() - t0) / 1000,
    latencies,
  };

  // Phase 2: a steady rate below saturation, where latency means something.
  latencies = [];
  const base2 = consumed;
  const events = RATE * RATE_SECONDS;
  const t1 = performance.now();
  let issued = 0;
  const inflight = new Set<Promise<void>>();
  while (issued < events) {
    const due = Math.floor(((performance.now() - t1) / 1000) * RATE);
    while (issued < Math.min(due, events)) {
      issued++;
      const p = writeOne().finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await Promise.all(inflight);
  await untilConsumed(base2 + events);
  const steady: PhaseResult = {
    name: `steady ${RATE}/s x ${RATE_SECONDS}s`,
    events,
    seconds: (performance.now() - t1) / 1000,
    latencies,
  };

  const [dup] = await dataSource.query<{ d: string }[]>(
    `SELECT count(*) - count(DISTINCT event_id) AS d FROM inbox`,
  );
  console.log(
    `\noutbox -> Kafka -> consumer on ${testEnv.kafkaBrokers.join(',')}, 6 partitions, ${WRITERS} writers, ${CUSTOMERS} keys`,
  );
  report(saturation);
  report(steady);
  console.log(`duplicates applied: ${dup?.d}`);

  await runtime.stop();
  await dataSource.destroy();
  await db.drop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
