import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { register } from 'prom-client';
import type { DataSource } from 'typeorm';
import { PipeMonitor, type Consumption, type PipeCondition, type PipeMonitorOptions } from './pipe-monitor';

const TOPIC = 'customers.customer-upserted.v1';
const TWIN = `${TOPIC}.dlq`;
const GROUP = 'invoicing';

/** Postgres and Kafka faked: what the samples return is set by the test, the clock too. */
function fakes(overrides: Partial<PipeMonitorOptions> = {}) {
  let now = 1_000_000;
  const outbox = { pending: '0', oldest: 0, parked: '0' };
  let outboxError: Error | undefined;
  let offsetsError: Error | undefined;
  /** Per topic and partition: [log start, log end]; per partition: the group's committed offset. */
  const logs = new Map<string, [number, number][]>([
    [
      TOPIC,
      [
        [0, 0],
        [0, 0],
      ],
    ],
    [
      TWIN,
      [
        [0, 0],
        [0, 0],
      ],
    ],
  ]);
  const committed = new Map<number, number>([
    [0, -1],
    [1, -1],
  ]);
  const admin = {
    connect: jest.fn(() => Promise.resolve()),
    disconnect: jest.fn(() => Promise.resolve()),
    fetchOffsets: jest.fn(({ topics }: { groupId: string; topics: string[] }) =>
      offsetsError
        ? Promise.reject(offsetsError)
        : Promise.resolve(
            topics.map((topic) => ({
              topic,
              partitions: [...committed].map(([partition, offset]) => ({
                partition,
                offset: String(offset),
                metadata: null,
              })),
            })),
          ),
    ),
    fetchTopicOffsets: jest.fn((topic: string) =>
      Promise.resolve(
        (logs.get(topic) ?? []).map(([low, high], partition) => ({
          partition,
          offset: String(high),
          high: String(high),
          low: String(low),
        })),
      ),
    ),
  };
  const kafka = { admin: jest.fn(() => admin) } as unknown as Kafka;
  const query = jest.fn((sql: string) => {
    void sql;
    return outboxError ? Promise.reject(outboxError) : Promise.resolve([{ ...outbox }]);
  });
  const dataSource = { query } as unknown as DataSource;
  const logger = { warn: jest.fn(), info: jest.fn() } as unknown as Logger;
  let consumption: Consumption | undefined = { groupId: GROUP, topics: [TOPIC] };
  const monitor = new PipeMonitor({
    dataSource,
    kafka,
    logger,
    consumption: () => consumption,
    now: () => now,
    outboxMaxAgeMs: 30_000,
    lagMax: 100,
    lagMaxForMs: 60_000,
    dlqMaxNew: 0,
    dlqWindowMs: 300_000,
    ...overrides,
  });
  return {
    monitor,
    admin: admin as typeof admin & Partial<Admin>,
    query,
    outbox,
    logs,
    committed,
    logger,
    advance: (ms: number) => (now += ms),
    failOutbox: (err?: Error) => (outboxError = err),
    failOffsets: (err?: Error) => (offsetsError = err),
    consumeNothing: () => (consumption = undefined),
    condition: (key: PipeCondition['key']): PipeCondition =>
      monitor.conditions().find((c) => c.key === key) as PipeCondition,
  };
}

