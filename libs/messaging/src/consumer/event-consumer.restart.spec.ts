import { EventEmitter } from 'node:events';
import type { Kafka } from 'kafkajs';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { EventConsumer } from './event-consumer';

const CRASH = 'consumer.crash';

/** Just enough of a kafkajs consumer to start, stop and crash it. */
class FakeConsumer extends EventEmitter {
  readonly events = { CRASH };
  runs = 0;
  disconnects = 0;
  connect = (): Promise<void> => Promise.resolve();
  subscribe = (): Promise<void> => Promise.resolve();
  run = (): Promise<void> => {
    this.runs++;
    return Promise.resolve();
  };
  disconnect = (): Promise<void> => {
    this.disconnects++;
    return Promise.resolve();
  };
  crash(restart: boolean): void {
    this.emit(CRASH, { payload: { error: new Error('The group coordinator is not available'), restart } });
  }
}

function consumerWith(made: FakeConsumer[]): EventConsumer {
  const kafka = {
    consumer: () => {
      const consumer = new FakeConsumer();
      made.push(consumer);
      return consumer;
    },
  } as unknown as Kafka;
  return new EventConsumer({
    kafka,
    dataSource: {} as DataSource,
    groupId: 'restart-spec',
    subscriptions: [],
    producer: {} as never,
    logger: pino({ level: 'silent' }),
    initialBackoffMs: 1,
  });
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
}

describe('EventConsumer after a crash', () => {
  it('starts a new consumer when kafkajs will not restart the crashed one', async () => {
    const made: FakeConsumer[] = [];
    const consumer = consumerWith(made);
    await consumer.start();
    expect(made).toHaveLength(1);

    (made[0] as FakeConsumer).crash(false);
    await until(() => made.length === 2 && (made[1] as FakeConsumer).runs === 1);
    expect((made[0] as FakeConsumer).disconnects).toBe(1);

    await consumer.stop();
    expect((made[1] as FakeConsumer).disconnects).toBe(1);
  });

  it('leaves a crash that kafkajs restarts itself to kafkajs', async () => {
    const made: FakeConsumer[] = [];
    const consumer = consumerWith(made);
    await consumer.start();
    (made[0] as FakeConsumer).crash(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(made).toHaveLength(1);
    await consumer.stop();
  });

  it('starts nothing once stopped', async () => {
    const made: FakeConsumer[] = [];
    const consumer = consumerWith(made);
    await consumer.start();
    await consumer.stop();
    (made[0] as FakeConsumer).crash(false);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(made).toHaveLength(1);
  });
});
