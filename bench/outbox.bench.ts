/**
 * Outbox -> Kafka -> idempotent consumer, measured on this machine with the real broker and
 * Postgres. Writers append one event per transaction (as one HTTP request would); the relay
 * publishes; a consumer group applies each event with its inbox row. Latency is from the moment
 * the event is created inside the writing transaction to the end of the handler's transaction.
 *
 *   npm run bench:outbox                      # both phases with defaults
 *   BENCH_EVENTS=20000 BENCH_RATE=1000 BENCH_SECONDS=20 BENCH_WRITERS=16 npm run bench:outbox
 *   BENCH_KAFKA_CLIENT=platformatic npm run bench:outbox   # the relay on @platformatic/kafka (ADR 0013)
 *
 * BENCH_KAFKA_CLIENT picks the relay's producer only (kafkajs, the default, or platformatic); the
 * consumer group is kafkajs in both, so the two runs differ in the hot path alone.
 */
import { randomUUID } from 'node:crypto';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { PaymentReceivedSchema } from '@duemap/events';
import {
  createKafka,
  createProducer,
  MessagingRuntime,
  OutboxRelay,
  RenewingProducer,
  subscribe,
  type EventTopic,
} from '@duemap/messaging';
import { PlatformaticProducer } from '@duemap/messaging/src/kafka/platformatic-producer';
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
const KAFKA_CLIENTS = ['kafkajs', 'platformatic'] as const;
type KafkaClientName = (typeof KAFKA_CLIENTS)[number];

function kafkaClient(): KafkaClientName {
  const name = process.env.BENCH_KAFKA_CLIENT ?? 'kafkajs';
  const known = KAFKA_CLIENTS.find((c) => c === name);
  if (!known) throw new Error(`BENCH_KAFKA_CLIENT must be one of ${KAFKA_CLIENTS.join(', ')}, not ${name}`);
  return known;
}

type RelayProducer = Pick<RenewingProducer, 'connect' | 'disconnect' | 'sendBatch'>;

/** The relay's producer as the services make it (MessagingRuntime), or the candidate's. */
function relayProducer(client: KafkaClientName): RelayProducer {
  const options = { clientId: 'bench-outbox-relay', brokers: testEnv.kafkaBrokers, logger: testLogger() };
  switch (client) {
    case 'kafkajs': {
      const kafka = createKafka(options);
      return new RenewingProducer({
        create: () => createProducer(kafka),
        name: 'relay',
        logger: options.logger,
      });
    }
    case 'platformatic':
      return new PlatformaticProducer(options);
  }
}

interface PhaseResult {
  name: string;
  events: number;
  seconds: number;
  latencies: number[];
  /** CPU time of this process (writers, relay, consumer) over the phase, in seconds. */
  cpuSeconds: number;
  sends: SendStats;
}

/** The relay's calls of its producer's sendBatch: the client's hot path, timed alone. */
interface SendStats {
  durations: number[];
  rows: number;
  errors: number;
}

function timeSends(producer: RelayProducer): { take(): SendStats } {
  let stats: SendStats = { durations: [], rows: 0, errors: 0 };
  const sendBatch = producer.sendBatch.bind(producer);
  producer.sendBatch = async (batch) => {
    const started = performance.now();
    try {
      const result = await sendBatch(batch);
      stats.durations.push(performance.now() - started);
      stats.rows += (batch.topicMessages ?? []).reduce((n, t) => n + t.messages.length, 0);
      return result;
    } catch (err) {
      stats.errors++;
      throw err;
    }
  };
  return {
    take() {
      const taken = stats;
      stats = { durations: [], rows: 0, errors: 0 };
      return taken;
    },
  };
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1e6;
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
    `cpu=${((100 * r.cpuSeconds) / r.seconds).toFixed(0)}% of a core`,
    `(${((1e6 * r.cpuSeconds) / r.events).toFixed(0)} ms per 1000 events)`,
  ].join('  ');
  const sends = [...r.sends.durations].sort((a, b) => a - b);
  const relay = [
    `${''.padEnd(24)}`,
    `relay sends=${sends.length}`,
    `rows/send=${(r.sends.rows / sends.length).toFixed(1)}`,
    `send p50=${percentile(sends, 50).toFixed(1)} ms`,
    `p99=${percentile(sends, 99).toFixed(1)} ms`,
    `max=${(sends[sends.length - 1] ?? NaN).toFixed(1)} ms`,
    `failed sends=${r.sends.errors}`,
  ].join('  ');
  console.log(`${line}\n${relay}`);
}

async function main(): Promise<void> {
  const client = kafkaClient();
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
    // The relay runs below with the producer under test.
    relay: false,
  });
  await runtime.start();
  const producer = relayProducer(client);
  const sendStats = timeSends(producer);
  await producer.connect();
  const relay = new OutboxRelay({
    dataSource,
    producer,
    logger: testLogger().child({ component: 'outbox-relay' }),
    notifyUrl: db.url,
  });
  await relay.start();

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
  sendStats.take();
  const base = consumed;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
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
    cpuSeconds: cpuSince(cpu0),
    sends: sendStats.take(),
  };

  // Phase 2: a steady rate below saturation, where latency means something.
  latencies = [];
  sendStats.take();
  const base2 = consumed;
  const events = RATE * RATE_SECONDS;
  const t1 = performance.now();
  const cpu1 = process.cpuUsage();
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
    cpuSeconds: cpuSince(cpu1),
    sends: sendStats.take(),
  };

  const [dup] = await dataSource.query<{ d: string }[]>(
    `SELECT count(*) - count(DISTINCT event_id) AS d FROM inbox`,
  );
  console.log(
    `\noutbox -> Kafka (relay on ${client}) -> consumer on ${testEnv.kafkaBrokers.join(',')}, 6 partitions, ${WRITERS} writers, ${CUSTOMERS} keys`,
  );
  report(saturation);
  report(steady);
  console.log(`duplicates applied: ${dup?.d}`);

  await relay.stop();
  await producer.disconnect();
  await runtime.stop();
  await dataSource.destroy();
  await db.drop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
