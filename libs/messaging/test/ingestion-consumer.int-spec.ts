import { randomUUID } from 'node:crypto';
import {
  collectMessages,
  createTestDatabase,
  createTestTopics,
  testEnv,
  testKafka,
  testLogger,
  testTopicName,
  waitFor,
  type TestDatabase,
} from '@duemap/testing';
import type { Kafka, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import {
  createProducer,
  DlqHeader,
  ingestionTopic,
  messagingEntities,
  messagingMigrations,
  MessagingRuntime,
  offsetEventId,
  subscribeBatch,
  type ConsumerTransaction,
  type IngestionItem,
} from '../src';

interface Transfer {
  reference: string;
  amount: string;
}

const schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://duemap.dev/schemas/test.transfers.v1.schema.json',
  type: 'object',
  additionalProperties: false,
  required: ['reference', 'amount'],
  properties: {
    reference: { type: 'string', minLength: 1 },
    amount: { type: 'string', pattern: '^[0-9]+\\.[0-9]{2}$' },
  },
};

/**
 * A JSON ingestion topic through the real consumer: records outside systems write (no Duemap headers)
 * are validated, applied once each in the consumer's transactions, and a bad one goes to the .dlq
 * with the field it broke while the records after it on its partition are applied.
 */
describe('a JSON ingestion topic', () => {
  const topic = ingestionTopic<Transfer>(testTopicName('transfers'), schema);
  let db: TestDatabase;
  let dataSource: DataSource;
  let kafka: Kafka;
  let producer: Producer;
  let runtime: MessagingRuntime | undefined;
  /** Records counted after their transaction committed (scope.onCommit). */
  let committed = 0;
  let failOnce = true;

  async function handleBatch(
    items: IngestionItem<Transfer>[],
    { em, scope }: ConsumerTransaction,
  ): Promise<void> {
    await em.query(
      `INSERT INTO effects (event_id, id_source, reference, amount, partition, "offset")
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[], $6::bigint[])`,
      [
        items.map((i) => i.ctx.headers.eventId),
        items.map((i) => i.ctx.headers.eventIdSource),
        items.map((i) => i.event.reference),
        items.map((i) => i.event.amount),
        items.map((i) => i.ctx.partition),
        items.map((i) => i.ctx.offset),
      ],
    );
    scope.onCommit(() => {
      committed += items.length;
    });
    // A batch holding "fails-once" fails the first time, after its writes and its onCommit: the
    // transaction rolls back and is applied again, and must be counted once.
    if (failOnce && items.some((i) => i.event.reference === 'fails-once')) {
      failOnce = false;
      throw new Error('transient failure');
    }
  }

  const effects = async (): Promise<
    { event_id: string; id_source: string; reference: string; partition: number; offset: string }[]
  > =>
    dataSource.query(
      `SELECT event_id, id_source, reference, partition, "offset"::text FROM effects ORDER BY reference`,
    );

  beforeAll(async () => {
    db = await createTestDatabase('ingestion');
    dataSource = new DataSource({
      type: 'postgres',
      url: db.url,
      entities: messagingEntities,
      migrations: messagingMigrations,
      migrationsRun: true,
      poolSize: 4,
    });
    await dataSource.initialize();
    await dataSource.query(
      `CREATE TABLE effects (event_id uuid NOT NULL, id_source text NOT NULL, reference text NOT NULL,
         amount text NOT NULL, partition int NOT NULL, "offset" bigint NOT NULL)`,
    );
    kafka = testKafka();
    await createTestTopics(kafka, [topic.name], { partitions: 2 });
    producer = createProducer(kafka);
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await runtime?.stop();
    await dataSource?.destroy();
    await db?.drop();
  });

  it('applies valid records once, dead-letters the bad ones naming the field, and goes on with the partition', async () => {
    const key = 'one-partition';
    const duplicateId = randomUUID();
    const json = (value: unknown): string => JSON.stringify(value);
    await producer.send({
      topic: topic.name,
      messages: [
        { key, value: json({ reference: 'a', amount: '10.00' }) },
        { key, value: '{"reference": "not json"' },
        { key, value: json({ reference: 'b', amount: '10' }) },
        { key, value: json({ reference: 'c', amount: '12.00' }), headers: { 'event-id': duplicateId } },
        // The producer sent it again under its id: applied once.
        { key, value: json({ reference: 'c', amount: '12.00' }), headers: { 'event-id': duplicateId } },
        { key, value: json({ reference: 'fails-once', amount: '1.00' }) },
        { key, value: json({ reference: 'd', amount: '3.50' }) },
      ],
    });
    runtime = new MessagingRuntime({
      serviceName: 'ingestion-test',
      brokers: testEnv.kafkaBrokers,
      dataSource,
      logger: testLogger(),
      relay: false,
      subscriptions: [subscribeBatch(topic, handleBatch)],
      consumerGroup: `group-${topic.name}`,
      consumer: { maxAttempts: 3, initialBackoffMs: 10, maxBackoffMs: 20 },
    });
    await runtime.start();

    await waitFor('the good records', async () => ((await effects()).length >= 4 ? true : undefined));
    const dead = await collectMessages(kafka, `${topic.name}.dlq`, 2);
    const rows = await effects();
    expect(rows.map((r) => r.reference)).toEqual(['a', 'c', 'd', 'fails-once']);
    // Without an event-id header the inbox key is derived from the record's position.
    const a = rows.find((r) => r.reference === 'a');
    expect(a).toMatchObject({ id_source: 'offset' });
    expect(a?.event_id).toBe(offsetEventId(topic.name, a?.partition ?? -1, a?.offset ?? ''));
    expect(rows.find((r) => r.reference === 'c')).toMatchObject({
      event_id: duplicateId,
      id_source: 'header',
    });

    const reasons = dead.map((m) => m.header(DlqHeader.Error));
    expect(reasons).toEqual([
      expect.stringMatching(/^ContractError: test\..*: value is not JSON: /),
      expect.stringMatching(/^ContractError: test\..*: \/amount must match pattern .* \(got "10"\)$/),
    ]);
    expect(dead.map((m) => m.header(DlqHeader.ErrorClass))).toEqual(['fatal', 'fatal']);
    // The dead letter is the record as it was written, for a person to mend and send again.
    expect(dead[1]?.message.value?.toString()).toBe(json({ reference: 'b', amount: '10' }));
    // The batch that failed once was rolled back and replayed: counted once, after its commit.
    expect(failOnce).toBe(false);
    expect(committed).toBe(4);
  });
});
