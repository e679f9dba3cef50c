import { startProxiedKafka, testLogger, waitFor, type ProxiedKafka } from '@duemap/testing';
import { Client } from 'pg';
import { MessagingRuntime, OUTBOX_SHARD_LOCK_NAMESPACE, OutboxWriter, shardOf } from '../src';
import { paymentEvent, startHarness, type Harness } from './messaging-harness';
import { eventIdsOn } from './topic-reader';

/**
 * A Produce whose response is lost: the broker stored the batch, the relay heard nothing, so its
 * claim rolled back. kafkajs 2.2.4 then rewinds the partition's sequence number and keeps its
 * producer id, so the relay's next batch reuses the sequence numbers of the batch Kafka already
 * has (ADR 0011). Every connection goes through a proxy that drops the responses.
 */
describe('the outbox relay after a Produce response was lost', () => {
  let kafka: ProxiedKafka;
  let h: Harness;
  let runtime: MessagingRuntime;
  let locker: Client;
  const writer = new OutboxWriter('lost-response-test');
  const [first, other] = twoKeysInDifferentShards();

  beforeAll(async () => {
    kafka = await startProxiedKafka({ partitions: 1 });
  });

  afterAll(async () => {
    await kafka?.stop();
  });

  beforeEach(async () => {
    // One partition: every row of the test shares one sequence of numbers.
    h = await startHarness('lost_response', { brokers: kafka.brokers, partitions: 1 });
    locker = new Client({ connectionString: h.db.url });
    await locker.connect();
    runtime = new MessagingRuntime({
      serviceName: 'lost-response-test',
      brokers: kafka.brokers,
      dataSource: h.dataSource,
      logger: testLogger(),
      relay: { idlePollMs: 50 },
    });
  });

  afterEach(async () => {
    kafka.proxy.dropProduceResponses(0);
    await runtime?.stop();
    await locker?.end();
    await h?.close();
  });

  async function write(key: string, n: number, label: string): Promise<string[]> {
    return h.dataSource.transaction(async (em) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        ids.push(await writer.append(em, { topic: h.topic, key, event: paymentEvent(key, `${label}-${i}`) }));
      }
      return ids;
    });
  }

  const pending = async (key?: string): Promise<number> =>
    Number(
      (
        await h.dataSource.query(
          `SELECT count(*) AS n FROM outbox WHERE $1::text IS NULL OR message_key = $1`,
          [key ?? null],
        )
      )[0].n,
    );

  /**
   * Starts the relay on five rows of `first` whose Produce responses are all lost, so the claim
   * fails after kafkajs's own retries and rolls back although Kafka has the rows. Returns once
   * it has rolled back, with `first`'s shard locked by the test: the relay's next claims skip it.
   */
  async function failFirstBatch(): Promise<string[]> {
    const ids = await write(first, 5, 'stored-unheard');
    const droppedBefore = kafka.proxy.dropped;
    kafka.proxy.dropProduceResponses(1000, { reset: true });
    await runtime.start();
    await waitFor(
      'a Produce response dropped',
      () => (kafka.proxy.dropped > droppedBefore ? true : undefined),
      { intervalMs: 5 },
    );
    // Granted once the relay's claim, which holds this shard's lock, has rolled back.
    await locker.query('SELECT pg_advisory_lock($1, $2)', [OUTBOX_SHARD_LOCK_NAMESPACE, shardOf(first)]);
    kafka.proxy.dropProduceResponses(0);
    expect(await pending(first)).toBe(5);
    return ids;
  }

  const unlock = (): Promise<unknown> =>
    locker.query('SELECT pg_advisory_unlock($1, $2)', [OUTBOX_SHARD_LOCK_NAMESPACE, shardOf(first)]);

  it('publishes a next batch of the same size (kafkajs 2.2.4 took it for the lost one: rows lost)', async () => {
    const stored = await failFirstBatch();
    // Another key's five rows: with the same producer id and the rewound sequence, the broker
    // answers that it has this batch already.
    const next = await write(other, 5, 'same-size');
    await waitFor('the second key published', async () => ((await pending(other)) === 0 ? true : undefined));
    await unlock();
    await waitFor('the outbox drained', async () => ((await pending()) === 0 ? true : undefined));

    const onTopic = await eventIdsOn(h.kafka, h.topic.name, [...stored, ...next]);
    expect([...stored, ...next].filter((id) => !onTopic.has(id))).toEqual([]);
  });

  it('recovers when the next batch has another size (kafkajs 2.2.4: out of order, forever)', async () => {
    const stored = await failFirstBatch();
    // The retried claim carries the five rows and three more: eight rows from the rewound number.
    const more = await write(first, 3, 'larger');
    await unlock();
    await waitFor('the outbox drained', async () => ((await pending()) === 0 ? true : undefined), {
      timeoutMs: 30_000,
    });

    const onTopic = await eventIdsOn(h.kafka, h.topic.name, [...stored, ...more]);
    expect([...stored, ...more].filter((id) => !onTopic.has(id))).toEqual([]);
  });
});

function twoKeysInDifferentShards(): [string, string] {
  const first = 'cust-first';
  for (let i = 0; ; i++) {
    const other = `cust-other-${i}`;
    if (shardOf(other) !== shardOf(first)) return [first, other];
  }
}
