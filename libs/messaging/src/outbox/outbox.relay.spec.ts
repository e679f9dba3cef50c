import type { Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { OutboxRelay } from './outbox.relay';

// The relay's loop around a claim, with Postgres and Kafka faked: what it does when its VACUUM fails.
describe('OutboxRelay', () => {
  it('reports a failed VACUUM as such and goes on publishing, without backing off', async () => {
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
    const dataSource = {
      transaction: jest.fn((work: (em: EntityManager) => Promise<unknown>) => work(em)),
      query: jest.fn((sql: string) =>
        sql.startsWith('VACUUM')
          ? Promise.reject(new Error('permission denied for table outbox'))
          : Promise.resolve([]),
      ),
    } as unknown as DataSource;
    const producer = { sendBatch: jest.fn(() => Promise.resolve([])) } as unknown as Producer;
    const logger = { warn: jest.fn(), info: jest.fn(), error: jest.fn() } as unknown as Logger;
    const relay = new OutboxRelay({ dataSource, producer, logger, lingerMs: 1, vacuumIntervalMs: 5 });

    await relay.start();
    const vacuumTries = (): number =>
      jest.mocked(dataSource.query).mock.calls.filter(([sql]) => String(sql).startsWith('VACUUM')).length;
    const deadline = Date.now() + 5000;
    while (vacuumTries() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
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
