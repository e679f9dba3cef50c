/**
 * The outbox relay's producer alone, kafkajs against @platformatic/kafka (ADR 0013): batches shaped
 * like the relay's (keys over 500 customers, the outbox's headers, a 300-byte payload) sent one
 * after another to a 6-partition topic, as the relay sends. The two clients take turns in blocks of
 * sends, in alternating order, so a machine whose load drifts (other processes on the same cores)
 * weighs on both alike; bench:outbox measures the same clients inside the whole pipe.
 *
 *   node --import tsx deploy/local/cli.ts bench kafka-producer
 *   BENCH_BATCHES=1,14,100 BENCH_BLOCKS=20 BENCH_BLOCK_SENDS=50 node --import tsx deploy/local/cli.ts bench kafka-producer
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createKafka, createProducer, RenewingProducer } from '@duemap/messaging';
import { PlatformaticProducer } from '@duemap/messaging/src/kafka/platformatic-producer';
import { createTestTopics, testEnv, testKafka, testLogger, testTopicName } from '@duemap/testing';
import type { Message } from 'kafkajs';

const BATCHES = (process.env.BENCH_BATCHES ?? '1,14,100').split(',').map(Number);
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 20);
const BLOCK_SENDS = Number(process.env.BENCH_BLOCK_SENDS ?? 50);

type Producer = Pick<RenewingProducer, 'connect' | 'disconnect' | 'sendBatch'>;

interface Tally {
  durations: number[];
  cpuSeconds: number;
  wallSeconds: number;
  messages: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function main(): Promise<void> {
  const topic = testTopicName('bench-producer');
  await createTestTopics(testKafka(), [topic], { partitions: 6, withDlq: false });
  const options = { clientId: 'bench-producer', brokers: testEnv.kafkaBrokers, logger: testLogger() };
  const kafka = createKafka(options);
  const clients: [string, Producer][] = [
    [
      'kafkajs',
      new RenewingProducer({ create: () => createProducer(kafka), name: 'relay', logger: options.logger }),
    ],
    ['platformatic', new PlatformaticProducer(options)],
  ];
  for (const [, producer] of clients) await producer.connect();

  const customers = Array.from({ length: 500 }, () => randomUUID());
  const payload = randomBytes(300);
  let seq = 0;
  const batch = (size: number): Message[] =>
    Array.from({ length: size }, () => ({
      key: customers[seq++ % customers.length] as string,
      value: payload,
      headers: {
        'event-id': randomUUID(),
        'event-type': 'duemap.payments.v1.PaymentReceived',
        'schema-version': '1',
        'content-type': 'application/x-protobuf',
        'occurred-at': new Date().toISOString(),
        producer: 'bench',
        traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
      },
    }));

  console.log(
    `\nrelay-shaped batches to ${testEnv.kafkaBrokers.join(',')}, 6 partitions, acks=-1, idempotent; ${BLOCKS} blocks of ${BLOCK_SENDS} sends per client and batch size, turns alternating`,
  );
  for (const size of BATCHES) {
    const tallies = new Map<string, Tally>(
      clients.map(([name]) => [name, { durations: [], cpuSeconds: 0, wallSeconds: 0, messages: 0 }]),
    );
    // Warm-up: connections to the partitions' leader, JIT.
    for (const [, producer] of clients) {
      for (let i = 0; i < 20; i++)
        await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: batch(size) }] });
    }
    for (let block = 0; block < BLOCKS; block++) {
      const order = block % 2 === 0 ? clients : [...clients].reverse();
      for (const [name, producer] of order) {
        const tally = tallies.get(name) as Tally;
        const batches = Array.from({ length: BLOCK_SENDS }, () => batch(size));
        const cpu = process.cpuUsage();
        const wall = performance.now();
        for (const messages of batches) {
          const started = performance.now();
          await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] });
          tally.durations.push(performance.now() - started);
        }
        tally.wallSeconds += (performance.now() - wall) / 1000;
        const { user, system } = process.cpuUsage(cpu);
        tally.cpuSeconds += (user + system) / 1e6;
        tally.messages += size * BLOCK_SENDS;
      }
    }
    for (const [name, tally] of tallies) {
      const sorted = [...tally.durations].sort((a, b) => a - b);
      console.log(
        [
          `${`${name}, ${size} per batch`.padEnd(28)}`,
          `sends=${sorted.length}`,
          `p50=${percentile(sorted, 50).toFixed(2)} ms`,
          `p95=${percentile(sorted, 95).toFixed(2)} ms`,
          `p99=${percentile(sorted, 99).toFixed(2)} ms`,
          `max=${(sorted[sorted.length - 1] ?? NaN).toFixed(1)} ms`,
          `${(tally.messages / tally.wallSeconds).toFixed(0)} messages/s`,
          `cpu=${((1e6 * tally.cpuSeconds) / tally.messages).toFixed(1)} µs per message`,
        ].join('  '),
      );
    }
  }
  for (const [, producer] of clients) await producer.disconnect();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
