import type { Producer, ProducerBatch } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { OutboxRelay } from './outbox.relay';

// The relay's loop around a claim, with Postgres and Kafka faked: how its VACUUMs sit beside the claims.
function fakes(vacuum: () => Promise<unknown>): {
  dataSource: DataSource;
  producer: Producer;
  logger: Logger;
  vacuumTries: () => number;
} {
  let id = 0;
  const claimed = (): unknown[] => [
    {
      id: String(++id),
      topic: 'payments.payment-received.v1',
      message_key: 'cust-1',
      payload: Buffer.from([1]),
      headers: { 'event-id': `e-${id}` },
      created_at: new Date(),
    },
  ];
  const em = { query: jest.fn(() => Promise.resolve([claimed(), 1])) } as unknown as EntityManager;
  const query = jest.fn((sql: string) => (sql.startsWith('VACUUM') ? vacuum() : Promise.resolve([])));
  const dataSource = {
    transaction: jest.fn((work: (em: EntityManager) => Promise<unknown>) => work(em)),
    query,
  } as unknown as DataSource;
  const producer = { sendBatch: jest.fn(() => Promise.resolve([])) } as unknown as Producer;
  const logger = { warn: jest.fn(), info: jest.fn(), error: jest.fn() } as unknown as Logger;
  const vacuumTries = (): number => query.mock.calls.filter(([sql]) => sql.startsWith('VACUUM')).length;
  return { dataSource, producer, logger, vacuumTries };
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

describe('OutboxRelay', () => {
  it('goes on publishing while its VACUUM runs, runs one at a time, and waits for it on stop', async () => {
    let finishVacuum = (): void => undefined;
    const { dataSource, producer, logger, vacuumTries } = fakes(
      () => new Promise((resolve) => (finishVacuum = () => resolve([]))),
    );
    const relay = new OutboxRelay({ dataSource, producer, logger, lingerMs: 1, vacuumIntervalMs: 5 });

    await relay.start();
    await until(() => vacuumTries() === 1);
    const sentAtVacuum = jest.mocked(producer.sendBatch).mock.calls.length;
    await until(() => jest.mocked(producer.sendBatch).mock.calls.length > sentAtVacuum + 20);
    // Twenty batches and far more than 5 ms later, the first VACUUM is still the only one.
    expect(jest.mocked(producer.sendBatch).mock.calls.length).toBeGreaterThan(sentAtVacuum + 20);
    expect(vacuumTries()).toBe(1);

    let stopped = false;
    const stopping = relay.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    finishVacuum();
    await stopping;
    expect(stopped).toBe(true);
  });

  it('reports a failed VACUUM as such and goes on publishing, without backing off', async () => {
    const { dataSource, producer, logger, vacuumTries } = fakes(() =>
      Promise.reject(new Error('permission denied for table outbox')),
    );
    const relay = new OutboxRelay({ dataSource, producer, logger, lingerMs: 1, vacuumIntervalMs: 5 });

    await relay.start();
    await until(() => vacuumTries() >= 2);
    const sentBeforeStop = jest.mocked(producer.sendBatch).mock.calls.length;
    await relay.stop();

    expect(vacuumTries()).toBeGreaterThanOrEqual(2);
    // Publishing went on between the failed VACUUMs: several batches, each one message.
    expect(sentBeforeStop).toBeGreaterThan(vacuumTries());
    const warnings = jest.mocked(logger.warn).mock.calls.map((call) => call[1]);
    expect(warnings).toContain('outbox relay: VACUUM of the outbox failed, publishing goes on');
    expect(warnings).not.toContain('outbox relay: publish failed, rows stay pending');
  });
});

describe('OutboxRelay with a claim Kafka refuses', () => {
  const row = (id: number, topic = 'payments.payment-received.v1'): Record<string, unknown> => ({
    id: String(id),
    event_id: `e-${id}`,
    topic,
    message_key: 'cust-1',
    event_type: 'duemap.payments.v1.PaymentReceived',
    payload: Buffer.from([id]),
    headers: { 'event-id': `e-${id}` },
    shard: 3,
    created_at: new Date(),
    locked: '3',
  });
  const kafkaError = (type: string): Error => {
    const cause = Object.assign(new Error(type), { type });
    return Object.assign(new Error('retries exceeded'), { cause });
  };

  function relayWith(
    send: (values: unknown[]) => Error | undefined,
    topicExists?: (topic: string) => Promise<boolean>,
  ): { relay: OutboxRelay; parked: unknown[][]; sent: unknown[][] } {
    const parked: unknown[][] = [];
    const sent: unknown[][] = [];
    const em = {
      query: jest.fn((sql: string, params: unknown[]) => {
        if (sql.includes('INSERT INTO outbox_parked')) parked.push(params);
        return Promise.resolve(
          sql.includes('DELETE FROM outbox') ? [[row(1), row(2), row(3, 'elsewhere')], 3] : [],
        );
      }),
    } as unknown as EntityManager;
    const dataSource = {
      transaction: jest.fn((work: (em: EntityManager) => Promise<unknown>) => work(em)),
      query: jest.fn(() => Promise.resolve([{ n: parked.length }])),
    } as unknown as DataSource;
    const producer = {
      sendBatch: jest.fn(({ topicMessages }: ProducerBatch) => {
        const values = (topicMessages ?? []).flatMap((t) => t.messages.map((m) => (m.value as Buffer)[0]));
        const err = send(values);
        if (err) return Promise.reject(err);
        sent.push(values);
        return Promise.resolve([]);
      }),
    } as unknown as Producer;
    const logger = { warn: jest.fn(), info: jest.fn(), error: jest.fn() } as unknown as Logger;
    return { relay: new OutboxRelay({ dataSource, producer, logger, topicExists }), parked, sent };
  }

  it('sends the rows one by one after a permanent error and parks only the one refused alone', async () => {
    const { relay, parked, sent } = relayWith((values) =>
      values.includes(2) ? kafkaError('MESSAGE_TOO_LARGE') : undefined,
    );
    expect(await relay.relayOnce()).toBe(2);
    expect(sent).toEqual([[1], [3]]);
    expect(parked.map((p) => [p[0], p[9]])).toEqual([['2', 'MESSAGE_TOO_LARGE']]);
  });

  it('parks nothing when the batch failed for an outage: the claim rolls back', async () => {
    const { relay, parked, sent } = relayWith(() =>
      Object.assign(new Error('Connection timeout'), { retriable: true }),
    );
    await expect(relay.relayOnce()).rejects.toThrow('Connection timeout');
    expect(sent).toEqual([]);
    expect(parked).toEqual([]);
  });

  it('parks for an unknown topic only a topic the cluster says it does not have', async () => {
    const unknown = (values: unknown[]): Error | undefined =>
      values.includes(3) ? kafkaError('UNKNOWN_TOPIC_OR_PARTITION') : undefined;
    const moved = relayWith(unknown, () => Promise.resolve(true));
    await expect(moved.relay.relayOnce()).rejects.toThrow('retries exceeded');
    expect(moved.parked).toEqual([]);

    const missing = relayWith(unknown, (topic) => Promise.resolve(topic !== 'elsewhere'));
    expect(await missing.relay.relayOnce()).toBe(2);
    expect(missing.parked.map((p) => [p[2], p[9]])).toEqual([['elsewhere', 'UNKNOWN_TOPIC_OR_PARTITION']]);
  });
});
