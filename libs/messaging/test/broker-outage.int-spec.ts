import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { collectMessages, testLogger, waitFor } from '@duemap/testing';
import type { Producer } from 'kafkajs';
import { startKafka, type KafkaBroker } from '@duemap/local-stack/kafka';
import { freePort } from '@duemap/local-stack/processes';
import { createProducer, OutboxRelay, OutboxWriter } from '../src';
import { paymentEvent, startHarness, type Harness } from './messaging-harness';

describe('an outbox event written while the broker is down', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'duemap-outage-'));
  let broker: KafkaBroker;
  let h: Harness;
  let producer: Producer;
  let relay: OutboxRelay;
  const writer = new OutboxWriter('outage-test');
  // A private broker on its own ports, so stopping it does not disturb the other specs.
  let ports: { port: number; controllerPort: number };

  const pending = async (): Promise<number> =>
    Number((await h.dataSource.query(`SELECT count(*) AS n FROM outbox`))[0].n);

  async function write(n: number, prefix: string): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const customer = `cust-${i % 7}`;
      ids.push(
        await h.dataSource.transaction((em) =>
          writer.append(em, {
            topic: h.topic,
            key: customer,
            event: paymentEvent(customer, `${prefix}-${i}`),
          }),
        ),
      );
    }
    return ids;
  }

  beforeAll(async () => {
    const port = await freePort();
    let controllerPort = await freePort();
    while (controllerPort === port) controllerPort = await freePort();
    ports = { port, controllerPort };
    broker = await startKafka({ ...ports, dataDir });
    h = await startHarness('outage', { brokers: [broker.brokers] });
    producer = createProducer(h.kafka);
    await producer.connect();
    relay = new OutboxRelay({
      dataSource: h.dataSource,
      producer,
      logger: testLogger(),
      idlePollMs: 100,
      maxBackoffMs: 1000,
    });
    await relay.start();
  });

  afterAll(async () => {
    await relay?.stop();
    await producer?.disconnect().catch(() => undefined);
    await h?.close();
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is published once the broker is back, and nothing is lost', async () => {
    const before = await write(10, 'before');
    await waitFor('the first events published', async () => ((await pending()) === 0 ? true : undefined));

    await broker.stop();
    const during = await write(50, 'during');
    // The relay keeps failing and retrying; its claims roll back, so every row stays while Kafka is away.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await pending()).toBe(50);

    broker = await startKafka({ ...ports, dataDir });
    await waitFor('the outage backlog published', async () => ((await pending()) === 0 ? true : undefined), {
      timeoutMs: 90_000,
    });

    const onTopic = await collectMessages(h.kafka, h.topic.name, before.length + during.length);
    const ids = new Set(onTopic.map((m) => m.header('event-id')));
    for (const id of [...before, ...during]) expect(ids.has(id)).toBe(true);
  });
});