async function gauge(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = register.getSingleMetric(name);
  const { values } = (await metric?.get()) ?? { values: [] };
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

describe('PipeMonitor', () => {
  it('reports every part healthy on an idle pipe, and nothing before its first sample', async () => {
    const f = fakes();
    expect(f.monitor.conditions().every((c) => c.healthy)).toBe(true);
    await f.monitor.sample();
    expect(f.monitor.conditions()).toEqual([
      { key: 'outbox', healthy: true, details: { pendingRows: 0, oldestPendingSeconds: 0, parkedRows: 0 } },
      { key: 'consumer_lag', healthy: true, details: { group: GROUP, lag: { [TOPIC]: 0 } } },
      {
        key: 'dlq',
        healthy: true,
        details: { gained: { [TWIN]: 0 }, held: { [TWIN]: 0 }, windowSeconds: 300 },
      },
    ]);
  });

  it('samples with one outbox statement and asks Kafka only about the consumed topics and their DLQ twins', async () => {
    const f = fakes();
    await f.monitor.sample();
    expect(f.query).toHaveBeenCalledTimes(1);
    expect(f.query.mock.calls[0]?.[0]).toMatch(/count\(\*\)[\s\S]*min\(created_at\)[\s\S]*FROM outbox/);
    expect(f.admin.fetchOffsets).toHaveBeenCalledWith({ groupId: GROUP, topics: [TOPIC] });
    expect(f.admin.fetchTopicOffsets.mock.calls.map(([t]) => t).sort()).toEqual([TOPIC, TWIN]);
  });

  it('degrades when the oldest pending outbox row is older than the bound, with the gauges set', async () => {
    const f = fakes();
    Object.assign(f.outbox, { pending: '3174', oldest: 270.4 });
    await f.monitor.sample();
    expect(f.condition('outbox')).toEqual({
      key: 'outbox',
      healthy: false,
      message: 'oldest pending outbox row is 270 s old (bound 30 s); 3174 rows wait',
      details: { pendingRows: 3174, oldestPendingSeconds: 270.4, parkedRows: 0 },
    });
    expect(await gauge('duemap_outbox_pending_rows')).toBe(3174);
    expect(await gauge('duemap_outbox_oldest_pending_seconds')).toBe(270.4);

    Object.assign(f.outbox, { pending: '5', oldest: 0.2 });
    await f.monitor.sample();
    expect(f.condition('outbox').healthy).toBe(true);
  });

  it('degrades on any parked outbox row (outbox_parked), however young', async () => {
    const f = fakes();
    Object.assign(f.outbox, { pending: '0', oldest: 0, parked: '2' });
    await f.monitor.sample();
    expect(f.condition('outbox')).toMatchObject({
      healthy: false,
      message: '2 outbox rows are parked (never publishable)',
      details: { parkedRows: 2 },
    });
  });

  it('counts lag per topic as log end minus committed offset, from the log start where nothing is committed', async () => {
    const f = fakes();
    f.logs.set(TOPIC, [
      [10, 50],
      [0, 30],
    ]);
    f.committed.set(0, 45);
    await f.monitor.sample();
    // partition 0: 50 - 45; partition 1 has no commit, the group starts at its log start: 30 - 0.
    expect(f.condition('consumer_lag').details).toEqual({ group: GROUP, lag: { [TOPIC]: 35 } });
    expect(await gauge('duemap_consumer_lag_messages', { group: GROUP, topic: TOPIC })).toBe(35);
  });

  it('degrades only when the lag stayed above the bound for the whole duration', async () => {
    const f = fakes();
    f.logs.set(TOPIC, [
      [0, 500],
      [0, 0],
    ]);
    f.committed.set(0, 0);
    await f.monitor.sample();
    f.advance(59_000);
    await f.monitor.sample();
    expect(f.condition('consumer_lag').healthy).toBe(true);
    f.advance(1_000);
    expect(f.condition('consumer_lag')).toMatchObject({
      healthy: false,
      message: `${GROUP} lags ${TOPIC} by 500 messages, above 100 for 60 s (bound 60 s)`,
    });

    // One sample at or under the bound starts the count again.
    f.committed.set(0, 450);
    await f.monitor.sample();
    expect(f.condition('consumer_lag').healthy).toBe(true);
    f.committed.set(0, 0);
    await f.monitor.sample();
    f.advance(30_000);
    await f.monitor.sample();
    expect(f.condition('consumer_lag').healthy).toBe(true);
  });

  it('degrades when the group has not moved for the duration while messages wait, however few', async () => {
    const f = fakes();
    f.logs.set(TOPIC, [
      [0, 3],
      [0, 0],
    ]);
    f.committed.set(0, 1);
    await f.monitor.sample();
    f.advance(30_000);
    f.committed.set(0, 2);
    f.logs.set(TOPIC, [
      [0, 4],
      [0, 0],
    ]);
    // It moved: the count starts again from the next sample that finds it where it was.
    await f.monitor.sample();
    f.advance(30_000);
    await f.monitor.sample();
    f.advance(59_000);
    await f.monitor.sample();
    expect(f.condition('consumer_lag').healthy).toBe(true);
    f.advance(1_000);
    expect(f.condition('consumer_lag')).toMatchObject({
      healthy: false,
      message: `${GROUP} has not moved on ${TOPIC} for 60 s while 2 messages wait (bound 60 s)`,
    });

    // Caught up: nothing waits, nothing is stuck.
    f.committed.set(0, 4);
    await f.monitor.sample();
    f.advance(120_000);
    await f.monitor.sample();
    expect(f.condition('consumer_lag').healthy).toBe(true);
  });

  it('degrades when a consumed topic’s DLQ twin gains more than the bound within the window, and recovers after it', async () => {
    const f = fakes();
    f.logs.set(TWIN, [
      [0, 4],
      [0, 0],
    ]);
    await f.monitor.sample();
    // What the twin held before the monitor started is not new.
    expect(f.condition('dlq').healthy).toBe(true);
    expect(await gauge('duemap_dlq_messages', { topic: TWIN })).toBe(4);

    f.advance(5_000);
    f.logs.set(TWIN, [
      [0, 4],
      [0, 1],
    ]);
    await f.monitor.sample();
    expect(f.condition('dlq')).toMatchObject({
      healthy: false,
      message: expect.stringContaining(`${TWIN} gained 1 dead letters within 300 s (bound 0)`) as string,
      details: { gained: { [TWIN]: 1 }, held: { [TWIN]: 5 } },
    });

    // Samples go on with nothing new; once the dead letter is older than the window, ready again.
    for (let t = 0; t < 300_000; t += 5_000) {
      f.advance(5_000);
      await f.monitor.sample();
    }
    expect(f.condition('dlq').healthy).toBe(true);
    expect(await gauge('duemap_dlq_messages', { topic: TWIN })).toBe(5);
  });

  it('tolerates up to dlqMaxNew dead letters within the window', async () => {
    const f = fakes({ dlqMaxNew: 2 });
    await f.monitor.sample();
    f.logs.set(TWIN, [
      [0, 1],
      [0, 1],
    ]);
    await f.monitor.sample();
    expect(f.condition('dlq').healthy).toBe(true);
    f.logs.set(TWIN, [
      [0, 2],
      [0, 1],
    ]);
    await f.monitor.sample();
    expect(f.condition('dlq').healthy).toBe(false);
  });

  it('counts failing samples against a part once none succeeded for as long as its bound', async () => {
    const f = fakes();
    await f.monitor.sample();
    f.failOutbox(new Error('connection terminated'));
    f.failOffsets(new Error('broker unreachable'));
    f.advance(20_000);
    await f.monitor.sample();
    expect(f.condition('outbox').healthy).toBe(true);
    expect(f.condition('consumer_lag').healthy).toBe(true);
    f.advance(11_000);
    expect(f.condition('outbox')).toMatchObject({
      healthy: false,
      message: 'outbox not sampled for 31 s: connection terminated',
    });
    f.advance(30_000);
    expect(f.condition('consumer_lag')).toMatchObject({
      healthy: false,
      message: 'Kafka offsets not sampled for 61 s: broker unreachable',
    });
    // One warning per part when it starts failing, not one per sample.
    await f.monitor.sample();
    expect(f.logger.warn).toHaveBeenCalledTimes(2);

    f.failOutbox(undefined);
    f.failOffsets(undefined);
    await f.monitor.sample();
    expect(f.monitor.conditions().every((c) => c.healthy)).toBe(true);
  });

  it('reports no lag and no DLQ without a consumer group, and asks Kafka nothing', async () => {
    const f = fakes();
    f.consumeNothing();
    await f.monitor.sample();
    expect(f.condition('consumer_lag')).toEqual({
      key: 'consumer_lag',
      healthy: true,
      details: { group: null },
    });
    expect(f.condition('dlq').healthy).toBe(true);
    expect(f.admin.fetchOffsets).not.toHaveBeenCalled();
  });

  it('samples in the background until stopped, one sample at a time', async () => {
    const f = fakes({ sampleIntervalMs: 1 });
    f.monitor.start();
    while (f.query.mock.calls.length < 5) await new Promise((r) => setTimeout(r, 1));
    await f.monitor.stop();
    const calls = f.query.mock.calls.length;
    await new Promise((r) => setTimeout(r, 20));
    expect(f.query.mock.calls.length).toBe(calls);
    expect(f.admin.disconnect).toHaveBeenCalledTimes(1);
  });
});
